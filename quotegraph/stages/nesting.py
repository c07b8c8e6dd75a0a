"""Nested reports: "Johnson said Putin said …" — a statement inside another's content is
``nested_in`` the innermost statement that holds it."""

from __future__ import annotations

from .context import Context, Draft


def link_nesting(ctx: Context) -> None:
    _drop_duplicates(ctx)
    ctx.reset_index()
    drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
    for d in drafts:
        holders = [o for o in ctx.drafts_near(d.start, d.end) if o is not d and _holds(o, d)]
        if holders:
            d.nested_in = min(holders, key=lambda o: o.end - o.start)
    ctx.drafts = drafts


def _holds(outer: Draft, inner: Draft) -> bool:
    if (outer.start, outer.end) == (inner.start, inner.end):
        return False
    return all(outer.covers(s, e) for s, e in inner.content) and (
        inner.cue is None or outer.covers(*inner.cue)
    )


def _drop_duplicates(ctx: Context) -> None:
    """Two cues that found the same content (e.g. "said" and "added" in one sentence):
    keep the likelier. One cue that found two quotations ("“No,” he said, “never.”"):
    one statement with two fragments."""
    best: dict[tuple, Draft] = {}
    for d in ctx.drafts:
        key = tuple(d.content)
        if key not in best or d.score > best[key].score:
            best[key] = d
    by_cue: dict[tuple, Draft] = {}
    kept = []
    for d in sorted(best.values(), key=lambda d: d.start):
        first = by_cue.get(d.cue) if d.cue else None
        if first is not None and first.kind == d.kind == "direct":
            first.content = sorted(first.content + d.content)
            continue
        if d.cue:
            by_cue[d.cue] = d
        kept.append(d)
    ctx.drafts = kept
