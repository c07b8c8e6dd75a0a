"""Turn the working drafts into the public, typed Analysis."""

from __future__ import annotations

from ..model import Analysis, Span, Statement
from .context import Context


def to_analysis(ctx: Context, doc_id: str | None = None) -> Analysis:
    text = ctx.text
    drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
    ids = {id(d): f"s{i + 1}" for i, d in enumerate(drafts)}
    statements = [
        Statement(
            id=ids[id(d)],
            kind=d.kind,
            content=[Span.of(text, s, e) for s, e in d.content],
            source=Span.of(text, *d.source) if d.source else None,
            cue=Span.of(text, *d.cue) if d.cue else None,
            speaker=d.speaker,
            nested_in=ids.get(id(d.nested_in)) if d.nested_in is not None else None,
        )
        for d in drafts
    ]
    return Analysis(text=text, id=doc_id, published=ctx.published, statements=statements,
                    entities=list(ctx.entities))
