"""The working state that the stages of the pipeline read and extend, one per document."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from .quotes import Quotation

if TYPE_CHECKING:  # the stages that make these import this module
    from ..model import Entity
    from .disputes import RelationDraft
    from .times import TimeDraft


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
    said_on: "TimeDraft | None" = None  # when this was said, where the text says
    times: "list[TimeDraft]" = field(default_factory=list)  # time expressions inside the content

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return self.content[-1][1]

    def covers(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.content)


def text_of(doc: Doc) -> str:
    """The document's text. spaCy's ``Doc.text`` rebuilds it from the tokens on every call."""
    text = doc.user_data.get("quotegraph_text")
    if text is None:
        text = doc.user_data["quotegraph_text"] = doc.text
    return text


def sentence_of(tok: Token):
    """The sentence holding ``tok``. spaCy's ``Token.sent`` walks the whole document on every
    call; this looks it up in a list of sentence starts made once per document."""
    doc = tok.doc
    starts = doc.user_data.get("quotegraph_sentence_starts")
    if starts is None:
        starts = [s.start for s in doc.sents]
        doc.user_data["quotegraph_sentence_starts"] = starts
    k = bisect.bisect_right(starts, tok.i) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[starts[k]:end]


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


BLOCK = 4_000  # characters: a news paragraph is shorter; a longer run of text is cut into blocks


def block_starts(paragraph_spans: list[tuple[int, int]]) -> list[int]:
    """Paragraph starts, with paragraphs longer than BLOCK cut into blocks of that size, so that
    text with no paragraph breaks (a transcript, a pasted page) does not make one huge bucket
    in which every statement looks at every other one."""
    starts = []
    for s, e in paragraph_spans:
        starts.extend(range(s, max(e, s + 1), BLOCK))
    return starts


class DraftIndex:
    """Drafts by the paragraphs (or blocks of long paragraphs) they touch, so that the stages look
    only at statements near a place instead of at every statement of a long document."""

    def __init__(self, paragraph_starts: list[int]):
        self._starts = paragraph_starts or [0]
        self._by_paragraph: dict[int, list[Draft]] = {}

    def paragraph(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def add(self, d: Draft) -> None:
        for p in range(self.paragraph(d.start), self.paragraph(max(d.start, d.end - 1)) + 1):
            bucket = self._by_paragraph.setdefault(p, [])
            if not any(x is d for x in bucket):
                bucket.append(d)

    def near(self, start: int, end: int, paragraphs_before: int = 0) -> list[Draft]:
        seen: set[int] = set()
        out = []
        for p in range(self.paragraph(start) - paragraphs_before, self.paragraph(max(start, end - 1)) + 1):
            for d in self._by_paragraph.get(p, ()):
                if id(d) not in seen:
                    seen.add(id(d))
                    out.append(d)
        return out


@dataclass
class Context:
    text: str
    doc: Doc
    published: str | None = None
    quotations: list[Quotation] = field(default_factory=list)
    quote_index: QuoteIndex | None = None
    cues: list[tuple[Token, float]] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    entities: "list[Entity]" = field(default_factory=list)
    times: "list[TimeDraft]" = field(default_factory=list)
    relations: "list[RelationDraft]" = field(default_factory=list)
    entity_at: dict[int, str] | None = None  # token offset -> tightest entity, made when first asked
    _index: DraftIndex | None = None

    def add_draft(self, d: Draft) -> Draft:
        self.drafts.append(d)
        if self._index is not None:
            self._index.add(d)
        return d

    def moved(self, d: Draft) -> None:
        """Tell the index that a draft's content changed."""
        if self._index is not None:
            self._index.add(d)

    def drafts_near(self, start: int, end: int, paragraphs_before: int = 0) -> list[Draft]:
        """Drafts touching the paragraphs of [start, end) (and some paragraphs before)."""
        if self._index is None:
            from .quotes import paragraphs

            self._index = DraftIndex(block_starts(paragraphs(self.text)))
            for d in self.drafts:
                self._index.add(d)
        return self._index.near(start, end, paragraphs_before)

    def reset_index(self) -> None:
        self._index = None
