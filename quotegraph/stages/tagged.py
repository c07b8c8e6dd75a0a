"""What the attribution tagger (tagger.py) changes in the rules' choices, in the accurate mode.

The tagger marks, word by word, how likely each is inside a source, a cue or a content. The rules keep
the structure; the tagger's probabilities are consulted where the rules are weakest
(the error analysis in docs/model-card.md):

- cues the cue model scores below its threshold: a run of words the tagger is sure is a cue adds
  its head word ("is seizing on", rare verbs of the long tail); a cue the model accepts without
  conviction goes when the tagger sees no cue there;
- the words of a cue: the run of words around its head that the tagger holds inside a cue ("said in
  a phone interview", "plans to"), where the parse's guess and the annotators' often differ;
- the end of a content that the small parser attached elsewhere: carried on over the words that
  follow while the tagger holds them inside a content, within the sentence; its opening words that
  the tagger holds outside it, left out;
- a cue whose content the parse does not give: the tagger's content next to the cue; whose source it
  does not give, or gives where the tagger sees no source at all: the tagger's source nearest it in
  the sentence.

And where the rules found nothing, a content the tagger is sure of becomes a statement of its own
(tagged_statements.py).

Every threshold was chosen on PolNeAR dev (docs/model-card.md has the table).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Doc, Token

from ..tagger import CONTENT, CUE, SOURCE, probabilities
from .context import sentence_of

ADD_CUE = 0.8  # the tagger's probability of a run of cue words that adds a cue the model missed
DROP_CUE = 0.2  # below this, a cue the model accepted with less than KEEP_CUE goes
KEEP_CUE = 0.9
IN_CUE = 0.5  # a word next to a cue's head this likely inside a cue is part of it
CUE_TAIL = 0.4  # … or, after the head, this likely
EXTEND_CONTENT = 0.5  # a word after a content's end this likely inside a content carries it on
OUT_OF_CONTENT = 0.3  # a content's first words this unlikely inside it are left out (at most SKIP_WORDS) …
SURE_START = 0.6  # … when the word after them is this likely inside
SKIP_WORDS = 8
NEAR_CONTENT = 3  # words between a cue and the tagger's content that stands in for the parse's
IN_CONTENT = 0.5  # a word this likely inside a content belongs to the tagger's content
IN_SOURCE = 0.5  # a word this likely inside a source belongs to the tagger's source
DOUBT_SOURCE = 0.2  # the parse's source goes for the tagger's when no word of it is this likely a source


def tagged(doc: Doc) -> np.ndarray | None:
    """The tagger's probabilities for this Doc (tokens × roles); None in the fast mode."""
    return probabilities(doc)


def second_opinion(doc: Doc, found: list[tuple[Token, float]], is_candidate, unmistakable) -> list[tuple[Token, float]]:
    """The model's cues, less those the tagger doubts, plus the head word of each run of words the
    tagger is sure is a cue and that holds none of them."""
    p = tagged(doc)
    if p is None:
        return found
    cue = p[:, CUE]
    kept = [(tok, score) for tok, score in found
            if score >= KEEP_CUE or cue[tok.i] >= DROP_CUE or unmistakable(tok)]
    have = {tok.i for tok, _ in kept}
    for first, last in runs(cue, 0, len(doc), ADD_CUE):
        if have.intersection(range(first, last + 1)):
            continue
        head = head_word(doc, first, last)
        if is_candidate(head):
            kept.append((head, float(cue[head.i])))
            have.add(head.i)
    return sorted(kept, key=lambda found_cue: found_cue[0].i)


def runs(values: np.ndarray, start: int, end: int, threshold: float) -> list[tuple[int, int]]:
    """Maximal runs [first, last] of token indices in [start, end) whose value is at least ``threshold``."""
    out, first = [], None
    for i in range(start, end):
        if values[i] >= threshold:
            first = i if first is None else first
        elif first is not None:
            out.append((first, i - 1))
            first = None
    if first is not None:
        out.append((first, end - 1))
    return out


def head_word(doc: Doc, first: int, last: int) -> Token:
    """The word of [first, last] whose syntactic head lies outside it (the first, failing that)."""
    words = range(first, last + 1)
    return next((doc[i] for i in words if doc[i].head.i not in words or doc[i].head.i == i), doc[first])


def nearest_run(found: list[tuple[int, int]], start: int, end: int) -> tuple[tuple[int, int] | None, int]:
    """The run nearest the token range [start, end) that does not overlap it, and how many words
    lie between them."""
    best, gap = None, None
    for first, last in found:
        if start <= last and first < end:
            continue
        distance = first - end if first >= end else start - last
        if gap is None or distance < gap:
            best, gap = (first, last), distance
    return best, gap


def cue_words(head: Token, start: int, end: int) -> tuple[int, int]:
    """Token range [start, end) of the cue headed by ``head``: the tagger's run of cue words around the
    head, within its sentence and not into the head's subject, joined with the parse's range (given); the
    parse's range alone where the tagger does not hold the head a cue. The run reaches right over words
    a little less likely (CUE_TAIL): the tagger is least sure of a cue's closing words ("plans | to")."""
    p = tagged(head.doc)
    if p is None or p[head.i, CUE] < IN_CUE:
        return start, end
    sentence = sentence_of(head)
    first = last = head.i
    doc = head.doc
    while first - 1 >= sentence.start and p[first - 1, CUE] >= IN_CUE and not _in_subject(doc[first - 1], head):
        first -= 1
    while last + 1 < sentence.end and p[last + 1, CUE] >= CUE_TAIL:
        last += 1
    while doc[first].is_punct:  # "said:" — a run ends on a word
        first += 1
    while doc[last].is_punct:
        last -= 1
    return min(first, start), max(last + 1, end)


def _in_subject(tok: Token, head: Token) -> bool:
    """Whether ``tok`` is a word of the subject of ``head`` ("the brief | said", "they all | suggested"):
    the tagger's run of cue words reaches into it at times, annotators hardly ever."""
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.left_edge.i <= tok.i <= c.right_edge.i for c in head.children)


def extend_end(doc: Doc, last: int, cue_start: int, cue_end: int) -> int:
    """The last token of a content ending at ``last``, carried on while the tagger holds the next word
    inside a content (not into the cue, not past the sentence)."""
    p = tagged(doc)
    if p is None:
        return last
    end = sentence_of(doc[last]).end
    while last + 1 < end and p[last + 1, CONTENT] >= EXTEND_CONTENT and not cue_start <= last + 1 < cue_end:
        last += 1
    return last


def later_start(doc: Doc, first: int, last: int) -> int:
    """The first token of the content [first, last], moved past the opening words the tagger holds
    outside it ("As for complexity, | broadening the base …", "a proposal for | increased cooperation")."""
    p = tagged(doc)
    if p is None:
        return first
    start = first
    while start < last and p[start, CONTENT] < OUT_OF_CONTENT and start - first < SKIP_WORDS:
        start += 1
    return start if p[start, CONTENT] >= SURE_START else first


def content_near(cue: Token, cue_start: int, cue_end: int) -> tuple[int, int] | None:
    """Token range [first, last] of the tagger's content nearest the cue in its sentence, when it lies
    within NEAR_CONTENT words of it."""
    p = tagged(cue.doc)
    if p is None:
        return None
    sentence = sentence_of(cue)
    best, gap = nearest_run(runs(p[:, CONTENT], sentence.start, sentence.end, IN_CONTENT), cue_start, cue_end)
    return best if best is not None and gap <= NEAR_CONTENT else None


def source_near(cue: Token, cue_start: int, cue_end: int) -> Token | None:
    """The head word of the tagger's source nearest the cue in its sentence, for a cue whose speaker
    the parse does not give (a cue the model did not expect often has no subject in the parse)."""
    doc = cue.doc
    p = tagged(doc)
    if p is None:
        return None
    sentence = sentence_of(cue)
    best, _ = nearest_run(runs(p[:, SOURCE], sentence.start, sentence.end, IN_SOURCE), cue_start, cue_end)
    return head_word(doc, *best) if best is not None else None


def second_source(source: Token, cue: Token, cue_start: int, cue_end: int) -> Token:
    """The parse's source, unless the tagger holds none of its words a source (DOUBT_SOURCE) and sees
    a source elsewhere in the sentence: then that one ("BRUSSELS - European leaders" parsed as the
    object of an earlier verb, a subject that is a clause's)."""
    p = tagged(cue.doc)
    if p is None or p[source.left_edge.i:source.right_edge.i + 1, SOURCE].max() >= DOUBT_SOURCE:
        return source
    return source_near(cue, cue_start, cue_end) or source
