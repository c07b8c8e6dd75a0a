"""Transcript turns: "WALLACE: Let's start with breaking news …".

In an interview or a debate transcript each paragraph opens with the speaker's name in capitals
and a colon. The paragraph is that speaker's statement, verbatim (kind direct); the name is its
source, the colon its cue. A name counts only where names in that form open at least two paragraphs
of the article (the same surname twice: "JAKE TAPPER:", then "TAPPER:"), so that a lone "UPDATE:" or
"VIDEO:" line is left alone. What a turn reports in its turn ("Clinton thinks …") is nested in it by
the nesting stage, and no statement reaches across turns: transcripts often open each turn with a
quotation mark that never closes, which the quotation stage reads as one quotation running over
paragraphs.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from .context import Context, Draft
from .reported import strip_edges

# A name of one to three words in capitals (initials, apostrophes and hyphens too), a colon, then text
TURN = re.compile(r"^[ \t\"\u201c]*((?:[A-Z][A-Z.'\u2019-]+)(?: [A-Z][A-Z.'\u2019-]+){0,2}):[ \t]+(?=\S)", re.M)
MIN_TURNS = 2  # paragraphs a surname must open for the article to read as a transcript


def add_turns(ctx: Context) -> None:
    text = ctx.text
    found = list(TURN.finditer(text))
    turns = Counter(_surname(m) for m in found)
    found = [m for m in found if turns[_surname(m)] >= MIN_TURNS]
    if not found:
        return
    paragraphs = [(m.start(), _paragraph_end(text, m.end())) for m in found]
    _keep_within_turns(ctx, paragraphs)
    for m, (_, end) in zip(found, paragraphs):
        content = strip_edges(text, m.end(), end)
        if content[1] <= content[0]:
            continue
        name = ctx.doc.char_span(*m.span(1), alignment_mode="expand")
        colon = ctx.doc.char_span(m.end(1), m.end(1) + 1, alignment_mode="expand")
        ctx.add_draft(Draft(kind="direct", content=[content], cue=(m.end(1), m.end(1) + 1), source=m.span(1),
                            cue_token=colon.root if colon else None, source_token=name.root if name else None))


def _keep_within_turns(ctx: Context, paragraphs: list[tuple[int, int]]) -> None:
    """Each statement keeps only the fragments in the turn of its cue (or outside every turn, for a
    cue outside them); one left with none goes."""
    starts = [start for start, _ in paragraphs]

    def turn_of(offset: int) -> int | None:  # paragraphs are in order and do not overlap
        k = bisect.bisect_right(starts, offset) - 1
        return k if k >= 0 and offset < paragraphs[k][1] else None

    kept = []
    for draft in ctx.drafts:
        home = turn_of(draft.cue[0] if draft.cue else draft.start)
        content = [(s, e) for s, e in draft.content if turn_of(s) == home]
        if content:
            draft.content = content
            kept.append(draft)
    ctx.drafts = kept
    ctx.reset_index()


def _paragraph_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _surname(m: re.Match) -> str:
    return m.group(1).split()[-1]
