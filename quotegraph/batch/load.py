"""``quotegraph load``: a batch's output into the store, idempotently (as ``ingest`` would store it)."""

from __future__ import annotations

import json
import time

from ..io import Document
from ..store import Store, document_key
from . import shards
from .plan import filesystem
from .run import done_entries


def load_batch(out: str, store: Store, batch_size: int = 200) -> dict:
    """Store every document of the batch in ``out`` that the store does not already hold with the same
    text. Returns counts."""
    started = time.perf_counter()
    fs, _ = filesystem(out)
    counts = {"partitions": 0, "documents": 0, "new": 0, "updated": 0, "unchanged": 0, "statements": 0}
    for entry in sorted(done_entries(out).values(), key=lambda e: e["partition"]["id"]):
        counts["partitions"] += 1
        path = next(f for f in entry["files"] if "/documents/" in f)
        rows = shards.read_documents(path, fs)
        for k in range(0, len(rows), batch_size):
            chunk = [(Document(id=r["document"], text=r["text"], published=r["published"], title=r["title"],
                               url=r["url"], author=r["author"], source=r["source"]), r["analysis"])
                     for r in rows[k:k + batch_size]]
            stored = store.unchanged(doc for doc, _ in chunk)
            todo = [(doc, json.loads(analysis)) for doc, analysis in chunk if document_key(doc) not in stored]
            counts["documents"] += len(chunk)
            counts["unchanged"] += len(chunk) - len(todo)
            for written in store.write(todo) if todo else []:
                counts[written.status] += 1
                counts["statements"] += written.statements
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts

