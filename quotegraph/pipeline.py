"""The extraction pipeline: small stages run in order over one shared Context.

Stages are looked up in a registry by name, as spaCy does with its components, so a stage
can be replaced or switched off without touching the others. Each declares, as spaCy's
factories do, which Context fields it needs (``requires``) and which it sets (``assigns``);
``run_stages`` checks the order before it runs anything::

    from quotegraph.pipeline import DEFAULT_STAGES, parse, register, run_stages
    register("times", my_times, requires=("drafts",), assigns=("times",))   # replace a stage
    ctx = run_stages(text, parse(text), stages=[s for s in DEFAULT_STAGES if s != "relations"])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from spacy.tokens import Doc

from . import modes
from . import nlp as nlp_module
from .model import Analysis
from .stages.context import Context, QuoteIndex
from .stages.cues import find_cues
from .stages.direct import attribute_quotations
from .stages.declines import add_declines
from .stages.doubts import drop_doubted
from .stages.relations import find_relations
from .stages.finalize import to_analysis
from .stages.nesting import link_nesting
from .stages.quotes import find_quotations
from .stages.reported import build_reported
from .stages.tagged_statements import add_tagged_statements
from .stages.turns import add_turns
from .stages.boundaries import separate_parts
from .stages.speakers import resolve_speakers
from .stages.times import attach_times

Stage = Callable[[Context], None]
# What every Context holds before the first stage runs.
GIVEN = ("text", "doc", "published")


@dataclass(frozen=True)
class StageSpec:
    run: Stage
    requires: tuple[str, ...]  # Context fields an earlier stage must have set
    assigns: tuple[str, ...]  # Context fields this stage sets or extends


STAGES: dict[str, StageSpec] = {}


def register(name: str, stage: Stage, requires: Iterable[str] = (), assigns: Iterable[str] = ()) -> None:
    """Add a stage under ``name``, or replace the one registered there."""
    unknown = [f for f in (*requires, *assigns) if f not in Context.__dataclass_fields__]
    if unknown:
        raise ValueError(f"stage {name!r} names {', '.join(unknown)}, which a Context does not have")
    STAGES[name] = StageSpec(stage, tuple(requires), tuple(assigns))


def check_stages(stages: Iterable[str]) -> list[StageSpec]:
    """The stages by name, after checking that each one's needs are met by the stages before it."""
    have, specs = set(GIVEN), []
    for name in stages:
        spec = STAGES.get(name)
        if spec is None:
            raise ValueError(f"no stage is registered as {name!r}; known stages: {', '.join(STAGES)}")
        missing = [f for f in spec.requires if f not in have]
        if missing:
            makers = sorted({n for n, s in STAGES.items() if set(missing) & set(s.assigns)})
            raise ValueError(f"stage {name!r} needs {', '.join(missing)}, which no stage before it sets"
                             + (f" (run {' or '.join(makers)} first)" if makers else ""))
        have.update(spec.assigns)
        specs.append(spec)
    return specs


def _quotes(ctx: Context) -> None:
    ctx.quotations = find_quotations(ctx.text)
    ctx.quote_index = QuoteIndex(ctx.quotations)


def _tag(ctx: Context) -> None:
    from . import tagger  # onnxruntime and the model load only in the accurate mode

    tagger.model().tag(ctx.doc, ctx.text)


def _cues(ctx: Context) -> None:
    ctx.cues = find_cues(ctx.doc, ctx.quote_index)


register("quotes", _quotes, requires=("text",), assigns=("quotations", "quote_index"))
# the tagger leaves its probabilities on the Doc, where cues and reported speech consult them (stages/tagged.py)
register("tagger", _tag, requires=("doc",))
register("cues", _cues, requires=("doc", "quote_index"), assigns=("cues",))
register("reported", build_reported, requires=("cues",), assigns=("drafts",))
register("direct", attribute_quotations, requires=("quotations", "quote_index"), assigns=("drafts",))
register("turns", add_turns, requires=("drafts",), assigns=("drafts",))
register("tagged", add_tagged_statements, requires=("drafts",), assigns=("drafts",))
register("boundaries", separate_parts, requires=("drafts",), assigns=("drafts",))
register("doubts", drop_doubted, requires=("drafts", "quote_index"), assigns=("drafts",))
register("nesting", link_nesting, requires=("drafts",), assigns=("drafts",))
register("declines", add_declines, requires=("doc",), assigns=("drafts",))
register("speakers", resolve_speakers, requires=("drafts",), assigns=("entities",))
register("relations", find_relations, requires=("drafts", "entities"), assigns=("relations",))
register("times", attach_times, requires=("drafts",), assigns=("times",))

DEFAULT_STAGES = ("quotes", "cues", "reported", "direct", "turns", "boundaries", "nesting", "declines", "speakers",
                  "relations", "times")
# the stages of each mode (modes.py): fast, the rules alone; accurate, the attribution tagger too
MODE_STAGES = {"fast": DEFAULT_STAGES,
               "accurate": ("quotes", "tagger", "cues", "reported", "direct", "turns", "tagged", "boundaries", "doubts",
                             *DEFAULT_STAGES[6:])}


def mode_stages(mode: str | None = None) -> tuple[str, ...]:
    """The stages of a mode; by default $QUOTEGRAPH_MODE's, else fast. ValueError for an unknown mode."""
    return MODE_STAGES[modes.current(mode)]

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
               stages: Iterable[str] | None = None) -> Context:
    specs = check_stages(stages if stages is not None else mode_stages())
    ctx = Context(text=text, doc=doc, published=published)
    for spec in specs:
        spec.run(ctx)
    return ctx


def analyze_doc(text: str, doc: Doc, published: str | None = None, doc_id: str | None = None,
                stages: Iterable[str] | None = None) -> Analysis:
    """The analysis of a parsed document by ``stages`` (by default: those of the mode in force)."""
    return to_analysis(run_stages(text, doc, published, stages), doc_id)
