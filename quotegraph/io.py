"""Reading documents from files, folders, JSONL (plain or gzipped), HTML pages and standard input.

Every problem becomes a Failure with a one-line reason instead of an exception, so one bad document
never stops a batch. Every document read is checked by ``inputs.check_document``, the one check of what a
document is; a failure names its file, and for JSONL its line (``news.jsonl:12``).
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import IO, Iterable, Iterator

from .documents import Document, Failure, unreadable
from .htmlpage import from_html
from .inputs import MAX_DOCUMENT_BYTES, InputError, check_document, size_in_words

# A JSONL line or an HTML page holds more than its text (JSON escapes, markup, other fields): up to this many
# times the document limit is read before the text is checked; past it, an input is refused unread, so
# memory stays bounded.
READ_FACTOR = 4

# What a folder given to `ingest` is searched for; anything else in it is left alone.
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES


def checked(doc: Document, where: str, max_bytes: int | None = MAX_DOCUMENT_BYTES) -> Document | Failure:
    """``doc``, its date made YYYY-MM-DD, when it passes ``check_document``; else why not, at ``where``."""
    try:
        doc.published = check_document(**asdict(doc), max_bytes=max_bytes)
    except InputError as e:
        return Failure(where, str(e))
    return doc


def read_limited(stream: IO[bytes], where: str, max_bytes: int) -> bytes | Failure:
    """All of ``stream``, unless it is over what a document within ``max_bytes`` can be read from."""
    limit = READ_FACTOR * max_bytes
    data = stream.read(limit + 1)
    return _over_read_limit(where, max_bytes) if len(data) > limit else data


def _over_read_limit(where: str, max_bytes: int) -> Failure:
    return Failure(where, f"is over {size_in_words(READ_FACTOR * max_bytes)}, and read no further; "
                          f"the limit is {size_in_words(max_bytes)} a document")


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
            yield from _files_in(path)
        elif glob.has_magic(path):
            yield from _matches(path)
        else:
            yield path  # read_path says what is wrong with it


def _matches(pattern: str) -> Iterator[str | Failure]:
    """The files a glob pattern matches, sorted, after a Failure for each folder on its way that cannot
    be listed (glob itself passes over those without a word)."""
    unreadable_folders = _unreadable_below(pattern)
    found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    yield from (unreadable(e.filename or pattern, e) for e in unreadable_folders)
    if not found and not unreadable_folders:
        yield Failure(pattern, "matches no file")
    yield from found


def glob_reach(pattern: str) -> tuple[str, float]:
    """The folder a glob pattern starts from (before its first wildcard) and how many levels below it the
    pattern lists folders: "news/*.txt" none, "news/*/*.txt" one, "news/**/*.txt" any. For the readers
    of the command line and of batch, which must say which of those folders cannot be listed."""
    parts = pattern.split("/")
    first = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    root = "/".join(parts[:first]) if first else "."
    return root or "/", float("inf") if "**" in parts[first:] else len(parts) - first - 1


def _unreadable_below(pattern: str) -> list[OSError]:
    """The folders a pattern searches that cannot be listed."""
    root, deepest = glob_reach(pattern)
    errors: list[OSError] = []
    for where, folders, _ in os.walk(root, onerror=errors.append):
        depth = os.path.relpath(where, root).count(os.sep) + (where != root)
        folders[:] = [f for f in folders if not f.startswith(".")] if depth < deepest else []
    return errors


def _files_in(folder: str) -> Iterator[str | Failure]:
    """The files of the kinds quotegraph reads in ``folder`` and below, hidden ones left out, sorted.
    A folder that cannot be listed is a Failure of its own, and the rest is still searched."""
    unreadable_folders: list[OSError] = []
    found = []
    for root, folders, files in os.walk(folder, onerror=unreadable_folders.append):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found += [os.path.join(root, f) for f in files if not f.startswith(".") and suffix_of(f) in SUPPORTED_SUFFIXES]
    yield from (unreadable(e.filename or folder, e) for e in unreadable_folders)
    if not found and not unreadable_folders:
        yield Failure(folder, f"is a folder with no {', '.join(SUPPORTED_SUFFIXES)} files in it")
    yield from sorted(f for f in found if os.path.isfile(f))  # as rglob's is_file(): no broken links


def read_path(path: str, published: str | None = None,
              max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Failure]:
    """Documents of one file (.txt, .html/.htm, .jsonl, .jsonl.gz) or '-' for standard input.

    ``max_bytes`` limits each document's text, not a whole JSONL file."""
    if path == "-":
        yield from _read_stdin(published, max_bytes)
        return
    p = Path(path)
    try:  # Path.exists() raises for some errors (a name too long, no permission on the folder)
        exists, is_dir = p.exists(), p.is_dir()
    except OSError as e:
        yield unreadable(path, e)
        return
    if not exists:
        yield Failure(path, "no such file")
        return
    if is_dir:
        yield Failure(path, "is a folder; give the files in it (for example folder/*.txt)")
        return
    try:
        if suffix_of(p) in JSONL_SUFFIXES:
            yield from _read_jsonl_file(p, path, published, max_bytes)
            return
        with open(p, "rb") as stream:
            data = read_limited(stream, path, max_bytes)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield unreadable(path, e)
        return
    yield data if isinstance(data, Failure) else document_of_file(data, path, p.name, published, max_bytes)


def _read_stdin(published: str | None, max_bytes: int) -> Iterator[Document | Failure]:
    data = read_limited(sys.stdin.buffer, "<stdin>", max_bytes)
    text = data if isinstance(data, Failure) else decode(data, "<stdin>")
    if isinstance(text, Failure):
        yield text
    elif _looks_like_jsonl(text):  # standard input: JSONL when every non-blank line is a JSON object
        yield from parse_jsonl(text.splitlines(), "<stdin>", published, max_bytes)
    else:
        yield checked(Document(id="stdin", text=text, published=published), "<stdin>", max_bytes)


def document_of_file(data: bytes, where: str, name: str, published: str | None = None,
                     max_bytes: int = MAX_DOCUMENT_BYTES) -> Document | Failure:
    """A .txt file's or an HTML page's bytes as a Document named ``name`` (the kind from ``where``)."""
    text = decode(data, where)
    if isinstance(text, Failure):
        return text
    if suffix_of(where) in HTML_SUFFIXES:
        doc = from_html(text, where, name, published)
    else:
        doc = Document(id=name, text=text, published=published)
    return doc if isinstance(doc, Failure) else checked(doc, where, max_bytes)


def _read_jsonl_file(p: Path, where: str, published: str | None, max_bytes: int) -> Iterator[Document | Failure]:
    opener = gzip.open if suffix_of(p) == ".jsonl.gz" else open
    with opener(p, "rb") as stream:
        yield from parse_jsonl(_lines(stream, READ_FACTOR * max_bytes), where, published, max_bytes)


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes]:
    """Lines of a binary stream, a line over ``limit`` bytes cut there (and then refused whole)."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the oversized line without holding it
        yield line


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and all(ln.lstrip().startswith("{") for ln in lines[:5])


def parse_jsonl(lines: Iterable[str | bytes], where: str, published: str | None = None,
                max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Failure]:
    """One Document per JSON object line (``id``, ``text``, optional ``published``, ``title``,
    ``url``, ``author``, ``source``); a line that is none is one Failure, and the next line is read."""
    for n, line in enumerate(lines, 1):
        place = f"{where}:{n}"
        if len(line) > READ_FACTOR * max_bytes:
            yield _over_read_limit(place, max_bytes)
            continue
        if isinstance(line, bytes):
            line = decode(line, place)
            if isinstance(line, Failure):
                yield line
                continue
        if not line.strip():
            continue
        yield _document_of(line, place, published, max_bytes)


def _document_of(line: str, place: str, published: str | None, max_bytes: int) -> Document | Failure:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        return Failure(place, f"malformed JSON ({e.msg} at column {e.colno})")
    except RecursionError:  # json.loads follows nesting by recursion: [[[[...]]]] thousands deep
        return Failure(place, "is JSON nested too deeply (arrays or objects inside one another) to be a document")
    return document_of_record(record, place, published, max_bytes)


def document_of_record(record, place: str, published: str | None = None,
                       max_bytes: int = MAX_DOCUMENT_BYTES) -> Document | Failure:
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

    doc = Document(
        id=str(record.get("id") or place),
        text=body,
        published=optional("published") or optional("publication_date") or published,
        title=record.get("title") or None,  # not made a string: check_document says when it is none
        url=optional("url"),
        author=optional("author"),
        source=optional("source"),
    )
    return checked(doc, place, max_bytes)
