"""Statements from the attribution tagger alone, where the rules found none (the accurate mode).

A run of words the tagger is sure is a content ("Pence: Gennifer Flowers Won't Be at Debate",
a rare construction the parse does not read as a report, a cue the cue model scored low) that no
statement of the rules covers, with a cue in its sentences, becomes a statement: the cue nearest it,
the source nearest both. Its cue words are not given (the statement's cue is null): the tagger's
runs of cue words there matched annotators' less often than not on dev, even where it was sure of
them (cue F1 0.717 without them, 0.713 with those at ≥ 0.9 on average); the cue's head word stays
inside, for the later stages. Its kind is indirect (the quotation stage has already taken every
quotation it could attribute).

Thresholds chosen on PolNeAR dev (docs/model-card.md).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Doc

from ..tagger import CONTENT, CUE, SOURCE
from .context import Context, Draft, sentence_of
from .reported import strip_edges
from .tagged import IN_CONTENT, IN_SOURCE, head_word, nearest_run, runs, tagged

SURE_CONTENT = 0.85  # mean probability over a run of content words that makes it a statement
MIN_WORDS = 3  # shorter runs are left alone ("it", "the deal")
IN_CUE_RUN = 0.5  # a word this likely inside a cue belongs to the cue run nearest the content


def add_tagged_statements(ctx: Context) -> None:
    doc = ctx.doc
    p = tagged(doc)
    if p is None:
        return
    covered = np.zeros(len(ctx.text) + 1, dtype=bool)
    for draft in ctx.drafts:
        for start, end in draft.content:
            covered[start:end] = True
    for first, last in runs(p[:, CONTENT], 0, len(doc), IN_CONTENT):
        start, end = _chars(doc, first, last)
        if last - first + 1 < MIN_WORDS or p[first:last + 1, CONTENT].mean() < SURE_CONTENT or covered[start:end].any():
            continue
        draft = _statement(ctx, p, first, last)
        if draft is not None:
            ctx.add_draft(draft)
            covered[start:end] = True


def _statement(ctx: Context, p: np.ndarray, first: int, last: int) -> Draft | None:
    """The statement whose content is the tagger's run [first, last]; None when its sentences hold no cue."""
    doc = ctx.doc
    low, high = sentence_of(doc[first]).start, sentence_of(doc[last]).end
    cue, _ = nearest_run(runs(p[:, CUE], low, high, IN_CUE_RUN), first, last + 1)
    if cue is None:
        return None
    content = strip_edges(ctx.text, *_chars(doc, first, last))
    if content[1] <= content[0]:
        return None
    around = (min(first, cue[0]), max(last, cue[1]) + 1)
    sources = [r for r in runs(p[:, SOURCE], low, high, IN_SOURCE) if not (r[0] < around[1] and around[0] <= r[1])]
    source, _ = nearest_run(sources, *around)
    return Draft(kind="indirect", content=[content], cue=None,
                 source=_chars(doc, *source) if source else None, cue_token=head_word(doc, *cue),
                 source_token=head_word(doc, *source) if source else None,
                 score=float(p[first:last + 1, CONTENT].mean()))


def _chars(doc: Doc, first: int, last: int) -> tuple[int, int]:
    words = doc[first:last + 1]
    return words.start_char, words.end_char
