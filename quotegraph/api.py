"""The library's entry points: text in, typed Analysis out."""

from __future__ import annotations

from typing import Iterable, Iterator

from .inputs import MAX_DOCUMENT_BYTES, InputError, check_published, check_text
from .model import Analysis
from .pipeline import analyze_doc, mode_stages, parse_many


def analyze(text: str, published=None, id: str | None = None, *,
            max_bytes: int | None = MAX_DOCUMENT_BYTES, mode: str | None = None) -> Analysis:
    """Every attributed statement in ``text``, with speakers resolved to entities.

    ``published`` (a date or YYYY-MM-DD string) anchors relative dates. ``text`` is checked as every
    document is (``quotegraph.inputs.check_text``: valid Unicode, at most ``max_bytes`` of UTF-8, 5 MB
    unless given; None for no limit); empty text holds no statements. ``mode``: "fast" (the rules
    alone, the default) or "accurate" (with the attribution tagger; by default $QUOTEGRAPH_MODE's).
    Raises InputError.
    """
    return next(analyze_many([(text, published, id)], max_bytes=max_bytes, mode=mode))


def analyze_many(items: Iterable[tuple[str, object, str | None]], *,
                 max_bytes: int | None = MAX_DOCUMENT_BYTES, mode: str | None = None) -> Iterator[Analysis]:
    """Analyse (text, published, id) triples, parsing them in batches."""
    try:
        stages = mode_stages(mode)
    except ValueError as e:
        raise InputError(str(e)) from None
    checked = [(_checked(t, max_bytes), check_published(p), i) for t, p, i in items]
    for (text, published, doc_id), doc in zip(checked, parse_many(t for t, _, _ in checked)):
        yield analyze_doc(text, doc, published, doc_id, stages)


def _checked(text, max_bytes: int | None) -> str:
    """``text`` checked, UTF-8 bytes decoded first."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"text is not valid UTF-8 (byte {e.start})") from None
    check_text(text, max_bytes)
    return text
