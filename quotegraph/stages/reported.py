"""Reported speech: from each cue, find who (the source) and what (the content) in the parse.

"X said (that) ...", "X told Y that ...", "according to X, ...", "..., said X",
"X's assertion that ...", "X rejected the claim", "X, asked about ..., said ...".
"""

from __future__ import annotations

from spacy.tokens import Token

from . import tagged
from .context import Context, Draft, text_of
from .cues import cue_model, cue_span
from .mentions import CALENDAR

COMPLEMENT_DEPS = ("xcomp", "dobj", "oprd", "attr", "acomp")
# Prepositions that complete a cue's object ("slammed X for Y", "described X as Y", "accused X of Y").
COMPLEMENT_PREPS = {"for", "as", "of", "against", "over"}
# Prepositions whose object can be what was said ("described as | …", "warned about | …").
CONTENT_PREPS = COMPLEMENT_PREPS | {"about", "to", "by", "into", "on", "with"}
# Prepositions right after a verb that name what it is about or whom it is addressed to, when that is
# not the content: not part of the cue ("said of | the plan", "said to | reporters").
ASIDE_PREPS = {"of", "to"}
MOST_BEFORE_PREP = 4  # words between a cue and such a preposition, the preposition included
# Where a cue has no subject of its own it shares its governor's ("X disputed it, saying ...").
INHERITS_SUBJECT = ("conj", "advcl", "xcomp", "pcomp")
IMPERSONAL_VERBS = {"appears", "appeared", "seems", "seemed", "is", "was", "remains", "remained", "looks", "looked"}
DASHES = {"-", "--", "\u2013", "\u2014", "\u2015"}
PUNCT_EDGE = set(" \n\t,;:.-\u2014\u2013")


def build_reported(ctx: Context) -> None:
    model = cue_model()
    for head, p in ctx.cues:
        start, end = tagged.cue_words(head, *cue_span(head, model))
        content = [strip_edges(ctx.text, s, e) for s, e in content_span(head, start, end)]
        content = [(s, e) for s, e in content if e > s]
        if not content:
            continue
        end = cue_through_preposition(head, cue_end_before(head, end, content), content)
        cue_chars = (ctx.doc[start].idx, ctx.doc[end - 1].idx + len(ctx.doc[end - 1]))
        source_tok = source_head(head)
        if source_tok is None:
            source_tok = tagged.source_near(head, start, end)
        elif not ctx.quote_index.inside(head.idx) and source_tok.dep_ != "poss":
            # the tagger learned from annotators who mark almost nothing inside quotations, and
            # misses possessive sources: its doubt counts only outside both
            source_tok = tagged.second_source(source_tok, head, start, end)
        source = mention_span(source_tok) if source_tok is not None else None
        ctx.drafts.append(
            Draft(kind="indirect", content=content, cue=cue_chars, source=source,
                  cue_token=head, source_token=source_tok, score=p)
        )


def cue_end_before(head: Token, end: int, content: list[tuple[int, int]]) -> int:
    """The cue's end, moved back so that it stops before a content that starts after its head: the
    tagger's run of cue words sometimes reaches into the content ("offered no | proof that …")."""
    doc = head.doc
    for start, _ in content:
        while end - 1 > head.i and start > head.idx and doc[end - 1].idx + len(doc[end - 1]) > start:
            end -= 1
    return end


def cue_through_preposition(head: Token, end: int, content: list[tuple[int, int]]) -> int:
    """The cue's end, moved to take in the preposition whose object is the content, with the few words
    before it ("described as | an intentional act", "accused Holt of | …", "likened the rules to | …");
    or to leave out a preposition of ASIDE_PREPS right after a verb, whose object is not the content."""
    doc = head.doc
    after = [start for start, _ in content if start > head.idx]
    stop = end
    while after and stop < len(doc) and stop - end < MOST_BEFORE_PREP and doc[stop].idx + len(doc[stop]) <= after[0]:
        stop += 1
    words = doc[end:stop]
    if len(words) and words[-1].lower_ in CONTENT_PREPS and head.i <= words[-1].head.i < stop \
            and (stop == len(doc) or doc[stop].idx == after[0]) and not any(t.is_punct for t in words):
        return stop
    last = doc[end - 1]
    if end - 1 == head.i + 1 and head.pos_ == "VERB" and head.lower_ != "according" and last.lower_ in ASIDE_PREPS \
            and last.head.i == head.i and not any(s <= obj.idx < e for obj in last.children for s, e in content):
        return end - 1
    return end


def source_head(cue: Token, depth: int = 0) -> Token | None:
    """The head word of whoever is speaking through this cue."""
    if cue.lower_ == "according":
        for prep in cue.children:
            objs = [c for c in prep.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
        return None
    for child in cue.children:
        if child.dep_ == "expl" or (child.dep_ == "nsubj" and _dummy_it(child, cue)):
            return None  # "it appeared that …", "it is unclear whether …": nobody is speaking
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
        if child.dep_ in ("advcl", "ccomp") and child.tag_ in ("VBN", "VBD") and _comma_before(cue):
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


def _dummy_it(subject: Token, cue: Token) -> bool:
    return subject.lower_ == "it" and (cue.pos_ in ("ADJ", "AUX") or cue.lower_ in IMPERSONAL_VERBS) \
        and any(c.dep_ in ("ccomp", "csubj", "xcomp", "acomp") for c in cue.children)


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
    for i in range(start, head.i):  # a dateline's or a headline's words before a dash: "BRUSSELS - European leaders"
        if doc[i].text in DASHES and doc[i].whitespace_:
            start = i + 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space) and doc[end].text not in ")”":
        end -= 1
    s, e = doc[start].idx, doc[end].idx + len(doc[end])
    text = text_of(doc)
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def content_span(cue: Token, cue_start: int, cue_end: int) -> list[tuple[int, int]]:
    """Character fragments of what the cue reports; empty when the cue has no content. In the accurate
    mode the tagger carries a content's end on and stands in where the parse gives none (tagged.py)."""
    fragments = parsed_content(cue, cue_start, cue_end)
    if tagged.tagged(cue.doc) is None:
        return fragments
    doc = cue.doc
    if not fragments:
        near = tagged.content_near(cue, cue_start, cue_end)
        return [_chars(near[0], near[1], doc)] if near else []
    out = []
    for start, end in fragments:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            out.append((start, end))
            continue
        first = tagged.later_start(doc, span.start, span.end - 1)
        last = tagged.extend_end(doc, span.end - 1, cue_start, cue_end)
        out.append((doc[first].idx if first > span.start else start, doc[last].idx + len(doc[last])))
    return out


def parsed_content(cue: Token, cue_start: int, cue_end: int) -> list[tuple[int, int]]:
    """What the cue reports, as the parse gives it."""
    doc = cue.doc
    if cue.lower_ == "according":
        governor = cue.head
        return _subtree_minus(governor, cue) if governor != cue else []
    clauses = [c for c in cue.children if c.dep_ in ("ccomp", "csubj") and c.i not in range(cue_start, cue_end)]
    if clauses:
        # "said (that) …": the reported clause alone, not the hearer ("told reporters that …")
        after = [c for c in clauses if c.i > cue.i]
        clause = after[0] if after else clauses[-1]
        return [_subtree_chars(clause)]
    complements = [c for c in cue.rights if c.i >= cue_end and c.dep_ in COMPLEMENT_DEPS]
    if complements:
        # "slammed Kaine for his work", "described the showdown as ominous", "urged nations to act"
        complements += [c for c in cue.rights if c.i > complements[0].i and c.dep_ == "prep"
                        and c.lower_ in COMPLEMENT_PREPS]
        return [_chars(min(c.left_edge.i for c in complements), max(c.right_edge.i for c in complements), doc)]
    for child in cue.children:  # "called for X to Y": the object of the absorbed preposition
        if child.dep_ == "prep" and cue_start <= child.i < cue_end:
            objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                return [_chars(objs[0].left_edge.i, max(t.i for t in child.subtree), doc)]
    if cue.pos_ in ("NOUN", "PROPN"):
        for child in cue.children:
            if child.dep_ in ("acl", "ccomp", "relcl") and child.i > cue.i:
                if child.dep_ == "relcl" and not any(g.dep_ == "mark" for g in child.children):
                    continue
                return [_subtree_chars(child)]
    if cue.dep_ in ("parataxis", "advcl", "ccomp") and cue.head.pos_ in ("VERB", "AUX") and cue.head.i < cue.i:
        return _subtree_minus(cue.head, cue)  # "The plan will fail, he said."
    if _parenthetical(cue):
        return _subtree_minus(cue.head, cue)  # "But to prevent problems, he said, officials should …"
    subject = next((c for c in cue.children if c.dep_ == "nsubjpass"), None)
    if subject is not None and any(c.dep_ == "agent" for c in cue.children):
        return [_subtree_chars(subject)]  # "The discussions are supported by a coalition": what was said
    topic = _topic(cue, cue_end)
    if topic is not None:
        return [_subtree_chars(topic)]  # "apologized for his past statements", "called for more investment"
    return []


# Prepositions whose object is what a cue is about ("apologized for X", "knows about X"); "on", "against",
# "over" and "by" were tried too: a little more content, but cues no better on train and worse on dev.
TOPIC_PREPS = {"for", "about"}


def _topic(cue: Token, cue_end: int) -> Token | None:
    """The object of a preposition right after the cue, when the cue reports nothing else; not a time
    ("said on Monday")."""
    if cue.pos_ != "VERB":
        return None
    prep = next((c for c in cue.rights if c.dep_ == "prep"), None)
    if prep is None or prep.i != cue_end or prep.lower_ not in TOPIC_PREPS:
        return None
    obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
    if obj is None or obj.lower_ in CALENDAR or obj.like_num:
        return None
    return obj


def _parenthetical(cue: Token) -> bool:
    """A cue set into the clause it reports, before that clause's verb: "Climate change, Mr. Obama often
    says, is the greatest threat", "As Mr. Bown observed, the products …" (not "after he admitted …")."""
    if cue.head.i < cue.i or cue.head.pos_ not in ("VERB", "AUX"):
        return False
    if cue.dep_ == "parataxis":
        return True
    return cue.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children)


def _chars(first: int, last: int, doc) -> tuple[int, int]:
    last = _before_according_to(first, last, doc)
    return doc[first].idx, doc[last].idx + len(doc[last])


def _before_according_to(first: int, last: int, doc) -> int:
    """"… go up by 19.9 percent, according to the Tax Foundation, …": the second source's
    phrase and what follows it are not the first statement's content."""
    for k in range(first + 1, last):
        if doc[k].text == "," and doc[k + 1].lower_ == "according":
            return k - 1
    return last


def _subtree_chars(tok: Token) -> tuple[int, int]:
    return _chars(tok.left_edge.i, tok.right_edge.i, tok.doc)


def _subtree_minus(governor: Token, removed: Token) -> list[tuple[int, int]]:
    """The governor's subtree without the removed child's: one fragment, or two when the
    cue interrupts the content ("The plan, he said, will fail")."""
    doc = governor.doc
    lo, hi = governor.left_edge.i, governor.right_edge.i
    r_lo, r_hi = removed.left_edge.i, removed.right_edge.i
    sides = [(lo, r_lo - 1), (r_hi + 1, hi)]
    fragments = []
    for a, b in sides:
        while a <= b and (doc[a].is_punct or doc[a].is_space) and doc[a].text not in "\u201c\"'\u2018":
            a += 1
        while b >= a and (doc[b].is_punct or doc[b].is_space) and doc[b].text not in "\u201d\"'\u2019":
            b -= 1
        if b >= a and any(not t.is_punct for t in doc[a:b + 1]):
            fragments.append(_chars(a, b, doc))
    return fragments


def strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space and punctuation at its ends."""
    while start < end and text[start] in PUNCT_EDGE:
        start += 1
    while end > start and text[end - 1] in PUNCT_EDGE:
        end -= 1
    return start, end
