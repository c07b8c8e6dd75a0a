"""Relations between statements: who disputes, supports or offers another version of whose
claim, and who declines to comment.

Precision first: a relation needs explicit evidence in the text, and a dispute needs a target it
can name — a claim reported inside the denial ("rejected Johnson's assertion that …"), a claim
the denial refers to ("the claim", "Mr Johnson's comments"), or an earlier claim by someone else
that shares its words ("There were no threats with missiles" against "threatened me … with a
missile"). Falsity words with nothing to point at make no relation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import Context, Draft

# Cue verbs that deny or reject what they report.
DENIAL_CUES = re.compile(r"\b(reject|dispute|den(y|ie)|dismiss|refut|rebut|contradict|debunk|deride|scoff|"
                         r"push(ed)? back|hit(s)? back|brush(ed)? (off|aside)|call(ed|s)? (it )?(false|untrue|a lie))",
                         re.IGNORECASE)
SUPPORT_CUES = re.compile(r"\b(confirm|corroborat|agree|back(ed|s|ing)? up|endors|echo|concur|vouch)", re.IGNORECASE)
# Words in a statement's content that call another account false.
FALSITY = re.compile(
    r"\b(untrue|not true|false(hood)?|(a |outright |total )?lie|lies|lied|lying|fabricat\w*|baseless|groundless|"
    r"nonsense|fake|misleading|inaccurate|incorrect|made[- ]up|fiction(al)?|absurd|never happened|"
    r"did(n't| not) happen|misunderst\w+|failed to understand|no (truth|basis|evidence))\b",
    re.IGNORECASE)
NEGATED_EXISTENCE = re.compile(r"\b(there (was|were|is|are|had been) [\u201c\"']?no|no such)\s+([\w\u201c\u201d\"' -]{3,40})",
                               re.IGNORECASE)
DECLINES = re.compile(
    r"\b((declined|refused|declining|refusing)\s+(to\s+(comment|be drawn|elaborate|discuss|say|speculate|respond|"
    r"answer|give details|be interviewed))|"
    r"(would|will|could)\s*(not|n[’']t)\s+(be drawn|comment|discuss|elaborate|speculate|confirm or deny)|"
    r"(won|wouldn|couldn)[’']t\s+(be drawn|comment|discuss|elaborate|speculate)|"
    r"(did not|didn[’']t|has not|hasn[’']t|have not|haven[’']t)\s+(immediately\s+)?(respond|reply|return)\w*\s+to\s+"
    r"(a\s+|several\s+|repeated\s+)?(request|requests|calls|messages|emails|inquiries)|"
    r"no comment|"
    r"(can(not|[’']t| not)|couldn[’']t|could not)\s+((get|go)\s+into|comment|discuss|speculate)|"
    r"not (going|able|in a position) to (comment|get into|go into|discuss|speculate))",
    re.IGNORECASE)
# Nouns by which a denial names the claim it denies.
CLAIM_NOUNS = {"claim", "claims", "assertion", "assertions", "allegation", "allegations", "report", "reports",
               "account", "accounts", "comments", "comment", "remarks", "remark", "statement", "statements",
               "suggestion", "suggestions", "accusation", "accusations", "charge", "charges", "story", "version",
               "characterization", "characterisation", "description", "criticism", "contention", "assessment"}
_STOP = {"that", "this", "there", "their", "they", "with", "from", "have", "been", "were", "would", "could",
         "which", "about", "what", "when", "will", "just", "only", "said", "says", "told", "also", "than",
         "more", "some", "such", "into", "other", "very", "because", "after", "before", "being", "them"}


@dataclass
class RelationDraft:
    type: str
    source: Draft
    target: Draft | None
    evidence: tuple[int, int]


def find_relations(ctx: Context) -> None:
    drafts = sorted(ctx.drafts, key=lambda d: d.start)
    declining, disputing = set(), set()
    for d in drafts:
        m = _search(DECLINES, ctx.text, d)
        if m is not None:
            ctx.relations.append(RelationDraft("declines_comment", d, None, m))
            declining.add(id(d))
    disputes = []
    for d in drafts:  # in text order: a denial is never the claim a later denial targets
        if id(d) in declining:
            continue
        relation = _dispute(ctx, d, drafts, disputing) or _support(ctx, d, drafts, disputing)
        if relation is not None:
            ctx.relations.append(relation)
            if relation.type == "disputes":
                disputes.append(relation)
                disputing.add(id(d))
    ctx.relations.extend(_alternative_accounts(ctx, disputes, drafts))


def _search(pattern: re.Pattern, text: str, d: Draft) -> tuple[int, int] | None:
    """A match in the statement's cue or content."""
    places = list(d.content) + ([d.cue] if d.cue else [])
    for s, e in places:
        m = pattern.search(text, s, e)
        if m is not None:
            return m.span()
    return None


class _Claims:
    """Which statements of the document can be disputed, and how to find the one meant."""

    def __init__(self, ctx: Context, drafts: list[Draft], disputing: set[int]):
        self.ctx, self.drafts, self.disputing = ctx, drafts, disputing

    def is_claim(self, x: Draft) -> bool:
        """Said at the top level (or reported by someone else), and not itself a denial."""
        if id(x) in self.disputing or not x.speaker:
            return False
        if x.nested_in is not None and x.nested_in.speaker == x.speaker:
            return False
        text = self.ctx.text
        if x.cue and DENIAL_CUES.search(text[x.cue[0]:x.cue[1]]):
            return False
        if any(FALSITY.search(text, s, e) for s, e in x.content):
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
        """Top-level claims before ``d`` by ``speaker`` (by anyone but d's speaker when None)."""
        return [x for x in self.drafts if x.end <= d.start and x.nested_in is None and self.is_claim(x)
                and (x.speaker == speaker if speaker else x.speaker != d.speaker)]

    def best(self, d: Draft, candidates: list[Draft], words: str | None = None, minimum: int = 0) -> Draft | None:
        """The candidate sharing the most words with the denial (the earliest among equals)."""
        mine = _stems(words if words is not None else self.text_of(d))
        scored = [(len(mine & _stems(self.text_of(x))), -x.start, x) for x in candidates]
        scored = [s for s in scored if s[0] >= minimum]
        return max(scored, key=lambda s: (s[0], s[1]))[2] if scored else None

    def text_of(self, d: Draft) -> str:
        return " ".join(self.ctx.text[s:e] for s, e in d.content)

    def reported_inside(self, d: Draft) -> Draft | None:
        """"rejected Boris Johnson's assertion that …": the claim is a statement nested in the denial."""
        inside = [x for x in self.drafts if x.nested_in is d and x.speaker != d.speaker]
        return inside[0] if inside else None

    def named(self, d: Draft) -> Draft | None:
        """"disputed the claim", "rejected Mr Johnson's comments": the object names a claim."""
        head = d.cue_token
        objects = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")] if head is not None else []
        if not objects or objects[0].lower_ not in CLAIM_NOUNS:
            return None
        return self.about_person(d) or self.best(d, self.before(d)[-3:])

    def about_person(self, d: Draft) -> Draft | None:
        """A denial that names whose account it denies ("the UK politician's account was untrue",
        "the former party leader may have lied"): that person's claim."""
        for entity in self._people_in(d):
            claims = self.before(d, entity)
            if claims:
                return self.best(d, claims)
        return None

    def _people_in(self, d: Draft) -> list[str]:
        found = []
        for e in self.ctx.entities:
            if e.id == d.speaker:
                continue
            for m in e.mentions:
                if d.covers(m.start, m.end) or (d.cue_token is not None and _in_object(d.cue_token, m.start)):
                    found.append((m.start, e.id))
                    break
        return [eid for _, eid in sorted(found)]


def _in_object(cue, offset: int) -> bool:
    for c in cue.children:
        if c.dep_ == "dobj" and c.doc[c.left_edge.i].idx <= offset <= c.idx:
            return True
    return False


def _dispute(ctx: Context, d: Draft, drafts: list[Draft], disputing: set[int]) -> RelationDraft | None:
    claims = _Claims(ctx, drafts, disputing)
    text = ctx.text
    if d.cue and DENIAL_CUES.search(text[d.cue[0]:d.cue[1]]):
        target = claims.reported_inside(d) or claims.named(d)
        if target is None and _is_clause(d):
            target = claims.about_person(d) or claims.best(d, claims.before(d), minimum=2)
            if target is None:
                return RelationDraft("disputes", d, None, d.cue)  # "denied that it had misled investors"
        return RelationDraft("disputes", d, target, d.cue) if target is not None else None
    falsity = _search(FALSITY, text, d)
    if falsity is not None:
        target = claims.about_person(d) or claims.best(d, claims.before(d), minimum=2)
        return RelationDraft("disputes", d, target, falsity) if target is not None else None
    for s, e in d.content:
        for m in NEGATED_EXISTENCE.finditer(text, s, e):
            target = claims.best(d, claims.before(d), words=text[m.start(3):m.end(3)], minimum=1)
            if target is not None:
                return RelationDraft("disputes", d, target, m.span())
    return None


def _support(ctx: Context, d: Draft, drafts: list[Draft], disputing: set[int]) -> RelationDraft | None:
    if d.cue and SUPPORT_CUES.search(ctx.text[d.cue[0]:d.cue[1]]):
        claims = _Claims(ctx, drafts, disputing)
        target = claims.reported_inside(d) or claims.named(d) or claims.best(d, claims.before(d), minimum=2)
        if target is not None:
            return RelationDraft("supports", d, target, d.cue)
    return None


def _is_clause(d: Draft) -> bool:
    return d.cue_token is not None and any(c.dep_ in ("ccomp", "xcomp") for c in d.cue_token.children)


def _stems(text: str) -> set[str]:
    """Crude stems: "threatened" and "threats" share "threa", "missiles" and "missile" "missi"."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def _alternative_accounts(ctx: Context, disputes: list[RelationDraft], drafts: list[Draft]) -> list[RelationDraft]:
    """A disputing side that reports in its own words what the same person said ("President Putin
    said that if Ukraine joins NATO …") offers an alternative account of that person's words as the
    other side reported them ("He … said: ‘Boris, I don't want to hurt you …’")."""
    out = []
    for r in disputes:
        if r.target is None:
            continue
        ours = [x for x in drafts if x.nested_in is r.source and x.speaker]
        theirs = [x for x in drafts if x.nested_in is not None and x.nested_in.speaker == r.target.speaker
                  and x.speaker and x.speaker != r.target.speaker]
        # the words quoted inside the disputed claim itself first, direct quotations next
        theirs.sort(key=lambda x: (x.nested_in is not r.target, x.kind != "direct", x.start))
        for mine in ours:
            other = next((x for x in theirs if x.speaker == mine.speaker), None)
            if other is not None:
                out.append(RelationDraft("alternative_account", r.source, other, (mine.start, mine.end)))
                break
    return out
