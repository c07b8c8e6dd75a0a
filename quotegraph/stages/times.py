"""Time: find date expressions, resolve them against the publication date, and tie them to
statements ("asked on Monday, said …" is when it was said; "the call in February 2022" is a time
the statement mentions).

Values are ISO dates at the precision the text gives: ``2023-01-30``, ``2022-02``, ``2022``.
Absolute dates go through dateparser; the relative phrases it leaves unparsed ("last February",
"earlier this month", "early February 2022") and the year-less ones ("in September",
"February 24", read as the most recent such date before publication) are resolved here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .context import Context, Draft

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                       "sept": 9, "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_PART = r"(?:early|mid|late)"
_UNIT = r"(?:day|week|month|year)"
_NUMBER = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)"

# Longest forms first: the first pattern to match at a place wins.
PATTERNS = [
    ("iso_date", rf"{_YEAR}-[01]\d-[0-3]\d"),
    ("month_day_year", rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}"),
    ("day_month_year", rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}"),
    ("part_month_year", rf"{_PART}(?:-|\s+)(?:in\s+)?{_MONTH}\s+(?:of\s+)?{_YEAR}"),
    ("month_year", rf"{_MONTH},?\s+(?:of\s+)?{_YEAR}"),
    ("month_day", rf"{_MONTH}\s+{_DAY}\b"),
    ("day_month", rf"{_DAY}\s+{_MONTH}"),
    ("relative_month", rf"(?:last|next|this)\s+{_MONTH}"),
    ("relative_weekday", rf"(?:last|next|this)\s+{_WEEKDAY}"),
    ("part_month", rf"(?:{_PART}(?:-|\s+))?(?:in\s+)?{_MONTH}(?!\s+\d)"),
    ("weekday", rf"(?:on\s+)?{_WEEKDAY}"),
    ("within_this", rf"(?:earlier|later)\s+this\s+{_UNIT}"),
    ("relative_unit", rf"(?:last|next|this|past)\s+{_UNIT}"),
    ("ago", rf"{_NUMBER}\s+{_UNIT}s?\s+ago"),
    ("deictic", r"yesterday|today|tomorrow"),
    ("year", rf"(?:in\s+)?(?<![\d$£€.,-]){_YEAR}(?![\d%]|[.,]\d)"),
]
_SCANNER = re.compile("|".join(f"(?P<{name}>\\b{pattern}\\b)" for name, pattern in PATTERNS), re.IGNORECASE)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "several": 3, "a few": 3}


@dataclass
class TimeDraft:
    start: int
    end: int
    text: str
    value: str | None
    statement: Draft | None = None


def find_times(text: str, published: dt.date | None) -> list[TimeDraft]:
    found = []
    for m in _SCANNER.finditer(text):
        kind = m.lastgroup
        if kind in ("part_month", "weekday", "month_day") and _is_a_name(text, m):
            continue
        found.append(TimeDraft(m.start(), m.end(), m.group(0), resolve(kind, m.group(0), published)))
    return found


def _is_a_name(text: str, m: re.Match) -> bool:
    """"May" the name or the verb, "March" the verb: a lone month needs a preposition or a
    capital that is not sentence-initial to count."""
    word = m.group(0).split()[-1].lower().rstrip(".")
    if word not in ("may", "march", "june", "august"):
        return False
    before = text[max(0, m.start() - 4):m.start()].lower()
    return not re.search(r"\b(in|on|of|by|since|until|from)\s*$", before + " ")


def resolve(kind: str, phrase: str, published: dt.date | None) -> str | None:
    words = re.findall(r"[a-z]+|\d+", phrase.lower())
    month = next((_month(w) for w in words if _month(w)), None)
    numbers = [int(w) for w in words if w.isdigit()]
    year = next((n for n in numbers if n >= 1800), None)
    day = next((n for n in numbers if n < 32), None)
    if kind == "iso_date":
        return _iso(year, numbers[1], numbers[2])
    if kind in ("month_day_year", "day_month_year"):
        return _absolute(phrase) or _iso(year, month, day)
    if kind in ("part_month_year", "month_year"):
        return _iso(year, month)
    if kind == "year":
        return str(year)
    if published is None:
        return None
    if kind in ("month_day", "day_month"):
        y = published.year if (month, day) <= (published.month, published.day) else published.year - 1
        return _iso(y, month, day)
    if kind == "relative_month":
        return _iso(*_month_relative(words[0], month, published))
    if kind == "part_month":
        y = published.year if month <= published.month else published.year - 1
        return _iso(y, month)
    if kind in ("weekday", "relative_weekday"):
        return _weekday(words, published).isoformat()
    if kind in ("within_this", "relative_unit"):
        return _unit_relative(words[0], words[-1], published)
    if kind == "ago":
        n = _NUMBERS.get(" ".join(words[:-2]), numbers[0] if numbers else 1)
        return _shift(published, words[-2].rstrip("s"), -n)
    if kind == "deictic":
        return (published + dt.timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[words[0]])).isoformat()
    return None


def _month(word: str) -> int | None:
    return MONTHS.get(word) or MONTH_ABBREVIATIONS.get(word)


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    if year is None:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def _month_relative(which: str, month: int, published: dt.date) -> tuple[int, int]:
    if which == "last":  # the most recent such month before the current one
        return (published.year if month < published.month else published.year - 1), month
    if which == "next":
        return (published.year if month > published.month else published.year + 1), month
    return published.year, month


def _weekday(words: list[str], published: dt.date) -> dt.date:
    """"on Monday" in news is the most recent Monday (today, if published on a Monday);
    "next Monday" the coming one."""
    target = next(WEEKDAYS[w] for w in words if w in WEEKDAYS)
    if words[0] == "next":
        return published + dt.timedelta(days=(target - published.weekday() - 1) % 7 + 1)
    back = (published.weekday() - target) % 7
    if words[0] == "last" and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _unit_relative(which: str, unit: str, published: dt.date) -> str:
    step = {"last": -1, "past": -1, "next": 1}.get(which, 0)
    return _shift(published, unit, step)


def _shift(published: dt.date, unit: str, n: int) -> str:
    if unit == "day":
        return (published + dt.timedelta(days=n)).isoformat()
    if unit == "week":
        year, week, _ = (published + dt.timedelta(weeks=n)).isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        index = published.year * 12 + published.month - 1 + n
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return f"{published.year + n:04d}"


@lru_cache(maxsize=1)
def _date_parser():
    import dateparser

    return dateparser.date.DateDataParser(languages=["en"], settings={"PREFER_DATES_FROM": "past"})


def _absolute(phrase: str) -> str | None:
    """Full dates in whatever form ("Feb. 24, 2022", "24th February 2022"), through dateparser."""
    data = _date_parser().get_date_data(phrase)
    if data and data.date_obj is not None and data.period == "day":
        return data.date_obj.date().isoformat()
    return None


def attach_times(ctx: Context) -> None:
    """Find the document's times; tie each to the statement whose content mentions it, and give
    each statement the time its sentence says it was said ("Peskov, asked … on Monday, said …")."""
    published = dt.date.fromisoformat(ctx.published) if ctx.published else None
    ctx.times = find_times(ctx.text, published)
    for t in ctx.times:
        holders = [d for d in ctx.drafts_near(t.start, t.end) if d.covers(t.start, t.end)]
        if holders:
            t.statement = min(holders, key=lambda d: d.end - d.start)
            t.statement.times.append(t)
    for d in ctx.drafts:
        if d.cue_token is not None and d.nested_in is None:
            d.said_on = _when_said(ctx, d)
            if d.said_on is not None and d.said_on.statement is None:
                d.said_on.statement = d


def _when_said(ctx: Context, d: Draft) -> TimeDraft | None:
    """A time in the statement's sentence, outside what was said, and not part of another
    statement — unless that one is a participle on the way to the cue ("asked about it on Monday")."""
    from .context import sentence_of

    sentence = sentence_of(d.cue_token)
    first = bisect.bisect_left(ctx.times, sentence.start_char, key=lambda t: t.start)
    for t in ctx.times[first:]:
        if t.start >= sentence.end_char:
            break
        if d.covers(t.start, t.end):
            continue
        if d.source and d.source[0] <= t.start < d.source[1]:
            continue  # "The former prime minister, who left in September, …" dates the source, not the saying
        other = t.statement
        if other is None or (other.cue_token is not None and other.cue_token.tag_ in ("VBN", "VBG", "VBD")
                             and other.cue_token.dep_ in ("advcl", "acl", "ccomp") and other.end <= d.start):
            return t
    return None
