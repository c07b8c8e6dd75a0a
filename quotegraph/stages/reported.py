"""Reported speech: from each cue, find who (the source) and what (the content) in the parse.

"X said (that) ...", "X told Y that ...", "according to X, ...", "..., said X",
"X's assertion that ...", "X rejected the claim", "X, asked about ..., said ...".
"""

from __future__ import annotations

from spacy.tokens import Token

from .context import Context, Draft
from .cues import cue_model, cue_span

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "csubj", "attr", "oprd")
# Where a cue has no subject of its own it shares its governor's ("X disputed it, saying ...").
INHERITS_SUBJECT = ("conj", "advcl", "xcomp", "pcomp")
PUNCT_EDGE = set(" \n\t,;:.-\u2014\u2013")


def build_reported(ctx: Context) -> None:
    model = cue_model()
    for head, p in ctx.cues:
        start, end = cue_span(head, model)
        cue_chars = (ctx.doc[start].idx, ctx.doc[end - 1].idx + len(ctx.doc[end - 1]))
        content = content_span(head, start, end)
        if content is None:
            continue
        source_tok = source_head(head)
        source = mention_span(source_tok) if source_tok is not None else None
        c0, c1 = _strip(ctx.text, *content)
        if c1 <= c0:
            continue
        ctx.drafts.append(
            Draft(kind="indirect", content=[(c0, c1)], cue=cue_chars, source=source,
                  cue_token=head, source_token=source_tok, score=p)
        )


def source_head(cue: Token, depth: int = 0) -> Token | None:
    """The head word of whoever is speaking through this cue."""
    if cue.lower_ == "according":
        for prep in cue.children:
            objs = [c for c in prep.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
        return None
    for child in cue.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
    for child in cue.children:  # passive: "it was announced by the campaign"
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    if cue.pos_ in ("NOUN", "PROPN"):
        for child in cue.children:
            if child.dep_ == "poss":
                return child
        for child in cue.children:
            if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs and objs[0].pos_ in ("PROPN", "PRON", "NOUN"):
                    return objs[0]
        return None
    for child in cue.lefts:
        # "Peskov, asked about it, said": the parser often hangs the subject on the participle
        if child.dep_ == "advcl" and child.tag_ in ("VBN", "VBD") and _comma_before(cue):
            subject = next((c for c in child.children if c.dep_ == "nsubj"), None)
            if subject is not None and subject.i < child.i:
                return subject
    if cue.dep_ == "ccomp" and cue.head.i < cue.i and cue.head.tag_ in ("VBN", "VBD") and _comma_before(cue):
        # "The spokesman, asked if …, said:" parsed with "asked" as the main verb
        subject = next((c for c in cue.head.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            return subject
    if cue.dep_ == "acl" and cue.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return cue.head  # "Peskov, asked about it, said"; "a statement saying"
    if cue.dep_ in INHERITS_SUBJECT and depth < 3:
        return source_head(cue.head, depth + 1)
    return None


def _comma_before(tok: Token) -> bool:
    return tok.i > 0 and tok.nbor(-1).text == ","


def mention_span(head: Token) -> tuple[int, int]:
    """Characters of the mention headed by ``head``: its whole subtree, appositions and
    relative clauses included ("Victor Cha, who served as Asia director"), as annotators mark it,
    but never reaching into the cue's own clause."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i
    if head.head.i > head.i:
        end = min(end, head.head.i - 1)
    elif head.head.i < head.i:
        start = max(start, head.head.i + 1)
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space) and doc[end].text not in ")”":
        end -= 1
    s, e = doc[start].idx, doc[end].idx + len(doc[end])
    text = doc.text
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def content_span(cue: Token, cue_start: int, cue_end: int) -> tuple[int, int] | None:
    """Characters of what the cue reports, or None when the cue has no content."""
    doc = cue.doc
    if cue.lower_ == "according":
        governor = cue.head
        if governor == cue:
            return None
        return _subtree_minus(governor, cue)
    for dep in CONTENT_DEPS:
        for child in cue.children:
            if child.dep_ == dep and child.i >= cue_end or (child.dep_ == dep and child.dep_ == "ccomp"):
                return _subtree_chars(child)
    for child in cue.children:  # "called for X to Y": the object of the absorbed preposition
        if child.dep_ == "prep" and cue_start <= child.i < cue_end:
            objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                first = objs[0].left_edge.i
                last = max(t.i for t in child.subtree)
                return doc[first].idx, doc[last].idx + len(doc[last])
    if cue.pos_ in ("NOUN", "PROPN"):
        for child in cue.children:
            if child.dep_ in ("acl", "ccomp", "relcl") and child.i > cue.i:
                if child.dep_ == "relcl" and not any(g.dep_ == "mark" for g in child.children):
                    continue
                return _subtree_chars(child)
    if cue.dep_ in ("parataxis", "advcl", "ccomp") and cue.head.pos_ in ("VERB", "AUX") and cue.head.i < cue.i:
        return _subtree_minus(cue.head, cue)  # "The plan will fail, he said."
    return None


def _subtree_chars(tok: Token) -> tuple[int, int]:
    doc = tok.doc
    return doc[tok.left_edge.i].idx, doc[tok.right_edge.i].idx + len(doc[tok.right_edge.i])


def _subtree_minus(governor: Token, removed: Token) -> tuple[int, int] | None:
    """The governor's subtree with the removed child's subtree cut off at whichever side it sits."""
    doc = governor.doc
    lo, hi = governor.left_edge.i, governor.right_edge.i
    r_lo, r_hi = removed.left_edge.i, removed.right_edge.i
    if r_lo <= lo:
        lo = r_hi + 1
    elif r_hi >= hi:
        hi = r_lo - 1
    else:  # the cue sits inside: keep the longer side
        if r_lo - lo >= hi - r_hi:
            hi = r_lo - 1
        else:
            lo = r_hi + 1
    # the subject of the governor stays: "the plan, he said, will fail" keeps both sides
    while lo <= hi and doc[lo].is_punct:
        lo += 1
    while hi >= lo and doc[hi].is_punct and doc[hi].text not in "\u201d\"'\u2019":
        hi -= 1
    if hi < lo:
        return None
    return doc[lo].idx, doc[hi].idx + len(doc[hi])


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in PUNCT_EDGE:
        start += 1
    while end > start and text[end - 1] in PUNCT_EDGE:
        end -= 1
    return start, end
