"""Cutting a batch's inputs into partitions, and reading one partition's documents on a worker.

A partition is a stretch of one input: lines of a JSONL file, a whole JSONL.gz file (it cannot be
entered midway), row groups of a Parquet file, or a group of .txt/.html files. Its id is derived from
what it covers, so the same command plans the same partitions every time: that is what lets a rerun
skip the ones already written.

Inputs are local paths or any fsspec URL (``s3://…``, ``gs://…``) with the matching fsspec package.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

from ..documents import unreadable
from ..inputs import MAX_DOCUMENT_BYTES
from ..io import (HTML_SUFFIXES, TEXT_SUFFIXES, Document, Failure, document_of_file, document_of_record, glob_reach,
                  parse_jsonl, read_limited, suffix_of)

BATCH_SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet") + TEXT_SUFFIXES + HTML_SUFFIXES
DEFAULT_PARTITION_SIZE = 100


@dataclass(frozen=True)
class Partition:
    kind: str  # "jsonl", "jsonl.gz", "parquet", "files"
    url: str  # the input file ("files": the folder or pattern given)
    start: int = 0  # first line / row group / file index
    stop: int = 0  # one past the last
    offset: int = 0  # "jsonl": the byte where line ``start`` begins, so a worker seeks instead of reading
    rows: int = 0  # "parquet": rows in its row groups

    @property
    def size(self) -> int | None:
        """Documents (or lines) it holds, where known without reading it: for the progress bar."""
        if self.kind == "jsonl":
            return self.stop - self.start
        if self.kind == "files":
            return len(self.files)
        return self.rows or None
    files: tuple[str, ...] = field(default=())  # "files": the documents' own paths

    @property
    def id(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]
        return f"p-{digest}"

    def to_dict(self) -> dict:
        return asdict(self) | {"id": self.id}


def filesystem(url: str):
    """The fsspec filesystem a URL or path lies on, and the path within it."""
    import fsspec

    return fsspec.core.url_to_fs(url)


def _files(url: str) -> tuple[list[str], list[Failure]]:
    """The input files a URL names (itself, a folder's files, or a glob's matches), and each folder on
    the way that cannot be listed, as a Failure: the rest is still searched."""
    fs, path = filesystem(url)
    protocol = url.split("://", 1)[0] + "://" if "://" in url else ""
    problems: list[Failure] = []
    if any(ch in path for ch in "*?["):
        found = fs.glob(path)
        _check_searchable(fs, path, problems)
    elif fs.isdir(path):
        found = _find(fs, path, problems)
    elif fs.exists(path):
        found = [path]
    else:
        raise FileNotFoundError(url)
    keep = sorted(p for p in found if suffix_of(p) in BATCH_SUFFIXES and not _hidden(p))
    return [protocol + p if protocol and not p.startswith(protocol) else p for p in keep], problems


def _find(fs, folder: str, problems: list[Failure], depth: float = float("inf")) -> list[str]:
    """The files in ``folder`` and in folders down to ``depth`` levels below it; a folder that cannot be
    listed is added to ``problems``. (fs.find would skip it in silence: fsspec hands its on_error to the
    top folder only.)"""
    files, pending = [], [(folder, 0)]
    while pending:
        here, level = pending.pop()
        try:
            listing = fs.ls(here, detail=True)
        except OSError as e:
            problems.append(unreadable(here, e))
            continue
        for info in listing:
            name = info["name"].rstrip("/")
            if info["type"] != "directory":
                files.append(name)
            elif name != here.rstrip("/") and level < depth and not _hidden(name.rsplit("/", 1)[-1]):
                pending.append((name, level + 1))
    return files


def _check_searchable(fs, pattern: str, problems: list[Failure]) -> None:
    """The folders a glob searches that cannot be listed, added to ``problems`` (fs.glob passes over them
    without a word)."""
    root, depth = glob_reach(pattern)
    _find(fs, root, problems, depth)


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.replace("\\", "/").split("/") if part not in ("", ".", ".."))


def plan(inputs: Iterable[str], partition_size: int = DEFAULT_PARTITION_SIZE) -> tuple[list[Partition], list[Failure]]:
    """Partitions for the inputs, in a stable order; inputs that cannot be read are failures."""
    partitions: list[Partition] = []
    problems: list[Failure] = []
    for url in inputs:
        try:
            files, unreadable = _files(url)
        except (FileNotFoundError, OSError) as e:
            problems.append(Failure(url, f"cannot be read ({e.__class__.__name__}: {e})"))
            continue
        problems += unreadable
        if not files and not unreadable:
            problems.append(Failure(url, "holds no .jsonl, .jsonl.gz, .parquet, .txt or .html file"))
        loose = [f for f in files if suffix_of(f) in TEXT_SUFFIXES + HTML_SUFFIXES]
        for f in files:
            try:
                partitions += _cut(f, partition_size)
            except Exception as e:  # a corrupt Parquet footer, a vanished file
                problems.append(Failure(f, f"cannot be read ({e.__class__.__name__}: {e})"))
        for k in range(0, len(loose), partition_size):
            partitions.append(Partition("files", url, k, min(k + partition_size, len(loose)),
                                        files=tuple(loose[k:k + partition_size])))
    return partitions, problems


def _cut(url: str, size: int) -> list[Partition]:
    suffix = suffix_of(url)
    if suffix == ".jsonl.gz":
        return [Partition("jsonl.gz", url)]
    fs, path = filesystem(url)
    if suffix == ".jsonl":
        out, offset, n = [], 0, 0
        with fs.open(path, "rb") as f:
            for n, line in enumerate(f, 1):
                if (n - 1) % size == 0:
                    out.append([n - 1, offset])
                offset += len(line)
        return [Partition("jsonl", url, start, min(start + size, n), at) for start, at in out]
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        with fs.open(path, "rb") as f:
            meta = pq.ParquetFile(f).metadata
        groups, rows, first = [], 0, 0
        for g in range(meta.num_row_groups):
            rows += meta.row_group(g).num_rows
            if rows >= size:
                groups.append(Partition("parquet", url, first, g + 1, rows=rows))
                first, rows = g + 1, 0
        if first < meta.num_row_groups:
            groups.append(Partition("parquet", url, first, meta.num_row_groups, rows=rows))
        return groups
    return []  # .txt and .html files are grouped by the caller


# ---------------------------------------------------------------- reading, on a worker

def read(partition: Partition) -> Iterator[Document | Failure]:
    """The partition's documents (or why one could not be read)."""
    fs, path = filesystem(partition.url)
    if partition.kind in ("jsonl", "jsonl.gz"):
        compression = "gzip" if partition.kind == "jsonl.gz" else None
        with fs.open(path, "rb", compression=compression) as f:
            if partition.kind == "jsonl":
                f.seek(partition.offset)
                lines = itertools.islice(f, partition.stop - partition.start)
            else:
                lines = f
            for item in parse_jsonl(lines, partition.url):
                yield _renumbered(item, partition)
    elif partition.kind == "parquet":
        yield from _parquet_rows(fs, path, partition)
    else:
        for url in partition.files:
            yield _one_file(url)


def _renumbered(item: Document | Failure, partition: Partition) -> Document | Failure:
    """parse_jsonl counts lines from 1 within what it was given: make places name the file's line."""
    if partition.kind != "jsonl" or not partition.start:
        return item
    where, _, line = item.id.rpartition(":")
    if where == partition.url and line.isdigit():
        place = f"{where}:{int(line) + partition.start}"
        if isinstance(item, Failure):
            return Failure(place, item.reason)
        item.id = place
    return item


def _parquet_rows(fs, path: str, partition: Partition) -> Iterator[Document | Failure]:
    import pyarrow.parquet as pq

    with fs.open(path, "rb") as f:
        table = pq.ParquetFile(f).read_row_groups(list(range(partition.start, partition.stop)))
    for n, row in enumerate(table.to_pylist()):
        yield document_of_record(row, f"{partition.url}:row-group-{partition.start}+{n}")


def _one_file(url: str) -> Document | Failure:
    fs, path = filesystem(url)
    try:
        with fs.open(path, "rb") as f:
            data = read_limited(f, url, MAX_DOCUMENT_BYTES)
    except OSError as e:
        return Failure(url, f"cannot be read ({e})")
    return data if isinstance(data, Failure) else document_of_file(data, url, path.rsplit("/", 1)[-1])
