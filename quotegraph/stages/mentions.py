"""Mentions of people and organisations: names, titles, role descriptors, pronouns.

No coreference model for spaCy 3.8 ships offline, so this is the project's own small
rule set, one construction per function, each pinned by tests:
names and their titles ("Kremlin spokesman Dmitry Peskov" = name "Dmitry Peskov" with
descriptors "Kremlin spokesman"), definite role descriptions ("the former prime minister"),
pronouns, organisations ("the Kremlin", "Downing Street", "No 10") and unnamed sources
("a source", "Mr Sunak's official spokesman").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from .context import text_of
from ..titles import is_title
from .times import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS

COURTESY_TITLES = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sir", "dame"}
MALE_TITLES = {"mr", "mr.", "sir", "lord", "king", "prince", "father", "congressman", "councilman", "spokesman",
               "chairman"}
FEMALE_TITLES = {"mrs", "mrs.", "ms", "ms.", "miss", "dame", "lady", "queen", "princess", "congresswoman",
                 "councilwoman", "spokeswoman", "chairwoman"}
# Name words that make a name an organisation rather than a person.
ORG_WORDS = {
    "kremlin", "street", "house", "party", "committee", "campaign", "department", "ministry", "office",
    "council", "commission", "agency", "bureau", "government", "parliament", "congress", "senate",
    "pentagon", "police", "army", "navy", "court", "university", "college", "institute", "foundation",
    "association", "union", "corporation", "corp", "corp.", "inc", "inc.", "ltd", "company", "group", "bank",
    "times", "post", "news", "journal", "bbc", "cnn", "reuters", "press", "network", "tribune", "herald",
    "guardian", "telegraph", "fox", "msnbc", "abc", "nbc", "cbs", "npr", "ap", "afp", "tass", "gazette",
    "nato", "un", "eu", "fbi", "cia", "gop", "dnc", "rnc", "administration", "cabinet", "nations",
    "organization", "organisation", "federation", "center", "centre", "fund", "board", "service", "no",
    "whitehall", "elysee", "quinnipiac", "gallup", "poll", "monmouth", "marist", "politico", "breitbart", "upi",
}
PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
SPEAKER_PRONOUNS = {"i", "me", "my", "we", "us", "our"}
THING_PRONOUNS = {"it", "its"}
PLURAL_PRONOUNS = {"they", "them", "their"}
RELATIVE_PRONOUNS = {"who", "whom", "which", "that", "whose"}
# Heads of descriptions that name a person by role ("the former prime minister").
ROLE_NOUNS = {
    "minister", "president", "leader", "politician", "incumbent", "spokesman", "spokeswoman", "spokesperson",
    "official", "senator", "candidate", "nominee", "governor", "chancellor", "secretary", "mayor",
    "chairman", "chairwoman", "chair", "director", "ambassador", "aide", "adviser", "advisor", "source",
    "lawmaker", "congressman", "congresswoman", "businessman", "billionaire", "mogul", "frontrunner",
    "front-runner", "democrat", "republican", "man", "woman", "host", "author", "king", "queen", "premier",
    "envoy", "diplomat", "general", "judge", "prosecutor", "lawyer", "attorney", "executive", "officer",
    "strategist", "manager", "chief", "head", "representative", "member", "analyst", "expert", "pollster",
}
UNNAMED_HEADS = {"source", "sources", "official", "officials", "aide", "aides", "spokesman", "spokeswoman",
                 "spokesperson", "insider", "insiders", "person", "people", "adviser", "advisers", "advisor",
                 "advisors", "staffer", "staffers", "diplomat", "diplomats", "representative", "someone"}

_NO_10 = re.compile(r"\b(?:No\.? ?10|Number 10)\b")


@dataclass
class Mention:
    start: int  # characters
    end: int
    text: str
    kind: str  # "name", "pronoun", "description", "unnamed", "group"
    head: Token | None = None
    name: str | None = None  # the bare name, titles removed ("Dmitry Peskov")
    descriptors: list[str] = field(default_factory=list)
    gender: str | None = None
    org: bool = False
    affiliation: str | None = None


def name_tokens(head: Token) -> list[Token]:
    """The run of proper-noun tokens that ends at (or contains) ``head``."""
    doc = head.doc
    if head.pos_ != "PROPN":
        return []
    i = head.i
    while i > 0 and doc[i - 1].pos_ == "PROPN" and doc[i - 1].dep_ in ("compound", "flat", "nmod", "amod") \
            and doc[i - 1].head.i <= head.i and not doc[i - 1].is_punct:
        i -= 1
    return list(doc[i:head.i + 1])


# Words that name a day or a month, not a person ("Monday", "Sept."): the names in times.py.
CALENDAR = {*MONTHS, *WEEKDAYS, *(f"{a}." for a in MONTH_ABBREVIATIONS)}


def _not_a_name(name: list[Token]) -> bool:
    """Dates, lone titles, and capitalised words that open a sentence ("War would break out")."""
    if len(name) == 1:
        t = name[0]
        if t.lower_ in CALENDAR or is_title(t.lower_):
            return True
        if t.is_sent_start and t.text[1:].islower() and t.dep_ not in ("nsubj", "poss", "pobj", "dobj"):
            return True
    return False


# Words of party and nationality that the tagger often takes into a name ("Republican Donald Trump").
AFFILIATION_WORDS = {"republican", "democratic", "democrat", "gop", "conservative", "labour", "liberal", "tory",
                     "russian", "american", "british", "ukrainian", "french", "german", "chinese", "israeli",
                     "iranian", "mexican", "canadian", "european", "u.s.", "us", "uk", "kremlin", "white", "house"}


def split_title(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """("President", "Vladimir", "Putin") -> titles [President], name [Vladimir, Putin]."""
    k = 0
    while k < len(tokens) - 1 and (is_title(tokens[k].lower_) or
                                   (tokens[k].lower_ in AFFILIATION_WORDS and len(tokens) - k > 2)):
        k += 1
    return tokens[:k], tokens[k:]


def mention_for(head: Token, span: tuple[int, int] | None = None) -> Mention | None:
    """Describe the mention headed by ``head`` (a source, or a name found in the text)."""
    doc = head.doc
    text = text_of(doc)
    start, end = span if span else (head.idx, head.idx + len(head))
    surface = text[start:end]
    low = head.lower_
    if _NO_10.search(surface):
        return Mention(start, end, surface, "name", head, name="Downing Street", org=True, descriptors=["No 10"])
    if head.pos_ == "PRON" or low in PERSON_PRONOUNS or low in RELATIVE_PRONOUNS:
        if low in PERSON_PRONOUNS or low in SPEAKER_PRONOUNS or low in THING_PRONOUNS \
                or low in PLURAL_PRONOUNS or low in RELATIVE_PRONOUNS:
            return Mention(start, end, surface, "pronoun", head, gender=PERSON_PRONOUNS.get(low))
        return None
    if head.pos_ == "PROPN":
        run = name_tokens(head)
        titles, name = split_title(run)
        modifiers = [t.left_edge.i for t in head.lefts if t.i < run[0].i and t.dep_ in ("compound", "amod", "nmod")
                     and t.pos_ in ("NOUN", "ADJ", "PROPN")]
        modifiers += [t.left_edge.i for t in run]  # "Russian" hangs on "President", not on "Putin"
        descriptor_words = [t for t in doc[min(modifiers + [run[0].i]):run[0].i + len(titles)]
                            if not t.is_punct and t.dep_ not in ("det", "poss", "case")
                            and t.lower_ not in COURTESY_TITLES]
        descriptors = [" ".join(t.text for t in descriptor_words)] if descriptor_words else []
        gender = None
        if any(t.lower_ in MALE_TITLES for t in titles):
            gender = "m"
        elif any(t.lower_ in FEMALE_TITLES for t in titles):
            gender = "f"
        bare = " ".join(t.text for t in name) if name else head.text
        org = any(t.lower_ in ORG_WORDS for t in name) or _is_org_name(bare)
        # "Anna Ortiz, the health minister, said": the apposition describes her
        descriptors += [_descriptor(c) for c in head.rights if c.dep_ == "appos" and c.pos_ == "NOUN"]
        return Mention(start, end, surface, "name", head, name=bare, descriptors=descriptors,
                       gender=gender, org=org)
    named = next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if named is not None:  # "Its spokesman, Tom Brown,": the person is named after all
        m = mention_for(named)
        if m is not None and m.kind == "name":
            m.start, m.end, m.text = start, end, surface
            m.descriptors = m.descriptors + [_descriptor(head)]
            return m
    det = [c for c in head.lefts if c.dep_ in ("det", "poss")]
    owner = next((c for c in head.children if c.dep_ == "poss"), None)
    affiliation = _affiliation(head)
    if low in UNNAMED_HEADS or (head.lemma_ if head.lemma_ else low) in UNNAMED_HEADS:
        return Mention(start, end, surface, "unnamed", head, affiliation=affiliation,
                       descriptors=[_descriptor(head)])
    if low in ROLE_NOUNS and (not det or det[0].lower_ in ("the", "this", "that") or owner is not None):
        return Mention(start, end, surface, "description", head, descriptors=[_descriptor(head)],
                       affiliation=affiliation)
    return Mention(start, end, surface, "group", head, descriptors=[], affiliation=affiliation)


def _is_org_name(name: str) -> bool:
    return name.isupper() and len(name) <= 6  # acronyms: NATO, FBI, BBC


def _descriptor(head: Token) -> str:
    """Words of a description without its determiner: "the former prime minister" -> "former prime minister"."""
    words = [t for t in head.subtree if t.i <= head.i and t.dep_ not in ("det", "poss", "case", "punct")
             and not (t.head.dep_ == "poss")]
    return " ".join(t.text for t in words)


def _affiliation(head: Token) -> str | None:
    """Whom an unnamed source speaks for: "Mr Sunak's spokesman", "a spokesman for the campaign",
    "a Kremlin source"."""
    for child in head.children:
        if child.dep_ == "poss":
            return " ".join(t.text for t in child.subtree if t.dep_ != "case")
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("for", "of", "from", "at", "in", "close"):
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs and objs[0].pos_ == "PROPN":
                return " ".join(t.text for t in objs[0].subtree if t.dep_ not in ("det", "case"))
    for child in head.lefts:
        if child.dep_ == "compound" and child.pos_ == "PROPN":
            return " ".join(t.text for t in child.subtree)
    return None


def name_mentions(doc: Doc) -> list[Mention]:
    """Every proper name in the text that may be a person or an organisation, in order."""
    found = []
    seen_heads = set()
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.i in seen_heads:
            continue
        # the head of a run is its last proper noun whose syntactic head is outside the run
        if tok.head.i > tok.i and all(t.pos_ == "PROPN" for t in doc[tok.i + 1:tok.head.i + 1]):
            continue  # not the last word of its name
        run = name_tokens(tok)
        if not run:
            continue
        seen_heads.update(t.i for t in run)
        titles, name = split_title(run)
        if not name or not name[0].text[:1].isupper() or _not_a_name(name):
            continue
        m = mention_for(tok, (run[0].idx, tok.idx + len(tok)))
        if m is not None and m.kind == "name":
            found.append(m)
    for m in _NO_10.finditer(text_of(doc)):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            found.append(Mention(m.start(), m.end(), m.group(0), "name", span.root, name="Downing Street",
                                 org=True, descriptors=["No 10"]))
    found.sort(key=lambda m: m.start)
    return found
