"""The working state that the stages of the pipeline read and extend, one per document."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from .quotes import Quotation


@dataclass
class Draft:
    """A statement while the stages are still working on it (character offsets throughout)."""

    kind: str
    content: list[tuple[int, int]]
    cue: tuple[int, int] | None = None
    source: tuple[int, int] | None = None
    cue_token: Token | None = None
    source_token: Token | None = None  # head word of the source mention
    quotation: Quotation | None = None  # the quotation this statement is, when direct
    nested_in: "Draft | None" = None
    speaker: str | None = None  # entity id, set by the speakers stage
    continues: "Draft | None" = None  # quote-only paragraph: whose speaker it carries on
    score: float = 1.0

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]

    def covers(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.content)


class QuoteIndex:
    """Answers "is this offset inside a quotation?" in O(log n)."""

    def __init__(self, quotations: list[Quotation]):
        spans = sorted((s, e) for q in quotations for s, e in q.fragments)
        self._starts = [s for s, _ in spans]
        self._spans = spans

    def containing(self, offset: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self._spans[i][0] <= offset < self._spans[i][1]:
            return self._spans[i]
        return None

    def inside(self, offset: int) -> bool:
        return self.containing(offset) is not None

    def any_between(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, start)
        return (i < len(self._starts) and self._starts[i] < end) or self.inside(start)


@dataclass
class Context:
    text: str
    doc: Doc
    published: str | None = None
    quotations: list[Quotation] = field(default_factory=list)
    quote_index: QuoteIndex | None = None
    cues: list[tuple[Token, float]] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    entities: list = field(default_factory=list)
    speaker_mentions: dict = field(default_factory=dict)  # id(draft) -> entity id
