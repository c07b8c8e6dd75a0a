"""The library's entry points: text in, typed Analysis out."""

from __future__ import annotations

from typing import Iterable, Iterator

from .inputs import InputError, check_published
from .model import Analysis
from .pipeline import analyze_doc, parse_many


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
