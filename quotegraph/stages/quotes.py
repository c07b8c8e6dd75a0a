"""Quotation marks: find every quoted stretch of text, straight or curly, and how they nest.

Works on characters alone, before any parsing, so that it is fast and never fails:
- a quotation never runs past the end of its paragraph; a paragraph that opens a quotation
  and leaves it unclosed is continued by the next paragraph when that one opens with a
  quotation mark (the British convention), and otherwise the stray mark is ignored;
- single marks (‘…’ or '…') are quotations only inside a double-quoted stretch, where
  they are nested quotations; elsewhere they are apostrophes far more often than not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN_DOUBLE = "\u201c\u201e\u00ab"  # “ „ «
CLOSE_DOUBLE = "\u201d\u00bb"  # ” »
OPEN_SINGLE = "\u2018"  # ‘
CLOSE_SINGLE = "\u2019"  # ’ (also the typographic apostrophe)
STRAIGHT_DOUBLE = '"'
STRAIGHT_SINGLE = "'"

_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass
class Quotation:
    """A quoted stretch: ``start``/``end`` include the quotation marks."""

    start: int
    end: int
    fragments: list[tuple[int, int]] = field(default_factory=list)  # several when it spans paragraphs
    nested: list["Quotation"] = field(default_factory=list)
    closed: bool = True

    @property
    def inner_start(self) -> int:
        return self.start + 1

    def words(self, text: str) -> int:
        return sum(len(re.findall(r"\w+", text[s:e])) for s, e in self.fragments)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line: in news text a line is a paragraph."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group(0).strip()]


def _is_opening_straight(text: str, i: int, length: int = 1) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + length] if i + length < len(text) else " "
    if after.isspace():
        return False
    return before.isspace() or before in "([{\u2014\u2013-/:" or i == 0


TWO_APOSTROPHES = STRAIGHT_SINGLE * 2  # stands for a straight double mark in some newswire text


def _double_marks(text: str, start: int, end: int) -> list[tuple[int, str, int]]:
    """Double quotation marks of one paragraph as (offset, 'open'|'close', length)."""
    marks = []
    i = start
    while i < end:
        ch = text[i]
        if ch in OPEN_DOUBLE:
            marks.append((i, "open", 1))
        elif ch in CLOSE_DOUBLE:
            marks.append((i, "close", 1))
        elif ch == STRAIGHT_DOUBLE:
            marks.append((i, "open" if _is_opening_straight(text, i) else "close", 1))
        elif text.startswith(TWO_APOSTROPHES, i) and text[i + 2:i + 3] != STRAIGHT_SINGLE:
            marks.append((i, "open" if _is_opening_straight(text, i, 2) else "close", 2))
            i += 1
        i += 1
    return marks


def _pair_in_paragraph(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Pair double marks in one paragraph; return closed pairs and the offset of an unclosed opener."""
    pairs: list[tuple[int, int]] = []
    opened: int | None = None
    for offset, role, length in _double_marks(text, start, end):
        straight = text[offset] in (STRAIGHT_DOUBLE, STRAIGHT_SINGLE)
        if opened is None:
            if role == "open":
                opened = offset
            # a closing mark with nothing open is a stray: ignored
        elif role == "close" or straight:
            pairs.append((opened, offset + length))
            opened = None
        else:
            # two openers in a row: the first was a stray (or an unclosed quotation); restart here
            opened = offset
    return pairs, opened


def _nested_in(text: str, start: int, end: int) -> list[Quotation]:
    """Single-mark quotations strictly inside a double-quoted stretch."""
    found: list[Quotation] = []
    opened: int | None = None
    for i in range(start + 1, end - 1):
        ch = text[i]
        before = text[i - 1]
        after = text[i + 1]
        if STRAIGHT_SINGLE in (before, after) and ch == STRAIGHT_SINGLE:
            continue  # half of a '' mark
        if ch in OPEN_SINGLE or (ch == STRAIGHT_SINGLE and not before.isalnum() and after.isalnum()):
            if opened is None and not before.isalnum():
                opened = i
        elif ch in CLOSE_SINGLE + STRAIGHT_SINGLE and opened is not None:
            if before.isalnum() and after.isalnum():
                continue  # an apostrophe: don't, Putin's
            if not before.isspace() and i - opened > 1:
                found.append(Quotation(opened, i + 1, [(opened, i + 1)]))
                opened = None
    return found


def find_quotations(text: str) -> list[Quotation]:
    """All top-level quotations in document order, each with its nested quotations."""
    quotations: list[Quotation] = []
    carried: Quotation | None = None  # unclosed at the end of the previous paragraph
    for p_start, p_end in paragraphs(text):
        pairs, unclosed = _pair_in_paragraph(text, p_start, p_end)
        p_end = _rstrip(text, p_end)
        lead = p_start + len(text[p_start:p_end]) - len(text[p_start:p_end].lstrip())
        if carried is not None:
            if pairs and pairs[0][0] == lead:
                # British style: the next paragraph reopens the quotation and closes it
                carried.fragments.append(pairs.pop(0))
                carried.end, carried.closed = carried.fragments[-1][1], True
                quotations.append(carried)
                carried = None
            elif unclosed == lead and not pairs:
                # reopened and still unclosed: it may run on into a further paragraph
                carried.fragments.append((unclosed, p_end))
                carried.end = p_end
                unclosed = None
            else:
                # never continued: the quotation ends with its own paragraph
                quotations.append(carried)
                carried = None
        quotations.extend(Quotation(s, e, [(s, e)]) for s, e in pairs)
        if unclosed is not None:
            if carried is not None:  # a further unclosed quotation while one is carried
                quotations.append(carried)
            carried = Quotation(unclosed, p_end, [(unclosed, p_end)], closed=False) if p_end - unclosed > 1 else None
    if carried is not None:
        quotations.append(carried)
    quotations.sort(key=lambda q: q.start)
    for q in quotations:
        for s, e in q.fragments:
            q.nested.extend(_nested_in(text, s, e))
    return quotations


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
