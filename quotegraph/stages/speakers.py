"""Speakers: cluster each article's mentions into entities and give every statement its speaker.

- names: a full name and its surname, with or without a title, are one entity
  ("Dmitry Peskov" = "Mr Peskov"); titles and pre-modifiers become descriptors;
- definite role descriptions go to the entity whose descriptors share a word with them
  ("the Russian leader" -> "Russian President Vladimir Putin"), else to the most salient person;
- pronouns go to the nearest compatible entity, preferring sentence subjects; a third-person
  pronoun inside a quotation never refers to the person being quoted;
- "I"/"we" inside a quotation are the quoted speaker; "who" is what its clause describes;
- unnamed sources are entities of their own, with the affiliation the text gives;
- a quote-only paragraph carries on the speaker of the statement before it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

from ..model import Entity, Span
from .context import Context, Draft, sentence_of
from .mentions import (
    PLURAL_PRONOUNS, RELATIVE_PRONOUNS, ROLE_NOUNS, SPEAKER_PRONOUNS, THING_PRONOUNS, Mention, mention_for,
    name_mentions,
)

# Things through which their owner speaks.
MEDIA_NOUNS = {"tweet", "tweets", "statement", "statements", "post", "posts", "letter", "email", "emails", "memo",
               "message", "messages", "ad", "ads", "advertisement", "video", "website"}
GENERIC_DESCRIPTOR_WORDS = {"the", "a", "an", "former", "new", "then", "current", "of", "and", "'s", "’s"}
SENTENCES_BACK = 4


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    lines = resources.files("quotegraph.data").joinpath("places.txt").read_text("utf-8").splitlines()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))


@dataclass
class EntityDraft:
    id: str
    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    gender: str | None = None
    unnamed: bool = False
    affiliation: str | None = None
    _spans: set = field(default_factory=set, repr=False)

    @property
    def surname(self) -> str:
        return self.name.split()[-1].lower()

    def add(self, m: Mention) -> None:
        if (m.start, m.end) not in self._spans:
            self._spans.add((m.start, m.end))
            self.mentions.append(m)
        for d in m.descriptors:
            if d and d not in self.descriptors and d.lower() != self.name.lower():
                self.descriptors.append(d)
        self.gender = self.gender or m.gender

    def descriptor_words(self) -> set[str]:
        words = set()
        for d in self.descriptors:
            words.update(w.lower() for w in d.split())
        return words - GENERIC_DESCRIPTOR_WORDS


class Registry:
    """The entities of one document, built mention by mention, with indexes so that a long
    document costs time in proportion to its length."""

    def __init__(self) -> None:
        self.entities: list[EntityDraft] = []
        self.by_mention: dict[tuple[int, int], EntityDraft] = {}
        self.by_head: dict[int, EntityDraft] = {}  # token index of a mention's head word
        self.timeline: list[tuple[int, int, Mention, EntityDraft]] = []  # mentions in text order
        self._by_name: dict[str, EntityDraft] = {}
        self._by_word: dict[str, list[EntityDraft]] = {}

    def new(self, name: str, type_: str, **kw) -> EntityDraft:
        e = EntityDraft(id=f"e{len(self.entities) + 1}", name=name, type=type_, **kw)
        self.entities.append(e)
        self._index_name(e)
        return e

    def _index_name(self, e: EntityDraft) -> None:
        if e.unnamed:
            return
        self._by_name.setdefault(e.name.lower(), e)
        for word in e.name.lower().split():
            self._by_word.setdefault(word, []).append(e)

    def rename(self, e: EntityDraft, name: str) -> None:
        e.name = name
        self._index_name(e)

    def link(self, m: Mention, e: EntityDraft) -> EntityDraft:
        e.add(m)
        self.by_mention[(m.start, m.end)] = e
        if m.head is not None:
            self.by_head.setdefault(m.head.i, e)
        bisect.insort(self.timeline, (m.start, len(self.timeline), m, e), key=lambda x: (x[0], x[1]))
        return e

    def with_word(self, word: str) -> list[EntityDraft]:
        """Named entities with ``word`` in their name, most recently created last."""
        return self._by_word.get(word, [])

    def add_name(self, m: Mention) -> EntityDraft:
        words = m.name.split()
        low = m.name.lower()
        type_ = "ORG" if m.org else ("GPE" if low in places() else "PERSON")
        same = self._by_name.get(low)
        if same is not None and same.name.lower() == low:
            return self.link(m, same)
        candidates = list(reversed(self.with_word(words[-1].lower() if len(words) >= 2 else low)))
        if len(words) >= 2:
            # a surname seen alone before ("Trump said ... Donald Trump") takes the full name
            for e in candidates:
                if e.type == "PERSON" == type_ and len(e.name.split()) == 1 and e.name.lower() == words[-1].lower():
                    self.rename(e, m.name)
                    return self.link(m, e)
        else:
            for e in candidates:
                if e.type == type_ and (e.surname == low or (type_ == "ORG" and low in e.name.lower().split())):
                    return self.link(m, e)
            for e in candidates:  # a first name alone: "Boris, I don't want to ..."
                if e.type == "PERSON" == type_ and len(e.name.split()) >= 2 and e.name.split()[0].lower() == low:
                    return self.link(m, e)
        return self.link(m, self.new(m.name, type_))


def resolve_speakers(ctx: Context) -> None:
    registry = Registry()
    for m in name_mentions(ctx.doc):
        registry.add_name(m)
    drafts = sorted(ctx.drafts, key=_depth)  # outer statements first: inner pronouns depend on them
    for d in drafts:
        if d.source_token is None or d.source is None:
            continue
        m = mention_for(d.source_token, d.source)
        if m is None:
            continue
        entity = _resolve(ctx, registry, m, d)
        if entity is not None:
            d.speaker = entity.id
    for d in sorted(ctx.drafts, key=lambda d: d.start):
        if d.speaker is None and d.continues is not None:
            d.speaker = d.continues.speaker
    _resolve_descriptions(ctx, registry)
    ctx.entities = [_to_entity(ctx.text, e) for e in registry.entities]


def _resolve_descriptions(ctx: Context, registry: Registry) -> None:
    """Definite role descriptions that are not sources ("said that the UK politician's account
    was untrue") join the person they describe, so that later stages can tell whom a statement
    is about. Inside a statement they never describe its own speaker."""
    for tok in ctx.doc:
        if tok.pos_ != "NOUN" or tok.lower_ not in ROLE_NOUNS or tok.i in registry.by_head:
            continue
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            continue
        span = (tok.doc[tok.left_edge.i].idx, tok.idx + len(tok))
        m = mention_for(tok, span)
        if m is None or m.kind != "description":
            continue
        speakers = {d.speaker for d in ctx.drafts_near(m.start, m.end) if d.covers(m.start, m.end) and d.speaker}
        words = {w.lower() for w in m.descriptors[0].split()} - GENERIC_DESCRIPTOR_WORDS if m.descriptors else set()
        scored = [(len(words & e.descriptor_words()), e) for e in registry.entities
                  if e.type == "PERSON" and not e.unnamed and e.id not in speakers
                  and any(x.start < m.start for x in e.mentions)]
        scored = [(n, e) for n, e in scored if n > 0]
        entity = max(scored, key=lambda p: p[0])[1] if scored else _salient(ctx, registry, m, speakers, "person")
        if entity is not None and not entity.unnamed:
            registry.link(m, entity)


def _depth(d: Draft) -> int:
    n = 0
    while d.nested_in is not None and n < 10:
        d, n = d.nested_in, n + 1
    return n


def _resolve(ctx: Context, registry: Registry, m: Mention, d: Draft) -> EntityDraft | None:
    key = (m.start, m.end)
    if key in registry.by_mention:
        return registry.by_mention[key]
    if m.kind == "name":
        # the source span may hold a name mention found earlier (a longer or shorter span)
        known = registry.by_head.get(m.head.i) if m.head is not None else None
        if known is not None:
            return registry.link(m, known)
        return registry.add_name(m)
    if m.kind == "pronoun":
        return _resolve_pronoun(ctx, registry, m, d)
    if m.kind == "description":
        return _resolve_description(ctx, registry, m, d)
    if m.kind == "unnamed":
        name = _without_determiner(m)
        for e in reversed(registry.entities):
            if e.unnamed and e.name.lower() == name.lower() and m.head.lower_ not in ("source", "sources"):
                return registry.link(m, e)
        return registry.link(m, registry.new(name, "PERSON", unnamed=True, affiliation=m.affiliation))
    owner = next((c for c in m.head.children if c.dep_ == "poss"), None) if m.head is not None else None
    if owner is not None and m.head.lower_ in MEDIA_NOUNS:
        # "Trump's tweets said", "the senator's statement said": the owner speaks through them
        owned = mention_for(owner, (owner.doc[owner.left_edge.i].idx, owner.idx + len(owner)))
        if owned is not None and owned.kind in ("name", "pronoun"):
            return _resolve(ctx, registry, owned, d)
    name = _without_determiner(m)  # groups: "Republicans", "the poll", "critics"
    if m.head is not None and m.head.text[:1].isupper() and len(name.split()) == 1:
        named = [e for e in registry.with_word(name.lower()) if e.type == "PERSON" and e.surname == name.lower()]
        if named:  # a surname the tagger did not take for a name ("TRUMP", a headline's "Trump")
            return registry.link(m, named[-1])
    for e in registry.entities:
        if e.type == "GROUP" and e.name.lower() == name.lower():
            return registry.link(m, e)
    return registry.link(m, registry.new(name, "GROUP"))


def _without_determiner(m: Mention) -> str:
    words = m.text.split()
    if words and words[0].lower() in ("a", "an", "the", "another", "this", "that"):
        words = words[1:]
    return " ".join(words) or m.text


def _quoting_speakers(ctx: Context, offset: int, d: Draft) -> set[str]:
    """Who is speaking in the quotations around ``offset``: a pronoun there is not them."""
    out = set()
    for other in ctx.drafts_near(offset, offset + 1):
        if other is not d and other.quotation is not None and other.covers(offset, offset + 1) and other.speaker:
            out.add(other.speaker)
    return out


def _resolve_pronoun(ctx: Context, registry: Registry, m: Mention, d: Draft) -> EntityDraft | None:
    low = m.head.lower_
    if low in RELATIVE_PRONOUNS:
        # "Peskov, who said ...": the noun the relative clause hangs on
        clause = m.head.head
        noun = clause.head if clause.dep_ in ("relcl", "acl") else None
        if noun is None or noun == m.head:
            return None
        return _resolve(ctx, registry, mention_for(noun, _noun_span(noun)) or m, d) if noun.pos_ != "PRON" else None
    if low in SPEAKER_PRONOUNS:
        speakers = _quoting_speakers(ctx, m.start, d)
        if len(speakers) == 1:
            return registry.link(m, _entity(registry, speakers.pop()))
        return None
    exclude = _quoting_speakers(ctx, m.start, d)
    want = "thing" if low in THING_PRONOUNS else ("plural" if low in PLURAL_PRONOUNS else "person")
    entity = _salient(ctx, registry, m, exclude, want)
    return registry.link(m, entity) if entity is not None else None


def _resolve_description(ctx: Context, registry: Registry, m: Mention, d: Draft) -> EntityDraft | None:
    same = _without_determiner(m).lower()
    for e in reversed(registry.entities):  # "the general" again: the general met before
        if e.unnamed and e.name.lower() == same:
            return registry.link(m, e)
    words = {w.lower() for w in m.descriptors[0].split()} - GENERIC_DESCRIPTOR_WORDS if m.descriptors else set()
    before = [e for e in registry.entities if not e.unnamed and e.type == "PERSON"
              and any(x.start < m.start for x in e.mentions)]
    scored = [(len(words & e.descriptor_words()), max(x.start for x in e.mentions if x.start < m.start), e)
              for e in before]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        return registry.link(m, max(scored, key=lambda s: (s[0], s[1]))[2])
    entity = _salient(ctx, registry, m, _quoting_speakers(ctx, m.start, d), "person")
    if entity is not None:
        return registry.link(m, entity)
    return registry.link(m, registry.new(_without_determiner(m), "PERSON", unnamed=True,
                                         affiliation=m.affiliation))


def _entity(registry: Registry, entity_id: str) -> EntityDraft:
    return next(e for e in registry.entities if e.id == entity_id)


def _compatible(e: EntityDraft, m: Mention, want: str) -> bool:
    if want == "thing":
        return e.type == "ORG"
    if want == "plural":
        return e.type in ("ORG", "GROUP")
    if e.type != "PERSON" or e.unnamed and not e.mentions:
        return False
    return m.gender is None or e.gender is None or e.gender == m.gender


def _salient(ctx: Context, registry: Registry, m: Mention, exclude: set[str], want: str) -> EntityDraft | None:
    """The entity a pronoun most likely points back to: the nearest compatible mention in its own
    sentence, else the subject (or failing that the nearest mention) of the sentences before."""
    doc = ctx.doc
    here = sentence_of(m.head)
    window_start = here.start
    for _ in range(SENTENCES_BACK):
        if window_start == 0:
            break
        window_start = sentence_of(doc[window_start - 1]).start
    window_start_char = doc[window_start].idx
    end = bisect.bisect_left(registry.timeline, m.start, key=lambda x: x[0])
    by_sentence: dict[int, list[tuple[Mention, EntityDraft]]] = {}
    nearest = None
    for k in range(end - 1, -1, -1):
        start, _, x, e = registry.timeline[k]
        if e.id in exclude or not _compatible(e, m, want):
            continue
        if start < window_start_char:
            nearest = nearest or e
            break
        if start >= here.start_char:
            return e  # the nearest compatible mention in the pronoun's own sentence
        sent_start = sentence_of(x.head).start if x.head is not None else -1
        by_sentence.setdefault(sent_start, []).insert(0, (x, e))
        nearest = nearest or e
    for sent_start in sorted(by_sentence, reverse=True):
        inside = by_sentence[sent_start]
        subjects = [e for x, e in inside if x.head is not None and x.head.dep_ in ("nsubj", "nsubjpass")]
        return subjects[0] if subjects else inside[-1][1]
    return nearest


def _noun_span(noun: Token) -> tuple[int, int]:
    from .reported import mention_span

    return mention_span(noun)


def _to_entity(text: str, e: EntityDraft) -> Entity:
    mentions = sorted({(m.start, m.end) for m in e.mentions})
    return Entity(id=e.id, name=e.name, type=e.type,
                  mentions=[Span.of(text, s, t) for s, t in mentions],
                  descriptors=list(e.descriptors), unnamed=e.unnamed, affiliation=e.affiliation)
