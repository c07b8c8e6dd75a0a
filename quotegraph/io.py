"""Reading documents from files, folders, JSONL (plain or gzipped), HTML pages and standard input.

Every problem becomes a Failure with a one-line reason instead of an exception, so one bad document
never stops a batch.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

MAX_BYTES = 50 * 1024 * 1024  # larger inputs are refused rather than exhausting memory

# What a folder given to `ingest` is searched for; anything else in it is left alone.
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES


@dataclass
class Document:
    id: str
    text: str
    published: str | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    source: str | None = None  # the outlet: "BBC News", "example.com"


@dataclass
class Failure:
    id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


def _size_words(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def _too_big(where: str, size: int, limit: int) -> Failure:
    return Failure(where, f"is {_size_words(size)}; the limit is {_size_words(limit)} a document")


def decode(data: bytes, where: str) -> str | Failure:
    if b"\x00" in data[:8192]:
        return Failure(where, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Failure(where, f"is not valid UTF-8 (byte {e.start}); convert it to UTF-8 first")
    return text[1:] if text.startswith("\ufeff") else text


def suffix_of(path: str | Path) -> str:
    name = str(path).lower()
    return next((s for s in (".jsonl.gz",) if name.endswith(s)), os.path.splitext(name)[1])


def expand_paths(paths: Iterable[str]) -> Iterator[str | Failure]:
    """Files named by PATH arguments: files as given, folders searched (recursively) for the kinds
    quotegraph reads, and glob patterns (``news/**/*.html``) when the shell has not expanded them."""
    for path in paths:
        if path == "-" or os.path.isfile(path):
            yield path
        elif os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).rglob("*")
                           if p.is_file() and suffix_of(p) in SUPPORTED_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                yield Failure(path, f"is a folder with no {', '.join(SUPPORTED_SUFFIXES)} files in it")
            yield from found
        elif glob.has_magic(path):
            found = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
            if not found:
                yield Failure(path, "matches no file")
            yield from found
        else:
            yield path  # read_path says what is wrong with it


def read_path(path: str, published: str | None = None, max_bytes: int = MAX_BYTES) -> Iterator[Document | Failure]:
    """Documents of one file (.txt, .html/.htm, .jsonl, .jsonl.gz) or '-' for standard input.

    ``max_bytes`` limits each document (for JSONL, each line), not a whole JSONL file."""
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield Failure("<stdin>", f"is over {_size_words(max_bytes)}; the limit is {_size_words(max_bytes)} a document")
            return
        text = decode(data, "<stdin>")
        if isinstance(text, Failure):
            yield text
        elif _looks_like_jsonl(text):  # standard input: JSONL when every non-blank line is a JSON object
            yield from parse_jsonl(text.splitlines(), "<stdin>", published, max_bytes)
        else:
            yield Document(id="stdin", text=text, published=published)
        return
    p = Path(path)
    try:  # Path.exists() raises for some errors (a name too long, no permission on the folder)
        exists, is_dir = p.exists(), p.is_dir()
    except OSError as e:
        yield Failure(path, f"cannot be read ({e.strerror or e})")
        return
    if not exists:
        yield Failure(path, "no such file")
        return
    if is_dir:
        yield Failure(path, "is a folder; give the files in it (for example folder/*.txt)")
        return
    suffix = suffix_of(p)
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl_file(p, path, published, max_bytes)
            return
        size = p.stat().st_size
        if size > max_bytes:
            yield _too_big(path, size, max_bytes)
            return
        data = p.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield Failure(path, f"cannot be read ({getattr(e, 'strerror', None) or e})")
        return
    yield document_of_file(data, path, p.name, published)


def document_of_file(data: bytes, where: str, name: str, published: str | None = None) -> Document | Failure:
    """A .txt file's or an HTML page's bytes as a Document named ``name`` (the kind from ``where``)."""
    text = decode(data, where)
    if isinstance(text, Failure):
        return text
    if suffix_of(where) in HTML_SUFFIXES:
        from .htmlpage import from_html

        return from_html(text, where, name, published)
    return Document(id=name, text=text, published=published)


def _read_jsonl_file(p: Path, where: str, published: str | None, max_bytes: int) -> Iterator[Document | Failure]:
    opener = gzip.open if suffix_of(p) == ".jsonl.gz" else open
    with opener(p, "rb") as stream:
        yield from parse_jsonl(_lines(stream, max_bytes), where, published, max_bytes)


def _lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    """Lines of a binary stream, a line over ``max_bytes`` cut there (and then refused whole)."""
    while line := stream.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the oversized line without holding it
        yield line


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and all(ln.lstrip().startswith("{") for ln in lines[:5])


def parse_jsonl(lines: Iterable[str | bytes], where: str, published: str | None = None,
                max_bytes: int = MAX_BYTES) -> Iterator[Document | Failure]:
    """One Document per JSON object line (``id``, ``text``, optional ``published``, ``title``,
    ``url``, ``author``, ``source``)."""
    for n, line in enumerate(lines, 1):
        place = f"{where}:{n}"
        if len(line) > max_bytes:
            yield _too_big(place, len(line), max_bytes)
            continue
        if isinstance(line, bytes):
            line = decode(line, place)
            if isinstance(line, Failure):
                yield line
                continue
        if not line.strip():
            continue
        yield _document_of(line, place, published)


def _document_of(line: str, place: str, published: str | None) -> Document | Failure:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        return Failure(place, f"malformed JSON ({e.msg} at column {e.colno})")
    return document_of_record(record, place, published)


def document_of_record(record, place: str, published: str | None = None) -> Document | Failure:
    """A JSONL object or a Parquet row as a Document: ``text``, optional ``id``, ``published`` (or
    ``publication_date``), ``title``, ``url``, ``author``, ``source``."""
    if not isinstance(record, dict):
        return Failure(place, "each line must be a JSON object with at least \"text\"")
    body = record.get("text")
    if not isinstance(body, str):
        return Failure(place, "has no \"text\" string")

    def optional(name: str) -> str | None:
        value = record.get(name)
        return str(value) if value not in (None, "") else None

    return Document(
        id=str(record.get("id") or place),
        text=body,
        published=optional("published") or optional("publication_date") or published,
        title=optional("title"),
        url=optional("url"),
        author=optional("author"),
        source=optional("source"),
    )
