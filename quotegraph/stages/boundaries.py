"""Where a statement's parts meet: its content never holds its own source and cue, so "My hope," he
said, "is that …" is two fragments.

The quotation stage joins the two halves of an interrupted quotation into one mixed statement, and
the parse sometimes gives a clause whose parenthetical cue sits inside it ("Acts of protest, Mr.
Obama said, are acts of patriotism"); annotators mark the words on either side as the content and
leave the interruption (source and cue, with its commas and quotation marks) out. (Cutting a source
the parse grew over the clause that holds its cue, "Trump charges that countries …", at the cue was
measured too and lowered dev attribution F1: it is not done.)
"""

from __future__ import annotations

from .context import Context, Draft
from .reported import strip_edges

# What may lie between a source and its cue: spaces, commas, dashes, quotation marks
EDGE = set(" \t\n,;:\u2014\u2013-\"'\u201c\u201d\u2018\u2019")


def separate_parts(ctx: Context) -> None:
    for draft in ctx.drafts:
        _cut_out_interruption(ctx, draft)


def _cut_out_interruption(ctx: Context, draft: Draft) -> None:
    if draft.cue is None:
        return
    start, end = draft.cue
    if draft.source is not None and _next_to(ctx.text, draft.source, draft.cue):
        start, end = min(start, draft.source[0]), max(end, draft.source[1])
    content = []
    for s, e in draft.content:
        if s < start and end < e:
            content += [piece for piece in (_part(ctx.text, s, start), _part(ctx.text, end, e)) if piece]
        else:
            content.append((s, e))
    if content != draft.content:
        draft.content = content
        ctx.moved(draft)


def _next_to(text: str, source: tuple[int, int], cue: tuple[int, int]) -> bool:
    """Source and cue with nothing but spaces and punctuation between them ("he said", "said Mr. Lee")."""
    gap = text[source[1]:cue[0]] if source[1] <= cue[0] else text[cue[1]:source[0]]
    return all(ch in EDGE for ch in gap)


def _part(text: str, start: int, end: int) -> tuple[int, int] | None:
    """One side of the interruption, without the commas and spaces next to it (its quotation marks
    stay, as in every direct statement)."""
    start, end = strip_edges(text, start, end)
    return (start, end) if end > start and any(ch.isalnum() for ch in text[start:end]) else None
