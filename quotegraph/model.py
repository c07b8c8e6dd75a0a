"""The data model: every object quotegraph hands out, in one place.

All offsets are Python string indices into the document text exactly as it was given,
so ``text[span.start:span.end] == span.text`` always holds. Every object turns into
plain JSON with ``to_dict()``; the shape is the output contract documented in the README
and in ``quotegraph/schema/analysis.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["direct", "indirect", "mixed"]
EntityType = Literal["PERSON", "ORG", "GPE", "GROUP", "OTHER"]


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the document text: ``text == document[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, doc_text: str, start: int, end: int) -> "Span":
        return cls(start, end, doc_text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Statement:
    """One attributed statement: what (content), who (source/speaker), how (cue, kind)."""

    id: str
    kind: Kind
    content: list[Span]
    source: Span | None = None
    cue: Span | None = None
    speaker: str | None = None  # id of an Entity in the same Analysis
    nested_in: str | None = None  # id of the Statement that reports this one
    said_on: str | None = None  # ISO date (at the precision the text gives) when the text says when
    times: list[str] = field(default_factory=list)  # ids of the times the content mentions

    @property
    def text(self) -> str:
        """The content as one string: fragments joined by a single space."""
        return " ".join(fragment.text for fragment in self.content)

    @property
    def start(self) -> int:
        return self.content[0].start

    @property
    def end(self) -> int:
        return self.content[-1].end

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "content": [{"start": f.start, "end": f.end} for f in self.content],
            "text": self.text,
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker,
            "nested_in": self.nested_in,
            "said_on": self.said_on,
            "times": list(self.times),
        }


@dataclass
class Entity:
    """A speaker (or someone spoken about) clustered over all its mentions in one document."""

    id: str
    name: str
    type: EntityType
    mentions: list[Span] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    unnamed: bool = False  # "a source", "Mr Sunak's official spokesman"
    affiliation: str | None = None  # for unnamed sources: whom they speak for, as written

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "mentions": [m.to_dict() for m in self.mentions],
            "descriptors": list(self.descriptors),
            "unnamed": self.unnamed,
            "affiliation": self.affiliation,
        }


RelationType = Literal["disputes", "supports", "alternative_account", "declines_comment"]
# How each relation type reads between two speakers ("Peskov disputes Johnson"), in every output.
RELATION_WORDS: dict[str, str] = {"disputes": "disputes", "supports": "supports",
                                  "alternative_account": "gives another account of",
                                  "declines_comment": "declines to comment"}


@dataclass
class Relation:
    """How one statement bears on another: ``from_`` disputes/supports/... ``to`` (None where a
    statement declines to comment, or denies something that is not a statement of this text).
    ``score`` (0-1) is the relation model's confidence; relations are unique by (type, from, to)."""

    type: RelationType
    from_: str
    to: str | None
    evidence: Span
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "from": self.from_, "to": self.to, "evidence": self.evidence.to_dict(),
                "score": round(self.score, 3)}


@dataclass
class TimeExpression:
    """A date in the text, resolved against the publication date: ``value`` is an ISO date at the
    precision the text gives ("2023-01-30", "2022-02", "2022", "2023-W04"), None if unresolvable."""

    id: str
    start: int
    end: int
    text: str
    value: str | None
    statement: str | None = None  # the statement that mentions it, or whose saying it dates

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text, "value": self.value,
                "statement": self.statement}


@dataclass
class Analysis:
    """Everything quotegraph found in one document."""

    text: str
    id: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    statements: list[Statement] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)

    def entity(self, entity_id: str | None) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def statement(self, statement_id: str | None) -> Statement | None:
        return next((s for s in self.statements if s.id == statement_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The document object of the output contract (the text itself is not repeated)."""
        return {
            "id": self.id,
            "published": self.published,
            "statements": [s.to_dict() for s in self.statements],
            "entities": [e.to_dict() for e in self.entities],
            "relations": [r.to_dict() for r in self.relations],
            "times": [t.to_dict() for t in self.times],
        }
