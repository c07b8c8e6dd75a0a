"""quotegraph as a spaCy pipeline component, for users who already run spaCy.

    import spacy, quotegraph.spacy_component  # noqa: F401 (registers the factory)
    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("quotegraph")
    doc = nlp(text)
    doc._.statements   # list of quotegraph.Statement
    doc._.quotegraph   # the whole quotegraph.Analysis

The component gives exactly what ``quotegraph.analyze(doc.text)`` gives: it parses the text with
quotegraph's own pipeline, paragraph by paragraph, as ``analyze`` does (a parse of the whole text at
once lets sentences run across paragraphs and finds other statements). The doc's own annotations
are read by nothing and left as they are, so the component works after any pipeline, even a blank one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .pipeline import analyze_doc, parse

if not Doc.has_extension("statements"):
    Doc.set_extension("statements", default=None)
if not Doc.has_extension("quotegraph"):
    Doc.set_extension("quotegraph", default=None)


class QuotegraphComponent:
    def __init__(self, nlp: Language, name: str, published: str | None = None):
        self.name = name
        self.published = published

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        analysis = analyze_doc(text, parse(text), self.published)
        doc._.quotegraph = analysis
        doc._.statements = analysis.statements
        return doc


@Language.factory("quotegraph", default_config={"published": None})
def make_quotegraph(nlp: Language, name: str, published: str | None = None) -> QuotegraphComponent:
    return QuotegraphComponent(nlp, name, published)
