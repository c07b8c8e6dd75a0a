"""Checking what users give: cheap to import, so commands that never analyse text start fast."""

from __future__ import annotations

import datetime as _dt
import re


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
