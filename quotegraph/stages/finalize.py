"""Turn the working drafts into the public, typed Analysis."""

from __future__ import annotations

from ..model import Analysis, Relation, Span, Statement, TimeExpression
from .context import Context


def to_analysis(ctx: Context, doc_id: str | None = None) -> Analysis:
    text = ctx.text
    drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
    ids = {id(d): f"s{i + 1}" for i, d in enumerate(drafts)}
    time_ids = {id(t): f"t{i + 1}" for i, t in enumerate(ctx.times)}
    statements = [
        Statement(
            id=ids[id(d)],
            kind=d.kind,
            content=[Span.of(text, s, e) for s, e in d.content],
            source=Span.of(text, *d.source) if d.source else None,
            cue=Span.of(text, *d.cue) if d.cue else None,
            speaker=d.speaker,
            nested_in=ids.get(id(d.nested_in)) if d.nested_in is not None else None,
            said_on=d.said_on.value if d.said_on is not None else None,
            times=[time_ids[id(t)] for t in d.times],
        )
        for d in drafts
    ]
    relations = [
        Relation(type=r.type, from_=ids[id(r.source)], to=ids.get(id(r.target)) if r.target is not None else None,
                 evidence=Span.of(text, *r.evidence), score=r.score)
        for r in ctx.relations if id(r.source) in ids
    ]
    times = [
        TimeExpression(id=time_ids[id(t)], start=t.start, end=t.end, text=t.text, value=t.value,
                       statement=ids.get(id(t.statement)) if t.statement is not None else None)
        for t in ctx.times
    ]
    return Analysis(text=text, id=doc_id, published=ctx.published, statements=statements,
                    entities=list(ctx.entities), relations=relations, times=times)
