"""A batch's Parquet shards: the output contract as tables, one file per partition and table.

``statements``, ``entities``, ``relations`` and ``times`` hold the contract's objects, one a row, each with
the ``document`` it belongs to; spans stay structs and lists stay lists. ``documents`` holds each
document's metadata, its text and its whole analysis (the contract's document object as JSON), which
is what ``quotegraph load`` stores.
"""

from __future__ import annotations

import json
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

_SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
_OFFSETS = pa.struct([("start", pa.int64()), ("end", pa.int64())])
_STR = pa.string()

SCHEMAS = {
    "documents": pa.schema([("document", _STR), ("key", _STR), ("published", _STR), ("title", _STR), ("url", _STR),
                            ("author", _STR), ("source", _STR), ("statement_count", pa.int64()), ("text", _STR),
                            ("analysis", _STR)]),
    "statements": pa.schema([("document", _STR), ("id", _STR), ("kind", _STR), ("content", pa.list_(_OFFSETS)),
                             ("text", _STR), ("source", _SPAN), ("cue", _SPAN), ("speaker", _STR), ("nested_in", _STR),
                             ("said_on", _STR), ("times", pa.list_(_STR))]),
    "entities": pa.schema([("document", _STR), ("id", _STR), ("name", _STR), ("type", _STR),
                           ("mentions", pa.list_(_SPAN)), ("descriptors", pa.list_(_STR)), ("unnamed", pa.bool_()),
                           ("affiliation", _STR)]),
    "relations": pa.schema([("document", _STR), ("type", _STR), ("from", _STR), ("to", _STR), ("evidence", _SPAN),
                            ("score", pa.float64())]),
    "times": pa.schema([("document", _STR), ("id", _STR), ("start", pa.int64()), ("end", pa.int64()), ("text", _STR),
                        ("value", _STR), ("statement", _STR)]),
}
TABLES = tuple(SCHEMAS)


def rows(documents: Iterable[tuple]) -> dict[str, list[dict]]:
    """The tables' rows for (Document, key, contract) triples."""
    out: dict[str, list[dict]] = {name: [] for name in TABLES}
    for doc, key, contract in documents:
        out["documents"].append({"document": doc.id, "key": key, "published": contract["published"],
                                 "title": doc.title, "url": doc.url, "author": doc.author, "source": doc.source,
                                 "statement_count": len(contract["statements"]), "text": doc.text,
                                 "analysis": json.dumps(contract, ensure_ascii=False)})
        for table in ("statements", "entities", "relations", "times"):
            out[table] += [{"document": doc.id, **item} for item in contract[table]]
    return out


def write(tables: dict[str, list[dict]], path_of, filesystem) -> list[str]:
    """Write each table to the path ``path_of(table)`` gives, through a temporary name and a rename, so
    a shard is either whole or absent. Returns the paths."""
    written = []
    for name, table_rows in tables.items():
        path = path_of(name)
        temporary = path + ".tmp"
        with filesystem.open(temporary, "wb") as f:
            pq.write_table(pa.Table.from_pylist(table_rows, schema=SCHEMAS[name]), f)
        filesystem.mv(temporary, path)
        written.append(path)
    return written


def read_documents(path: str, filesystem) -> list[dict]:
    with filesystem.open(path, "rb") as f:
        return pq.read_table(f).to_pylist()
