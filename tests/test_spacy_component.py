"""quotegraph as a spaCy pipeline component."""

import spacy

import quotegraph.spacy_component  # noqa: F401  (registers the factory)
from quotegraph import nlp as qg_nlp


def test_add_pipe_sets_statements_on_the_doc():
    nlp = spacy.load(qg_nlp.model_name(), exclude=["ner", "lemmatizer"])
    nlp.add_pipe("quotegraph")
    doc = nlp("\u201cWe will not back down,\u201d the governor said.")
    assert [s.text for s in doc._.statements] == ["\u201cWe will not back down,\u201d"]
    assert doc._.quotegraph.entities
