"""Reading documents from files, JSONL and standard input; every problem becomes a Failure
with a one-line reason instead of an exception, so one bad document never stops a batch."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

MAX_BYTES = 50 * 1024 * 1024  # larger inputs are refused rather than exhausting memory


@dataclass
class Document:
    id: str
    text: str
    published: str | None = None
    title: str | None = None
    url: str | None = None


@dataclass
class Failure:
    id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


def _decode(data: bytes, where: str) -> str | Failure:
    if b"\x00" in data[:8192]:
        return Failure(where, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Failure(where, f"is not valid UTF-8 (byte {e.start}); convert it to UTF-8 first")
    return text[1:] if text.startswith("\ufeff") else text


def read_path(path: str, published: str | None = None) -> Iterator[Document | Failure]:
    """Documents of one PATH argument: a .txt file, a .jsonl file, or '-' for standard input."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        yield from _from_bytes(data, "<stdin>", "stdin", published)
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
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            yield Failure(path, f"is {size // 2**20} MB; the limit is {MAX_BYTES // 2**20} MB a file")
            return
        data = p.read_bytes()
    except OSError as e:
        yield Failure(path, f"cannot be read ({e.strerror or e})")
        return
    yield from _from_bytes(data, path, p.name, published, jsonl=p.suffix.lower() == ".jsonl")


def _from_bytes(data: bytes, where: str, doc_id: str, published: str | None,
                jsonl: bool | None = None) -> Iterator[Document | Failure]:
    if len(data) > MAX_BYTES:
        yield Failure(where, f"is over {MAX_BYTES // 2**20} MB; the limit is {MAX_BYTES // 2**20} MB a document")
        return
    text = _decode(data, where)
    if isinstance(text, Failure):
        yield text
        return
    if jsonl is None:  # standard input: JSONL when every non-blank line is a JSON object
        jsonl = _looks_like_jsonl(text)
    if jsonl:
        yield from parse_jsonl(text, where, published)
    else:
        yield Document(id=doc_id, text=text, published=published)


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and all(ln.lstrip().startswith("{") for ln in lines[:5])


def parse_jsonl(text: str, where: str, published: str | None = None) -> Iterator[Document | Failure]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        place = f"{where}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield Failure(place, f"malformed JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(record, dict):
            yield Failure(place, "each line must be a JSON object with at least \"text\"")
            continue
        body = record.get("text")
        if not isinstance(body, str):
            yield Failure(place, "has no \"text\" string")
            continue
        yield Document(
            id=str(record.get("id") or place),
            text=body,
            published=record.get("published") or record.get("publication_date") or published,
            title=record.get("title"),
            url=record.get("url"),
        )
