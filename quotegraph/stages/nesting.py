"""Nested reports: "Johnson said Putin said …" — a statement inside another's content is
``nested_in`` the innermost statement that holds it."""

from __future__ import annotations

from .context import Context, Draft


def link_nesting(ctx: Context) -> None:
    _drop_duplicates(ctx)
    ctx.reset_index()
    drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
    for d in drafts:
        holders = [o for o in ctx.drafts_near(d.start, d.end) if o is not d and holds(o, d)]
        if holders:
            d.nested_in = min(holders, key=lambda o: o.end - o.start)
    ctx.drafts = drafts


def holds(outer: Draft, inner: Draft) -> bool:
    """Whether ``inner`` (content and cue) lies inside ``outer``'s content, and is not the same statement."""
    if (outer.start, outer.end) == (inner.start, inner.end):
        return False
    return all(outer.covers(s, e) for s, e in inner.content) and (
        inner.cue is None or outer.covers(*inner.cue)
    )


def _drop_duplicates(ctx: Context) -> None:
    """Two cues that found the same content (e.g. "said" and "added" in one sentence):
    keep the likelier. One cue that found two quotations ("“No,” he said, “never.”"):
    one statement with two fragments. One cue that found two other things (a quotation that is a
    show's title and the clause that was said on it: "said on “Fox News Sunday,” that …"; "joked of
    the museum, '…'"): the one whose content is a clause, then the longer, since a cue word reports
    one thing."""
    best: dict[tuple, Draft] = {}
    for d in ctx.drafts:
        key = tuple(d.content)
        if key not in best or d.score > best[key].score:
            best[key] = d
    by_cue: dict[tuple, Draft] = {}
    for d in sorted(best.values(), key=lambda d: d.start):
        first = by_cue.get(d.cue) if d.cue else None
        if first is not None and first.kind == d.kind == "direct":
            first.content = sorted(first.content + d.content)
        elif first is None or _weight(ctx, d) > _weight(ctx, first):
            by_cue[d.cue if d.cue else id(d)] = d
    ctx.drafts = sorted(by_cue.values(), key=lambda d: d.start)


def _weight(ctx: Context, d: Draft) -> tuple[bool, int]:
    """Whether the content holds a verb (a show's title does not), and its length in words."""
    words = [t for s, e in d.content for t in ctx.doc.char_span(s, e, alignment_mode="expand") or ()]
    return any(t.pos_ in ("VERB", "AUX") for t in words), len(words)
