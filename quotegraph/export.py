"""Writing stored results as JSONL, CSV or Parquet.

JSONL keeps the output contract's nested shape. CSV and Parquet are tables, one statement a row:
spans become ``*_start``/``*_end``/``*_text`` columns and lists (``times``, and ``relations``: those the
statement makes, with their scores) become JSON strings.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

STATEMENT_COLUMNS = [
    "document_key", "document_id", "document_title", "document_url", "published",
    "statement_id", "kind", "text", "content", "source_text", "source_start", "source_end",
    "cue_text", "cue_start", "cue_end", "speaker", "entity_id", "entity_name", "nested_in", "said_on", "date",
    "times", "relations", "claim_id",
]


def flat_statement(record: dict) -> dict:
    """A stored statement (contract shape plus document, entity and date) as one flat row."""
    source, cue, doc, entity = record["source"] or {}, record["cue"] or {}, record["document"], record["entity"] or {}
    return {
        "document_key": doc["key"], "document_id": doc["id"], "document_title": doc["title"],
        "document_url": doc["url"], "published": doc["published"],
        "statement_id": record["id"], "kind": record["kind"], "text": record["text"],
        "content": json.dumps(record["content"]),
        "source_text": source.get("text"), "source_start": source.get("start"), "source_end": source.get("end"),
        "cue_text": cue.get("text"), "cue_start": cue.get("start"), "cue_end": cue.get("end"),
        "speaker": record["speaker"], "entity_id": entity.get("id"), "entity_name": entity.get("name"),
        "nested_in": record["nested_in"], "said_on": record["said_on"], "date": record["date"],
        "times": json.dumps(record["times"]),
        # the relations the statement makes, each with its type, target, evidence and score
        "relations": json.dumps(record["relations"], ensure_ascii=False),
        "claim_id": record["claim"],  # the claim across articles it reports
    }


def write_jsonl(records: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(statements: Iterable[dict], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS)
    writer.writeheader()
    n = 0
    for record in statements:
        writer.writerow(flat_statement(record))
        n += 1
    return n


def parquet_schema():
    import pyarrow as pa

    ints = {"source_start", "source_end", "cue_start", "cue_end", "entity_id", "claim_id"}
    return pa.schema([(c, pa.int64() if c in ints else pa.string()) for c in STATEMENT_COLUMNS])


def write_parquet(statements: Iterable[dict], path: str, rows_per_group: int = 50_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict] = []
        for record in statements:
            chunk.append(flat_statement(record))
            if len(chunk) >= rows_per_group:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n, chunk = n + len(chunk), []
        if chunk or not n:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n
