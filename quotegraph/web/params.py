"""The integers the web app takes (ids, counts), bounded before they reach the store, and the one answer
to an id that names nothing.

An integer beyond what the database holds makes its driver fail (an OverflowError in SQLite's, "integer
out of range" in PostgreSQL). Every route declares its integers with these types, so that anything out of
range is answered with 422 naming the parameter and its bound, before any query runs.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from annotated_types import Ge, Le
from fastapi import HTTPException

from ..store.queries import MAX_COUNT, MAX_ID

StoredId = Annotated[int, Ge(1), Le(MAX_ID)]  # a row id: documents and entities count from 1
Count = Annotated[int, Ge(0), Le(MAX_COUNT)]  # a limit or offset; 0 is meaningful for both
AtLeastOne = Annotated[int, Ge(1), Le(MAX_ID)]  # a least count of rows (min_reports): none exceeds the largest id

Found = TypeVar("Found")


def or_404(found: Found | None, what: str) -> Found:
    """What the store found for an id in the path or query, or 404 naming it ("no claim #7")."""
    if found is None:
        raise HTTPException(404, f"no {what}")
    return found
