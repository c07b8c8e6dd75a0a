"""The extraction pipeline: small stages run in order over one shared Context.

Stages are looked up in a registry by name, as spaCy does with its components, so a stage
can be replaced or switched off without touching the others::

    from quotegraph.pipeline import STAGES, DEFAULT_STAGES, analyze
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from spacy.tokens import Doc

from . import nlp as nlp_module
from .model import Analysis
from .stages.context import Context, QuoteIndex
from .stages.cues import find_cues
from .stages.direct import attribute_quotations
from .stages.declines import add_declines
from .stages.relations import find_relations
from .stages.finalize import to_analysis
from .stages.nesting import link_nesting
from .stages.quotes import find_quotations
from .stages.reported import build_reported
from .stages.speakers import resolve_speakers
from .stages.times import attach_times

Stage = Callable[[Context], None]

STAGES: dict[str, Stage] = {}


def register(name: str, stage: Stage) -> None:
    STAGES[name] = stage


def _quotes(ctx: Context) -> None:
    ctx.quotations = find_quotations(ctx.text)
    ctx.quote_index = QuoteIndex(ctx.quotations)


def _cues(ctx: Context) -> None:
    ctx.cues = find_cues(ctx.doc, ctx.quote_index)


register("quotes", _quotes)
register("cues", _cues)
register("reported", build_reported)
register("direct", attribute_quotations)
register("nesting", link_nesting)
register("declines", add_declines)
register("speakers", resolve_speakers)
register("relations", find_relations)
register("times", attach_times)

DEFAULT_STAGES = ("quotes", "cues", "reported", "direct", "nesting", "declines", "speakers", "relations", "times")

# Paragraphs longer than this are parsed in pieces, and pieces go to the parser in batches of at
# most BATCH_CHARS characters: spaCy's memory grows with the length of what it parses at once.
MAX_CHUNK = 5_000
BATCH_CHARS = 40_000
_PARAGRAPH_CHUNK = re.compile(r"[^\n]*(?:\n+|$)")


def chunks(text: str) -> list[str]:
    """Paragraphs with their trailing newlines; joined they give back ``text`` exactly."""
    out = []
    for m in _PARAGRAPH_CHUNK.finditer(text):
        piece = m.group(0)
        while len(piece) > MAX_CHUNK:
            cut = _cut_point(piece, MAX_CHUNK)
            out.append(piece[:cut])
            piece = piece[cut:]
        if piece:
            out.append(piece)
    return out


def _cut_point(piece: str, limit: int) -> int:
    """A sentence end (or at least a space) before ``limit``, so no word is split."""
    for mark in (". ", " "):
        i = piece.rfind(mark, limit // 2, limit)
        if i > 0:
            return i + len(mark)
    return limit


def parse_many(texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """Parse documents paragraph by paragraph (sentences never cross a paragraph) and join
    each back into one Doc whose text is the document's text exactly."""
    nlp = nlp_module.load()
    for text in texts:
        pieces = chunks(text)
        if not pieces:
            yield nlp.make_doc(text)
            continue
        docs = [d for group in _batches(pieces, batch_size) for d in nlp.pipe(group, batch_size=len(group))]
        doc = Doc.from_docs(docs, ensure_whitespace=False) if len(docs) > 1 else docs[0]
        yield doc


def _batches(pieces: list[str], most: int) -> Iterator[list[str]]:
    """Consecutive groups of at most ``most`` pieces and BATCH_CHARS characters (a longer piece alone)."""
    group: list[str] = []
    size = 0
    for piece in pieces:
        if group and (len(group) == most or size + len(piece) > BATCH_CHARS):
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece)
    if group:
        yield group


def parse(text: str) -> Doc:
    return next(parse_many([text]))


def run_stages(text: str, doc: Doc, published: str | None = None,
               stages: Iterable[str] = DEFAULT_STAGES) -> Context:
    ctx = Context(text=text, doc=doc, published=published)
    for name in stages:
        STAGES[name](ctx)
    return ctx


def analyze_doc(text: str, doc: Doc, published: str | None = None, doc_id: str | None = None) -> Analysis:
    return to_analysis(run_stages(text, doc, published), doc_id)
