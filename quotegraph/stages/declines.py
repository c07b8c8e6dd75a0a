"""Refusals to comment: "X declined to comment", "X did not respond to requests for comment",
"X wouldn't say whether …", "X isn't saying what …", "he cannot comment on the letter".

Two jobs. ``add_declines`` makes a statement of each refusal that the reported-speech stage did
not already find, cut as annotators cut it: the refusing words are the cue ("declined", "did not
immediately respond", "wouldn't say"), what was not said is the content ("to comment", "to
requests for comment", "whether the deal required cooperation"). ``declines`` then tells whether a
statement is a refusal, from its cue or its content ("he said he cannot comment on the letter").

Refusing to act ("refused to leave", "declined the invitation") is not refusing to comment.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Context, Draft
from .reported import mention_span, source_head, strip_edges


def _forms(*bases: str) -> frozenset[str]:
    """Inflected forms of regular verbs ("respond" -> responds, responded, responding)."""
    out = set()
    for b in bases:
        stem = b[:-1] if b.endswith("e") else b
        out.update({b, b + "s", stem + "ed", stem + "ing"})
    return frozenset(out)


# Verbs of refusing, with an infinitive of speech: "declined to comment", "refused to say".
REFUSING = _forms("decline", "refuse")
# Verbs of speaking, negated: "did not respond", "wouldn't say", "isn't detailing", "hasn't commented".
SPEAKING = _forms("comment", "respond", "answer", "discuss", "elaborate", "explain", "detail", "specify",
                  "speculate", "talk") | {"say", "says", "said", "saying", "speak", "speaks", "spoke", "speaking",
                                          "reply", "replies", "replied", "replying"}
# What a refusal refuses to do when it refuses to comment ("declined to address the report").
# Speech acts count too: refusing to pledge or to declare is refusing to say.
COMMENTING = SPEAKING | _forms("address", "provide", "confirm", "be", "pledge", "declare", "promise", "commit",
                               "rule", "endorse") | {"go", "get", "tell"}
# "did not respond to requests for comment": here the preposition opens the content instead
RESPONDING = _forms("respond", "return") | {"reply", "replies", "replied", "replying"}
NEGATIONS = {"not", "n't", "n’t", "never", "no"}
# The right-hand complement that says what went unsaid.
COMPLEMENT_DEPS = ("xcomp", "ccomp", "dobj", "prep", "advcl", "npadvmod")
CUE_LEFT_DEPS = ("aux", "auxpass", "neg", "advmod")

# A refusal in a statement's words (cue or content), whoever's report it is.
DECLINES = re.compile(
    r"\b((declined|refused|declining|refusing|declines|refuses|decline|refuse)\s+(at first\s+)?(to\s+(directly\s+)?"
    r"(comment|be drawn|elaborate|discuss|say|speculate|respond|answer|give details|be interviewed|address|"
    r"provide|specify|confirm|talk|speak))|"
    r"(would|will|could|did|does|do|is|are|was|were)\s*(not|n[’']t)\s+(yet\s+)?(immediately\s+)?"
    r"(be drawn|comment|discuss|elaborate|speculate|confirm or deny|say|saying|detail|detailing|"
    r"specify|explain|answer(?! to))|"
    r"(won|wouldn|couldn|isn|aren|didn|doesn|don|hasn|haven)[’']t\s+(yet\s+)?(immediately\s+)?"
    r"(be drawn|comment\w*|discuss|elaborate|speculate|say|saying|detail\w*|specify|explain|answer(?! to))|"
    r"(did not|didn[’']t|has not|hasn[’']t|have not|haven[’']t|had not|hadn[’']t)\s+(yet\s+)?(immediately\s+)?"
    r"(respond|reply|return)\w*|"
    r"(could not|couldn[’']t|cannot|can[’']t) (be )?(immediately )?(reached|contacted)( for comment)?|"
    r"no comment|chose not to respond|choosing not to respond|"
    r"(can(not|[’']t| not)|couldn[’']t|could not)\s+((get|go)\s+into|comment|discuss|speculate|explain)|"
    r"(not (going|able|in a position|prepared|ready) to (comment|get into|go into|discuss|speculate|say|talk))|"
    r"too early to (discuss|say|comment|speculate)|improper[”\"']? for \w+ to (speak|comment)|"
    r"(kept|remained|stayed) (\w+ )?mum)",
    re.IGNORECASE)


def add_declines(ctx: Context) -> None:
    """A statement for every refusal to comment that no statement holds yet."""
    taken = {id(d.cue_token) for d in ctx.drafts if d.cue_token is not None}
    for d in ctx.drafts:  # "refuses to discuss appointees, aside from saying …": cut where annotators cut
        if d.cue_token is not None and len(d.content) == 1 and _refusal(d.cue_token):
            _trim_adjunct(ctx, d)
    for tok in ctx.doc:
        if id(tok) in taken or not _refusal(tok):
            continue
        draft = _refusal_draft(ctx, tok)
        if draft is not None and not _already_held(ctx, draft):
            ctx.add_draft(draft)
    for m in DECLINES.finditer(ctx.text):  # what the parse missed: "could not be reached for comment"
        if not any(d.covers(*m.span()) or (d.cue and d.cue[0] <= m.start() < d.cue[1])
                   for d in ctx.drafts_near(m.start(), m.end())):
            _add_matched(ctx, m)


def declines(ctx: Context, d: Draft) -> tuple[int, int] | None:
    """The words by which ``d`` refuses to comment, or None."""
    if d.cue_token is not None and _refusal(d.cue_token) and _refuses_speech(d.cue_token):
        return d.cue
    places = list(d.content)
    if d.cue:
        places.append((min(d.cue[0], d.start), max(d.cue[1], d.end)))
    for s, e in places:
        m = DECLINES.search(ctx.text, s, e)
        if m is not None and _said_by_someone(ctx, m):
            return m.span()
    return None


def _said_by_someone(ctx: Context, m: re.Match) -> bool:
    """"It also does not answer whether …" (a video) or "the ones he refused to answer" (a relative
    clause about the past) is no refusal made here."""
    span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
    if span is None:
        return False
    verb = span.root
    if verb.dep_ == "relcl":
        return False
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return True
    if subject.lower_ == "it":  # "it would not be drawn" (a government) but "it does not answer" (a video)
        return not m.group(0).lower().startswith(("does", "do "))
    return subject.lower_ not in ("this", "that", "which")


def _refusal(tok: Token) -> bool:
    """"declined (to …)", "refused (to …)", or a negated speech verb ("did not say")."""
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    word = tok.lower_
    if word in REFUSING:
        return any(c.dep_ == "xcomp" for c in tok.children)
    # the negation stands before the verb: "did not say"; not "said: '… Probably not'"
    return word in SPEAKING and any((c.dep_ == "neg" or c.lower_ in NEGATIONS) and _just_before(c, tok)
                                    for c in tok.children)


def _just_before(neg: Token, verb: Token) -> bool:
    """"did not immediately say": only auxiliaries and adverbs stand between the negation and the verb."""
    between = verb.doc[neg.i + 1:verb.i]
    return neg.i < verb.i and len(between) <= 2 and all(t.dep_ in CUE_LEFT_DEPS for t in between)


def _refuses_speech(tok: Token) -> bool:
    if tok.lower_ not in REFUSING:
        return True
    xcomp = next((c for c in tok.children if c.dep_ == "xcomp"), None)
    # "declined to threaten Moscow or even declare it responsible": any of the coordinated verbs
    return xcomp is not None and any(v.lower_ in COMMENTING for v in [xcomp, *xcomp.conjuncts])


def _refusal_draft(ctx: Context, verb: Token) -> Draft | None:
    if verb.lower_ in REFUSING and not _refuses_speech(verb):
        return None  # "refused to leave": refusing to act
    subject = source_head(verb)
    if subject is None or subject.lower_ in ("it", "that", "this"):
        return None
    complement = [c for c in verb.rights if c.dep_ in COMPLEMENT_DEPS]
    cue_end = verb
    if complement and complement[0].dep_ == "prep" and any(g.dep_ in ("pobj", "pcomp") for g in complement[0].children):
        # "has not commented on the reason": the preposition belongs to the cue
        if verb.lower_ not in RESPONDING:
            cue_end = complement[0]
    cue_first = _cue_start(verb)
    cue = (cue_first.idx, cue_end.idx + len(cue_end))
    if complement:
        first = complement[0] if cue_end is verb else \
            next(g for g in complement[0].children if g.dep_ in ("pobj", "pcomp"))
        last = _before_adjunct(first, complement[-1].right_edge)
        while last.i > first.i and (last.is_punct or last.is_space):
            last = last.doc[last.i - 1]
        content = (first.left_edge.idx, last.idx + len(last))
        if content[0] < cue[1]:
            content = (cue[1] + 1, content[1])
    else:
        content = cue
    if content[1] <= content[0]:
        return None
    content = strip_edges(ctx.text, *content)
    return Draft(kind="indirect", content=[content], cue=cue, source=mention_span(subject),
                 cue_token=verb, source_token=subject)


ADJUNCT_STARTS = {"with", "aside", "except", "other", "apart", "despite", "although", "though", "but"}


def _before_adjunct(first: Token, last: Token) -> Token:
    """Where the content stops before ", with one notable exception", ", aside from saying …":
    annotators leave such trailing adjuncts out of what went unsaid."""
    doc = first.doc
    for i in range(first.i + 1, last.i):
        if doc[i].text == "," and doc[i + 1].lower_ in ADJUNCT_STARTS:
            return doc[i - 1]
    return last


def _trim_adjunct(ctx: Context, d: Draft) -> None:
    span = ctx.doc.char_span(*d.content[0], alignment_mode="expand")
    if span is None or len(span) < 3:
        return
    last = _before_adjunct(span[0], span[-1])
    if last.i < span[-1].i:
        d.content = [strip_edges(ctx.text, d.start, last.idx + len(last))]


def _cue_start(verb: Token) -> Token:
    """The first of the auxiliaries, negation and adverbs just before the verb ("did not immediately")."""
    first = verb
    for child in reversed([c for c in verb.lefts]):
        if child.dep_ in CUE_LEFT_DEPS and child.i == first.i - 1:
            first = child
        else:
            break
    return first


def _already_held(ctx: Context, draft: Draft) -> bool:
    return any(d.covers(*draft.content[0]) or (d.cue and d.cue[0] <= draft.cue[0] < d.cue[1])
               for d in ctx.drafts_near(draft.start, draft.end))


def _add_matched(ctx: Context, m: re.Match) -> None:
    """A refusal found by its words alone: the statement runs to the end of its verb phrase."""
    span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
    if span is None:
        return
    verb = span.root
    subject = source_head(verb)
    if subject is None:
        return
    last = verb.right_edge
    while last.i > verb.i and last.is_punct:
        last = last.doc[last.i - 1]
    content = (m.start(), max(m.end(), last.idx + len(last)))
    ctx.add_draft(Draft(kind="indirect", content=[content], cue=m.span(), source=mention_span(subject),
                        cue_token=verb, source_token=subject))
