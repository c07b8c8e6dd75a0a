"""Explicit relations between statements: who disputes, supports or offers another version of whose
claim, and who declines to comment.

Precision first: every relation needs explicit evidence in the text.
- A denial verb ("rejected", "denied", "dismissed") disputes when it takes a clause or a claim
  ("denied that …", "rejected Johnson's assertion that …", "disputed the claim"). Its target is the
  claim reported inside it, the named person's claim ("Mr Johnson's comments"), or "the claim" just
  made; else ``to`` is None. "denied entry" is no dispute.
- Falsity words dispute only when said of someone's account: "the UK politician's account was
  untrue", "Trump's tweets are lies", "he may have lied". A vague "it was all lies" makes no relation.
- A negation of existence ("There were no threats with missiles") disputes a nearby claim by someone
  else that shares its words ("threatened me … with a missile").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .context import Context, Draft
from .declines import declines

# Cue verbs that deny or reject what they report.
DENIAL_CUES = re.compile(r"\b(reject|dispute|den(y|ie)|dismiss|refut|rebut|contradict|debunk|deride|scoff|"
                         r"push(ed)? back|hit(s)? back|brush(ed)? (off|aside)|call(ed|s)? (it )?(false|untrue|a lie))",
                         re.IGNORECASE)
SUPPORT_CUES = re.compile(r"\b(confirm|corroborat|agree|back(ed|s|ing)? up|endors|echo|concur|vouch)", re.IGNORECASE)
# Words in a statement's content that call another account false.
FALSITY = re.compile(
    r"\b(untrue|not true|false(hood)?|(a |outright |total )?lie|lies|lied|lying|fabricat\w*|baseless|groundless|"
    r"nonsense|fake|misleading|inaccurate|incorrect|made[- ]up|fiction(al)?|absurd|never happened|"
    r"did(n't| not) happen|misunderst\w+|failed to understand)\b",
    re.IGNORECASE)
NEGATED_EXISTENCE = re.compile(r"\b(there (was|were|had been|has been|have been) [\u201c\"']?(no|never)|"
                               r"there never (was|were)|no such)\s+(?P<what>[\w\u201c\u201d\"' -]{3,40})",
                               re.IGNORECASE)
# Nouns by which a denial names the claim it denies.
CLAIM_NOUNS = {"claim", "claims", "assertion", "assertions", "allegation", "allegations", "report", "reports",
               "account", "accounts", "comments", "comment", "remarks", "remark", "statement", "statements",
               "suggestion", "suggestions", "accusation", "accusations", "charge", "charges", "story", "version",
               "characterization", "characterisation", "description", "criticism", "contention", "assessment",
               "tweet", "tweets", "post", "posts", "testimony", "narrative", "explanation", "objection",
               "objections", "concerns", "idea", "notion", "insinuation", "rumors", "rumours",
               "speculation", "theory", "theories"}
RECENT = 1500  # characters: how far back "the claim" or a repeated denial may point
# "the claim", "this assertion": a particular claim just made, unlike "the idea", "the notion".
SPECIFIC_CLAIM_NOUNS = {"claim", "assertion", "allegation", "account", "accusation", "remark", "statement",
                        "suggestion", "version", "charge", "characterization", "characterisation"}
_STOP = {"that", "this", "there", "their", "they", "with", "from", "have", "been", "were", "would", "could",
         "which", "about", "what", "when", "will", "just", "only", "said", "says", "told", "also", "than",
         "more", "some", "such", "into", "other", "very", "because", "after", "before", "being", "them"}


@dataclass
class RelationDraft:
    type: str
    source: Draft
    target: Draft | None
    evidence: tuple[int, int]
    score: float = 1.0


def explicit_relations(ctx: Context, drafts: list[Draft]) -> list[RelationDraft]:
    """The relations that the text spells out: refusals to comment, denials with their targets,
    confirmations, and the other side's account of the same words. ``drafts`` in text order."""
    found, declining, disputing = [], set(), set()
    claims = _Claims(ctx, drafts, disputing)
    for d in drafts:
        m = declines(ctx, d)
        if m is not None:
            found.append(RelationDraft("declines_comment", d, None, m))
            declining.add(id(d))
    disputes = []
    for d in drafts:  # in text order: a denial is never the claim a later denial targets
        if id(d) in declining:
            continue
        relation = _dispute(ctx, d, claims) or _support(ctx, d, claims)
        if relation is not None:
            found.append(relation)
            if relation.type == "disputes":
                disputes.append(relation)
                disputing.add(id(d))
    found.extend(_alternative_accounts(disputes, drafts))
    return found


CLAIM_WINDOW = 40  # statements: how far back a denial looks for the claim it means


class _Claims:
    """Which statements of the document can be disputed, and how to find the one meant. Made once
    per document, so that each denial looks at a bounded window of statements before it: text
    with thousands of denials stays linear."""

    def __init__(self, ctx: Context, drafts: list[Draft], disputing: set[int]):
        self.ctx, self.drafts, self.disputing = ctx, drafts, disputing
        self._position = {id(d): i for i, d in enumerate(drafts)}
        self._nested: dict[int, list[Draft]] = {}
        for x in drafts:
            if x.nested_in is not None:
                self._nested.setdefault(id(x.nested_in), []).append(x)
        self._could_claim: dict[int, bool] = {}

    def is_claim(self, x: Draft) -> bool:
        """Said at the top level (or reported by someone else), and not itself a denial."""
        if id(x) in self.disputing or not x.speaker:
            return False
        if id(x) not in self._could_claim:
            self._could_claim[id(x)] = self._could_be_claim(x)
        return self._could_claim[id(x)]

    def _could_be_claim(self, x: Draft) -> bool:
        if x.nested_in is not None and x.nested_in.speaker == x.speaker:
            return False
        text = self.ctx.text
        if x.cue and DENIAL_CUES.search(text[x.cue[0]:x.cue[1]]):
            return False
        if any(FALSITY.search(text, s, e) or NEGATED_EXISTENCE.search(text, s, e) for s, e in x.content):
            return False
        return self._says_something(x)

    def _says_something(self, x: Draft) -> bool:
        """A claim asserts something: its content has a verb ("talking about a phone call" does not)."""
        for s, e in x.content:
            span = self.ctx.doc.char_span(s, e, alignment_mode="expand")
            if span is not None and any(t.pos_ in ("VERB", "AUX") for t in span):
                return True
        return False

    def before(self, d: Draft, speaker: str | None = None) -> list[Draft]:
        """Top-level claims among the CLAIM_WINDOW statements before ``d``, by ``speaker`` (by
        anyone but d's speaker when None)."""
        i = self._position.get(id(d), len(self.drafts))
        window = self.drafts[max(0, i - CLAIM_WINDOW):i]
        return [x for x in window if x.end <= d.start and x.nested_in is None and self.is_claim(x)
                and (x.speaker == speaker if speaker else x.speaker != d.speaker)]

    def best(self, d: Draft, candidates: list[Draft], words: str | None = None, minimum: int = 0) -> Draft | None:
        """The candidate sharing the most words with the denial (the earliest among equals)."""
        mine = stems(words if words is not None else self.text_of(d))
        scored = [(len(mine & stems(self.text_of(x))), -x.start, x) for x in candidates]
        scored = [s for s in scored if s[0] >= minimum]
        return max(scored, key=lambda s: (s[0], s[1]))[2] if scored else None

    def text_of(self, d: Draft) -> str:
        return " ".join(self.ctx.text[s:e] for s, e in d.content)

    def reported_inside(self, d: Draft) -> Draft | None:
        """"rejected Boris Johnson's assertion that …": the claim is a statement nested in the denial."""
        inside = [x for x in self._nested.get(id(d), ()) if x.speaker != d.speaker
                  and x.cue_token is not None and x.cue_token.pos_ == "NOUN"]
        return inside[0] if inside else None

    def named(self, d: Draft) -> Draft | None:
        """"disputed the claim", "rejected Mr Johnson's comments": the object names a claim."""
        head = d.cue_token
        objects = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")] if head is not None else []
        if not objects or objects[0].lower_ not in CLAIM_NOUNS:
            return None
        owner = next((c for c in objects[0].children if c.dep_ == "poss"), None)
        if owner is not None:  # "Mr Johnson's comments": his, or nothing
            entity = _entity_of(self.ctx, owner)
            return self.best(d, self.before(d, entity)) if entity else None
        noun = objects[0]
        if noun.lower_ in SPECIFIC_CLAIM_NOUNS and \
                any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children):
            nearby = [x for x in self.before(d) if d.start - x.end < RECENT]  # "the claim" just made
            return nearby[-1] if nearby else None
        return None  # "denied the reports", "dismissed accusations": a denial of nothing quoted here


def _dispute(ctx: Context, d: Draft, claims: _Claims) -> RelationDraft | None:
    """Three kinds of evidence, each with its own way to find what is disputed; a denial whose
    target cannot be named still disputes (``to`` is None), falsity words and negations do not."""
    text = ctx.text
    cue = text[d.cue[0]:d.cue[1]] if d.cue else ""
    if SUPPORT_CUES.search(cue) or NEGATED_CUE.search(cue):
        return None  # "agreed that there was no reason …"; "did not dispute …"
    if DENIAL_CUES.search(cue):
        if not (_is_clause(d) or _names_a_claim(d) or claims.reported_inside(d)):
            return None  # "denied entry", "rejected the plan": no statement is denied
        target = claims.reported_inside(d) or claims.named(d)
        return _checked(d, target, d.cue, allow_none=True)
    for s, e in d.content:
        for m in FALSITY.finditer(text, s, e):
            found, target = _falsity_target(ctx, claims, d, m)
            if found and target is not None:
                return _checked(d, target, m.span())
        for m in NEGATED_EXISTENCE.finditer(text, s, e):
            target = _negated_target(ctx, claims, d, m)
            if target is not None:
                return _checked(d, target, m.span())
    return None


NEGATED_CUE = re.compile(r"\b(not|n[’']t|never|no longer)\b", re.IGNORECASE)


def _names_a_claim(d: Draft) -> bool:
    objects = [c for c in d.cue_token.children if c.dep_ in ("dobj", "nsubjpass")] if d.cue_token is not None else []
    return bool(objects) and objects[0].lower_ in CLAIM_NOUNS


def _checked(d: Draft, target: Draft | None, evidence: tuple[int, int],
             allow_none: bool = False) -> RelationDraft | None:
    """Nobody disputes themselves; a dispute without a target only where the text denies outright."""
    if target is not None and target.speaker and target.speaker == d.speaker:
        target = None
    if target is None and not allow_none:
        return None
    return RelationDraft("disputes", d, target, evidence)


def _negated_target(ctx: Context, claims: "_Claims", d: Draft, m: re.Match) -> Draft | None:
    """"There were no threats with missiles" against "he threatened me … with a missile" a few
    paragraphs before: the claim nearby that has the denied thing's head noun."""
    what = ctx.doc.char_span(m.start("what"), m.end("what"), alignment_mode="expand")
    if what is None or any(t.tag_ in ("JJR", "JJS", "RBR") or t.lower_ == "than" for t in what):
        return None  # "there was no bigger threat than …" compares, it does not deny
    head = next((t for t in what if t.pos_ in ("NOUN", "PROPN")), None)
    if head is None:
        return None
    nearby = [x for x in claims.before(d) if d.start - x.end < RECENT and head.lower_[:5] in stems(claims.text_of(x))]
    return claims.best(d, nearby, words=m.group("what"), minimum=2)


# Verbs of lying; "may lie" (a fear about the future) is no dispute, "may have lied" is.
LYING_VERBS = {"lie", "lied", "lies", "lying", "fabricated", "misunderstood", "failed", "made"}
MODALS = {"may", "might", "will", "would", "could", "can", "should", "must"}


def _falsity_target(ctx: Context, claims: "_Claims", d: Draft, m: re.Match) -> tuple[bool, Draft | None]:
    """Whose account a falsity word is said of — the subject of "lied" ("the former leader may have
    lied"), the owner of the account that "was untrue" ("the UK politician's account", "Trump's
    tweets are lies") — and that person's claim. (False, None) where it is said of no one ("it
    was all lies" is too vague to tie; "Trump may lie" is a fear, not a denial)."""
    span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
    if span is None:
        return False, None
    word = span[0] if span[0].lower_ in LYING_VERBS else span.root
    if word.pos_ == "VERB":
        if word.tag_ == "VB" and any(c.lower_ in MODALS for c in word.children if c.dep_ == "aux"):
            return False, None
        subject = _subject(word)
        entity = _entity_of(ctx, subject) if subject is not None else None
        if entity is None or subject.lower_ in ("i", "we", "you"):
            return False, None
        topic = next((c for c in word.children if c.dep_ == "prep" and c.lower_ == "about"), None)
        candidates = claims.before(d, entity)
        if topic is not None:  # "is lying about her support for the deal": that claim, if it is here
            return True, claims.best(d, candidates, words=" ".join(t.text for t in topic.subtree), minimum=1)
        return True, claims.best(d, candidates)
    while word.dep_ in ("nmod", "compound", "conj", "amod", "appos") and word.head is not word:
        word = word.head
    predicate_head = word.head if word.dep_ in ("acomp", "attr", "oprd") else word
    subject = _subject(predicate_head)
    if subject is None or subject.lower_ not in CLAIM_NOUNS:
        return False, None
    owner = next((c for c in subject.children if c.dep_ == "poss"), None)
    entity = _entity_of(ctx, owner) if owner is not None else None
    if entity is None:
        return False, None
    return True, claims.best(d, claims.before(d, entity))


def _subject(tok):
    for _ in range(3):
        subject = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
        if tok.dep_ not in ("conj", "xcomp"):
            return None
        tok = tok.head
    return None


def _entity_of(ctx: Context, tok) -> str | None:
    """The entity of the mention that ``tok`` heads or lies in: the tightest ("Trump" in "Trump's
    tweets"). The mentions are indexed by their tokens' offsets once per document."""
    at = ctx.entity_at
    if at is None:
        tightest: dict[int, tuple[int, str]] = {}
        for e in ctx.entities:
            for m in e.mentions:
                span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
                for t in span if span is not None else ():
                    if m.start <= t.idx < m.end:
                        tightest[t.idx] = min(tightest.get(t.idx, (m.end - m.start, e.id)), (m.end - m.start, e.id))
        at = ctx.entity_at = {i: entity for i, (_, entity) in tightest.items()}
    return at.get(tok.idx)


def _support(ctx: Context, d: Draft, claims: _Claims) -> RelationDraft | None:
    if d.cue and SUPPORT_CUES.search(ctx.text[d.cue[0]:d.cue[1]]):
        target = claims.reported_inside(d) or claims.named(d) or claims.best(d, claims.before(d), minimum=2)
        if target is not None:
            return RelationDraft("supports", d, target, d.cue)
    return None




def _is_clause(d: Draft) -> bool:
    return d.cue_token is not None and any(c.dep_ in ("ccomp", "xcomp") for c in d.cue_token.children)


def stems(text: str) -> set[str]:
    """Content words cut to five letters, the crude stems by which two statements are compared:
    "threatened" and "threats" share "threa", "missiles" and "missile" "missi"."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def _alternative_accounts(disputes: list[RelationDraft], drafts: list[Draft]) -> list[RelationDraft]:
    """A disputing side that reports in its own words what the same person said ("President Putin
    said that if Ukraine joins NATO …") offers an alternative account of that person's words as the
    other side reported them ("He … said: ‘Boris, I don't want to hurt you …’")."""
    reports = _ReportsBySpeaker(drafts)
    out = []
    for r in disputes:
        if r.target is None:
            continue
        for mine in reports.ours(r.source):
            other = reports.theirs(r.target, mine.speaker)
            if other is not None:
                out.append(RelationDraft("alternative_account", mine.nested_in, other, (mine.start, mine.end)))
                break
    return out


class _ReportsBySpeaker:
    """Nested statements (what someone reports that someone else said) by who reports them, made
    once per document so that each dispute's lookup does not scan every statement."""

    def __init__(self, drafts: list[Draft]):
        self._by_reporter: dict[str, list[Draft]] = {}
        self._by_holder: dict[int, list[Draft]] = {}
        self._first_of: dict[tuple[str, str], Draft] = {}  # (reporter, reported): the report to cite
        for x in drafts:  # in text order, so each list is too
            if x.nested_in is None or not x.speaker:
                continue
            self._by_holder.setdefault(id(x.nested_in), []).append(x)
            reporter = x.nested_in.speaker
            if reporter:
                self._by_reporter.setdefault(reporter, []).append(x)
                first = self._first_of.get((reporter, x.speaker))
                if first is None or _citable(x) < _citable(first):
                    self._first_of[(reporter, x.speaker)] = x
        self._starts = {k: [x.start for x in v] for k, v in self._by_reporter.items()}

    def ours(self, source: Draft) -> list[Draft]:
        """What the disputing speaker reports, in the denial or in the statements after it."""
        if not source.speaker:
            return self._by_holder.get(id(source), [])
        i = bisect.bisect_left(self._starts.get(source.speaker, []), source.start)
        return self._by_reporter.get(source.speaker, [])[i:i + CLAIM_WINDOW]

    def theirs(self, target: Draft, speaker: str) -> Draft | None:
        """The target's speaker's report of ``speaker``: the words quoted inside the disputed claim
        itself first, then direct quotations, then the earliest."""
        if target.speaker == speaker:
            return None
        inside = [x for x in self._by_holder.get(id(target), ()) if x.speaker == speaker]
        if inside:
            return min(inside, key=_citable)
        return self._first_of.get((target.speaker, speaker)) if target.speaker else None


def _citable(x: Draft) -> tuple[bool, int]:
    return x.kind != "direct", x.start
