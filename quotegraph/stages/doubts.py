"""Reported statements the attribution tagger does not believe, dropped (the accurate mode).

The rules read "Trump unleashed | a series of tweets", "he told | me", "police released | video" as
reports: a verb the cue model accepts, a subject, an object. Annotators mark none of them, and the
tagger, which learned from annotators, sees no content there (the mean of its content probability over
the words is near zero) or no cue (no word of the cue is likely a cue). Such a statement goes.

Statements inside a quotation or inside another statement's content are left alone: PolNeAR marks
almost nothing there, so the tagger's doubt says nothing of whether a report is nested ("Johnson said
Putin told him …", "the Kremlin rejected Johnson's assertion that Putin threatened him"), which is
what a reader wants found. Quotations themselves (direct and mixed statements) are left alone too.

Thresholds chosen on PolNeAR dev (docs/model-card.md).
"""

from __future__ import annotations

import numpy as np

from ..tagger import CONTENT, CUE
from .context import Context, Draft
from .nesting import holds
from .tagged import tagged

NO_CONTENT = 0.1  # a statement whose words are on average less likely inside a content goes
NO_CUE = 0.2  # … as does one none of whose cue words is this likely inside a cue


def drop_doubted(ctx: Context) -> None:
    p = tagged(ctx.doc)
    if p is None:
        return
    kept = [d for d in ctx.drafts if not _doubted(ctx, d, p)]
    if len(kept) != len(ctx.drafts):
        ctx.drafts = kept
        ctx.reset_index()


def _doubted(ctx: Context, d: Draft, p: np.ndarray) -> bool:
    if d.kind != "indirect" or ctx.quote_index.inside(d.cue[0] if d.cue else d.start) or _nested(ctx, d):
        return False
    content = _tokens(ctx, d.content)
    if content and p[content, CONTENT].mean() < NO_CONTENT:
        return True
    cue = _tokens(ctx, [d.cue]) if d.cue else []
    return bool(cue) and p[cue, CUE].max() < NO_CUE


def _nested(ctx: Context, d: Draft) -> bool:
    """Whether the statement lies inside another's content ("rejected | Johnson's assertion that …")."""
    return any(o is not d and holds(o, d) for o in ctx.drafts_near(d.start, d.end))


def _tokens(ctx: Context, spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the tokens of the character spans."""
    return [t.i for s, e in spans for t in ctx.doc.char_span(s, e, alignment_mode="expand") or ()]
