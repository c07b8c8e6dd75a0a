"""Checking what users give: cheap to import, so commands that never analyse text start fast."""

from __future__ import annotations

import datetime as _dt
import math
import re


class InputError(ValueError):
    """Input quotegraph cannot analyse, with a message a user can act on."""


# The one limit on a document, everywhere (extract, ingest, batch, the API, analyze()): its text in UTF-8.
# Analysis is linear in length, about 30 s a MB on one core; news articles are a few KB.
MAX_DOCUMENT_BYTES = 5 * 2**20

# A code point that UTF-8 cannot encode: half of a UTF-16 pair, which JSON's \ud800 escapes can write.
_SURROGATE = re.compile("[\ud800-\udfff]")


def size_in_words(n: int) -> str:
    """"1000 bytes", "12 KB", "5 MB", "5.1 MB": rounded up, so a size over a limit never reads as the limit."""
    if n < 1024:
        return f"{n} bytes"
    unit, scale = ("KB", 2**10) if n < 2**20 else ("MB", 2**20)
    return f"{math.ceil(n * 10 / scale) / 10:g} {unit}"


def check_text(text, max_bytes: int | None = MAX_DOCUMENT_BYTES) -> None:
    """What any text must be to be analysed: a string of valid Unicode, within ``max_bytes`` (None: no
    limit). The library checks no more than this: empty text simply holds no statements."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    _check_unicode(text, "text")
    if max_bytes is not None and len(text) > max_bytes // 4:  # shorter, it cannot be over: 4 bytes a character at most
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise InputError(f"text is {size_in_words(size)}; the limit is {size_in_words(max_bytes)} a document")


def _check_unicode(value: str, name: str) -> None:
    # Refused rather than replaced by U+FFFD: quotegraph never changes a text it is given, so every
    # offset it reports indexes the text as the user has it.
    found = _SURROGATE.search(value)
    if found:
        raise InputError(f"{name} holds a lone surrogate (U+{ord(found.group()):04X} at character {found.start()}), "
                         "which is not valid Unicode: fix what wrote it, or replace it with U+FFFD")


def _check_no_nul(value: str, name: str) -> None:
    at = value.find("\x00")
    if at >= 0:  # PostgreSQL cannot store it; a file with one near its start is taken for binary
        raise InputError(f"{name} holds a NUL character (U+0000 at character {at}), which no document text has: "
                         "remove it")


def check_document(text, title=None, published=None, *, max_bytes: int | None = MAX_DOCUMENT_BYTES,
                   **metadata) -> str | None:
    """The one check of a document, wherever one comes in: ``check_text``, and the text not empty or only
    white space, with no NUL; ``title`` and any other ``metadata`` (id, url, author, source) None or a
    string of valid Unicode with no NUL; ``published`` a date. Returns ``published`` as YYYY-MM-DD (or
    None); raises InputError."""
    check_text(text, max_bytes)
    if not text.strip():
        raise InputError("text is empty")
    _check_no_nul(text, "text")
    for name, value in {"title": title, **metadata}.items():
        if value is not None:
            if not isinstance(value, str):
                raise InputError(f"{name} must be a string, not {type(value).__name__}")
            _check_unicode(value, name)
            _check_no_nul(value, name)
    return check_published(published)


def check_published(published) -> str | None:
    if published is None or published == "":
        return None
    if isinstance(published, (_dt.date, _dt.datetime)):
        return published.isoformat()[:10]  # strftime("%Y") does not pad years before 1000
    text = str(published).strip()
    try:
        if text[10:] and text[10] not in "T ":  # a time may follow the date, nothing else
            raise ValueError(text)
        return _dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise InputError(f"published date {published!r} is not a date of the form YYYY-MM-DD") from None


_PERIOD = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def check_period(value: str | None, name: str) -> str | None:
    """A day, a month or a year, as written ("2023-01-31", "2023-01", "2023"), for date filters."""
    if value is None:
        return None
    text = value.strip()
    if _PERIOD.fullmatch(text):
        try:
            check_published((text + "-01-01")[:10])
            return text
        except InputError:
            pass
    raise InputError(f"{name} {value!r} is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY")


def check_score(value: str | None, name: str) -> float | None:
    """A relation score threshold as written ("0.8", ".5", "1"): a number from 0 to 1."""
    if value is None or not str(value).strip():
        return None
    try:
        score = float(value)
    except ValueError:
        score = -1.0  # not a number: said below, like one out of range
    if not 0 <= score <= 1:
        raise InputError(f"{name} {value!r} is not a score: give a number from 0 to 1, such as 0.8")
    return score


def check_english(text: str) -> None:
    """What the store keeps (``ingest``, ``POST /api/documents``): English news, which quotegraph's rules
    and models read. Analysing without storing takes any text."""
    from .language import english_share, looks_english

    if not looks_english(text):
        share, _ = english_share(text)
        raise InputError(f"text does not look like English ({share:.0%} English function words); "
                         "quotegraph reads English news")
