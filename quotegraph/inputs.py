"""Checking what users give: cheap to import, so commands that never analyse text start fast."""

from __future__ import annotations

import datetime as _dt


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
