"""The integers the web app takes (ids, counts), bounded before they reach the store.

An integer beyond what the database holds makes its driver fail (an OverflowError in SQLite's, "integer
out of range" in PostgreSQL). Every route declares its integers with these types, so that anything out of
range is answered with 422 naming the parameter and its bound, before any query runs.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

from ..store.queries import MAX_COUNT, MAX_ID

StoredId = Annotated[int, Ge(1), Le(MAX_ID)]  # a row id: documents and entities count from 1
Count = Annotated[int, Ge(0), Le(MAX_COUNT)]  # a limit or offset; 0 is meaningful for both
AtLeastOne = Annotated[int, Ge(1), Le(MAX_ID)]  # a least count of rows (min_reports): none exceeds the largest id
