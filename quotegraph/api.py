"""The library's entry points: text in, typed Analysis out."""

from __future__ import annotations

import datetime as _dt
from typing import Iterable, Iterator

from .model import Analysis
from .pipeline import analyze_doc, parse_many


class InputError(ValueError):
    """Input quotegraph cannot analyse, with a message a user can act on."""


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


def _check_text(text) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"text is not valid UTF-8 (byte {e.start})") from None
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    return text


def analyze(text: str, published=None, id: str | None = None) -> Analysis:
    """Every attributed statement in ``text``, with speakers resolved to entities.

    ``published`` (a date or YYYY-MM-DD string) anchors relative dates.
    """
    return next(analyze_many([(text, published, id)]))


def analyze_many(items: Iterable[tuple[str, object, str | None]]) -> Iterator[Analysis]:
    """Analyse (text, published, id) triples, parsing them in batches."""
    checked = [(_check_text(t), check_published(p), i) for t, p, i in items]
    for (text, published, doc_id), doc in zip(checked, parse_many(t for t, _, _ in checked)):
        yield analyze_doc(text, doc, published, doc_id)
