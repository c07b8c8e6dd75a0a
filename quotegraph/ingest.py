"""``quotegraph ingest``: read documents, analyse the new ones on all cores, store them in batches.

Idempotent: a document already stored under the same key (its URL, else a hash of its text) with the
same text is not analysed again, unless ``reanalyze``. Each batch is one transaction, so an ingest
killed midway leaves whole documents only, and running it again completes what is missing.
"""

from __future__ import annotations

import collections
import itertools
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

from .inputs import MAX_DOCUMENT_BYTES, InputError, check_english
from .io import JSONL_SUFFIXES, Document, Failure, expand_paths, read_path, suffix_of
from .model import Analysis
from .parallel import analyze_results
from .progress import Progress
from .store.db import Store, document_key

DEFAULT_BATCH = 50  # documents a transaction
DEFAULT_MAX_BYTES = MAX_DOCUMENT_BYTES  # the one document limit; --max-mb raises it for one ingest
COMMIT_EVERY_S = 10.0  # a slow stream still commits this often
_LOOKUP_CHUNK = 64


@dataclass
class Summary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    statements: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self) | {"failed": [{"id": f.id, "reason": f.reason} for f in self.failed]}

    def __str__(self) -> str:
        lines = [f"{self.read} documents read: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                 f"{len(self.failed)} failed; {self.statements} statements stored in {self.seconds:.1f} s"]
        lines += [f"  failed: {f}" for f in self.failed]
        return "\n".join(lines)


def _not_english(doc: Document) -> Failure | None:
    """The store keeps English only; the reader has checked the rest (inputs.check_document)."""
    try:
        check_english(doc.text)
    except InputError as e:
        return Failure(doc.id, str(e))
    return None


def read_documents(paths: Iterable[str], published: str | None, max_bytes: int, summary: Summary,
                   on_failure=lambda: None) -> Iterator[Document]:
    for path in expand_paths(paths):
        items = [path] if isinstance(path, Failure) else read_path(path, published, max_bytes)
        for item in items:
            summary.read += 1
            problem = item if isinstance(item, Failure) else _not_english(item)
            if problem:
                summary.failed.append(problem)
                on_failure()
            else:
                yield item


def count_documents(paths: Iterable[str]) -> int | None:
    """How many documents the paths hold, when that is cheap to know (for the ETA); else None."""
    total = 0
    for path in expand_paths(paths):
        if isinstance(path, Failure):
            total += 1
        elif path == "-" or suffix_of(path) == ".jsonl.gz":
            return None
        elif suffix_of(path) in JSONL_SUFFIXES:
            try:
                if os.path.getsize(path) > 2**30:
                    return None
                with open(path, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


def ingest(paths: list[str], store: Store, *, published: str | None = None, reanalyze: bool = False,
           jobs: int | None = None, batch_size: int = DEFAULT_BATCH, max_bytes: int = DEFAULT_MAX_BYTES,
           progress: bool = False) -> Summary:
    summary = Summary()
    started = time.perf_counter()
    bar = Progress(progress, count_documents(paths) if progress else None, unit="doc", desc="ingest")
    in_flight: collections.deque[Document] = collections.deque()  # sent for analysis, in order

    def to_analyse() -> Iterator[Document]:
        # Runs in the thread that feeds the worker pool: it reads, and asks the store what it has.
        seen: set[str] = set()
        stream = read_documents(paths, published, max_bytes, summary, on_failure=bar.step)
        while chunk := list(itertools.islice(stream, _LOOKUP_CHUNK)):
            stored = set() if reanalyze else store.unchanged(chunk)
            for doc in chunk:
                key = document_key(doc)
                if key in seen or key in stored:
                    summary.unchanged += 1
                    bar.step()
                    continue
                seen.add(key)
                in_flight.append(doc)
                yield doc

    batch: list[tuple[Document, Analysis]] = []
    last_commit = time.monotonic()

    def commit() -> None:
        nonlocal last_commit
        for stored in store.write(batch):
            setattr(summary, stored.status, getattr(summary, stored.status) + 1)
            summary.statements += stored.statements
        batch.clear()
        last_commit = time.monotonic()

    try:
        for result in analyze_results(to_analyse(), jobs):
            doc = in_flight.popleft()
            bar.step()
            if isinstance(result, Failure):
                summary.failed.append(result)
                continue
            batch.append((doc, result))
            if len(batch) >= batch_size or time.monotonic() - last_commit > COMMIT_EVERY_S:
                commit()
        if batch:
            commit()
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    return summary

