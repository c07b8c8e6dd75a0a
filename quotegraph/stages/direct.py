"""Direct and mixed statements: tie each quotation to the statement it belongs to.

- a quotation that is the whole content of a reported statement makes it direct
  ("“There were no threats,” Mr Peskov said");
- a quotation inside reported content makes it mixed ("said that the account was untrue,
  “or, more precisely, it was a lie”"), and so does a scare quote ("the “extraordinary”
  conversation"), which never becomes a statement of its own;
- a quotation with a cue beside it in its sentence ("…,” said Mr Johnson) gets that cue;
- a quotation that opens a paragraph with no cue carries on the speaker of the statement
  before it (the quote-only paragraph).
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Context, Draft, sentence_of
from .cues import cue_model, cue_span, dense_features, is_candidate, token_features
from .quotes import Quotation
from .reported import source_head, mention_span

MIN_STATEMENT_WORDS = 3  # one- and two-word quotations are scare quotes or titles, not statements
# A word beside a quotation needs less evidence to be its cue than a word on its own.
NEAR_QUOTE_THRESHOLD = 0.15


def attribute_quotations(ctx: Context) -> None:
    for q in ctx.quotations:
        draft = _attach(ctx, q, _latest_before(ctx, q.start))
        for nested in q.nested:
            _attach_nested(ctx, q, nested, draft)


def _attach(ctx: Context, q: Quotation, previous: Draft | None) -> Draft | None:
    owner = _owner(ctx, q)
    if owner is not None:
        if _inside_quote(q, owner.start, owner.end) or _within(owner, q):
            owner.content = list(q.fragments)
            owner.kind = "direct"
            owner.quotation = q
            ctx.moved(owner)
        else:
            owner.kind = "mixed"
            lo = min(owner.start, q.start)
            hi = max(owner.end, q.end)
            if len(q.fragments) == 1:
                owner.content = [(lo, hi)]
                ctx.moved(owner)
        return owner
    governor = _governing_statement(ctx, q)
    if governor is not None:
        # "called Trump a “pathological liar”": the quotation completes the cue's content
        governor.content = [(min(governor.start, q.start), max(governor.end, q.end))]
        governor.kind = "mixed"
        ctx.moved(governor)
        return governor
    if q.words(ctx.text) < MIN_STATEMENT_WORDS:
        return None
    cue = _cue_beside(ctx, q)
    if cue is not None:
        return ctx.add_draft(_draft_from_cue(ctx, cue, q))
    signed = _signed_by_dash(ctx, q)
    if signed is not None:
        return ctx.add_draft(signed)
    if previous is not None and _continues(ctx, previous, q):
        # PolNeAR and most style guides: a quotation following on with no cue of its own is
        # more of the same statement ("“…,” she said. “More.”" or a quote-only paragraph)
        previous.content = sorted(previous.content + list(q.fragments))
        if previous.kind == "indirect":
            previous.kind = "mixed"
        ctx.moved(previous)
        return previous
    return None


# "“…” ― Sonya Herridge": a quotation signed with a dash and a name, as in reader panels.
_DASH_SIGNATURE = re.compile(r"[ \t]*([\u2015\u2014\u2013]|--)[ \t]*"
                             r"([A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3})")


def _signed_by_dash(ctx: Context, q: Quotation) -> Draft | None:
    m = _DASH_SIGNATURE.match(ctx.text, q.end)
    if m is None:
        return None
    name = ctx.doc.char_span(m.start(2), m.end(2), alignment_mode="expand")
    return Draft(kind="direct", content=list(q.fragments), cue=m.span(1), source=m.span(2),
                 source_token=name.root if name is not None else None, quotation=q)


def _continues(ctx: Context, previous: Draft, q: Quotation) -> bool:
    """The quotation opens a sentence in the paragraph of the previous statement or the next one."""
    text = ctx.text
    if previous.end > q.start:
        return False
    between = text[previous.end:q.start]
    if between.count("\n") and not _opens_paragraph(ctx, q):
        return False
    if len([p for p in between.split("\n") if p.strip()]) > 1:
        return False  # a whole paragraph of narration in between
    before = text[:q.start].rstrip()
    return not before or before[-1] in ".!?\u201d\"\n:" or _opens_paragraph(ctx, q)


def _governing_statement(ctx: Context, q: Quotation) -> Draft | None:
    """A reported statement whose cue governs the quotation in the parse, in the same sentence."""
    span = ctx.doc.char_span(q.start, q.end, alignment_mode="expand")
    if span is None or len(q.fragments) > 1:
        return None
    root = span.root
    for d in ctx.drafts_near(q.start, q.end):
        if d.cue_token is None or d.quotation is not None or _inside_quote(q, *d.cue):
            continue
        if sentence_of(d.cue_token).start != sentence_of(root).start or d.cue_token.i > span.start:
            continue
        if d.cue_token in root.ancestors and d.start < q.start:
            return d
    return None


def _owner(ctx: Context, q: Quotation) -> Draft | None:
    """The reported statement whose content overlaps the quotation and whose cue is outside it."""
    best = None
    for d in ctx.drafts_near(q.start, q.end):
        if d.quotation is not None or d.cue is None:
            continue
        if _inside_quote(q, *d.cue):
            continue  # a cue inside the quotation reports something nested in it
        if any(s < q.end and q.start < e for s, e in d.content):
            if best is None or (d.end - d.start) < (best.end - best.start):
                best = d
    return best


def _within(d: Draft, q: Quotation) -> bool:
    """The draft's content is the quotation's words give or take its marks and punctuation."""
    s, e = d.start, d.end
    return s >= q.start - 2 and e <= q.end + 2


def _inside_quote(q: Quotation, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in q.fragments)


def _cue_beside(ctx: Context, q: Quotation, lo: int | None = None, hi: int | None = None) -> Token | None:
    """The likeliest cue in the sentences where the quotation starts and ends, outside it."""
    doc = ctx.doc
    first = doc.char_span(q.start, q.start + 1, alignment_mode="expand")
    last = doc.char_span(q.end - 1, q.end, alignment_mode="expand")
    if first is None or last is None:
        return None
    sentences = {sentence_of(t).start: sentence_of(t) for t in (first[0], last[0])}
    model = cue_model()
    best: tuple[float, Token] | None = None
    for sent in sentences.values():
        for tok in sent:
            if any(s <= tok.idx < e for s, e in q.fragments) or not is_candidate(tok):
                continue
            if lo is not None and not (lo <= tok.idx < hi):
                continue
            p = model.score(token_features(tok, False, True), dense_features(tok))
            if p < NEAR_QUOTE_THRESHOLD:
                continue
            distance = min(abs(tok.idx - q.start), abs(tok.idx - q.end))
            score = p - distance / 1000
            if best is None or score > best[0]:
                best = (score, tok)
    return best[1] if best else None


def _draft_from_cue(ctx: Context, cue: Token, q: Quotation) -> Draft:
    start, end = cue_span(cue, cue_model())
    doc = ctx.doc
    src = source_head(cue)
    return Draft(
        kind="direct",
        content=list(q.fragments),
        cue=(doc[start].idx, doc[end - 1].idx + len(doc[end - 1])),
        source=mention_span(src) if src is not None else None,
        cue_token=cue,
        source_token=src,
        quotation=q,
    )


def _opens_paragraph(ctx: Context, q: Quotation) -> bool:
    line_start = ctx.text.rfind("\n", 0, q.start) + 1
    return not ctx.text[line_start:q.start].strip()


def _latest_before(ctx: Context, offset: int) -> Draft | None:
    """The statement that ends last before ``offset`` (one starting inside a quotation there
    belongs to that quotation and does not count)."""
    before = [d for d in ctx.drafts_near(offset, offset + 1, paragraphs_before=2) if d.end <= offset]
    return max(before, key=lambda d: d.start) if before else None


def _attach_nested(ctx: Context, outer: Quotation, nested: Quotation, outer_draft: Draft | None) -> None:
    """A quotation inside a quotation: the outer speaker quoting someone else."""
    for d in ctx.drafts_near(outer.start, outer.end):
        if d.cue is not None and _inside_quote(outer, *d.cue) and any(
            s < nested.end and nested.start < e for s, e in d.content
        ):
            d.content = list(nested.fragments)
            d.kind = "direct"
            d.quotation = nested
            return
    if nested.words(ctx.text) < MIN_STATEMENT_WORDS:
        return
    cue = _cue_beside(ctx, nested, outer.start, outer.end)
    if cue is not None:  # without a cue a quotation in a quotation is a title or a scare quote
        ctx.add_draft(_draft_from_cue(ctx, cue, nested))
