"""What a document is, checked in one place (quotegraph.inputs.check_document), and the readers that
report every bad line, file or folder in one message and go on with the rest.

Fast: nothing here parses text with spaCy, except the two API requests that are let through.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import SHORT_TEXTS

from quotegraph.inputs import MAX_DOCUMENT_BYTES, InputError, check_document
from quotegraph.io import Document, Failure, expand_paths, parse_jsonl, read_path

GOOD = SHORT_TEXTS[0]
LIMIT_WORDS = f"{MAX_DOCUMENT_BYTES // 2**20} MB"

# A JSON line nested far deeper than json.loads can follow (RecursionError), and one whose text holds
# an escaped lone surrogate: valid JSON, but no valid Unicode, so spaCy and the store cannot take it.
DEEP_LINE = "[" * 100_000 + "]" * 100_000
SURROGATE_LINE = '{"id": "broken-pair", "text": "\\ud800 The minister said the plan was working."}'


# ---------------------------------------------------------------- the rules

@pytest.mark.parametrize("fields, says", [
    ({"text": 42}, "text must be a string"),
    ({"text": None}, "text must be a string"),
    ({"text": ""}, "text is empty"),
    ({"text": " \n\t\r\n"}, "text is empty"),
    ({"text": "x" * (MAX_DOCUMENT_BYTES + 1)}, f"the limit is {LIMIT_WORDS} a document"),
    ({"text": "é" * (MAX_DOCUMENT_BYTES // 2 + 1)}, f"the limit is {LIMIT_WORDS} a document"),  # UTF-8 bytes count
    ({"text": "He said \ud800 nothing."}, "U+D800 at character 8"),
    ({"text": GOOD, "title": "Budget \udfff"}, "title holds a lone surrogate (U+DFFF at character 7)"),
    ({"text": GOOD, "title": 42}, "title must be a string"),
    ({"text": GOOD, "url": "https://x.example/\ud83d"}, "url holds a lone surrogate"),
    ({"text": GOOD, "published": "2024-02-30"}, "YYYY-MM-DD"),
    ({"text": "Police said\x00 so."}, "NUL character (U+0000 at character 11)"),  # PostgreSQL cannot store it
    ({"text": GOOD, "author": "Ann\x00"}, "author holds a NUL character"),
])
def test_what_is_not_a_document(fields, says):
    with pytest.raises(InputError) as caught:
        check_document(**fields)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message


def test_a_document_within_the_rules():
    assert check_document(GOOD) is None
    assert check_document(GOOD, title="Budget", published="2024-03-11T10:00:00Z", url="https://x.example/a") \
        == "2024-03-11"
    assert check_document("x" * MAX_DOCUMENT_BYTES) is None  # the limit itself is allowed
    assert check_document("x" * (MAX_DOCUMENT_BYTES + 1), max_bytes=None) is None  # no limit when asked
    assert check_document("A smile 😀 and a pair \U0001F600.") is None  # astral characters are no surrogates


def test_the_library_uses_the_same_check():
    import quotegraph

    with pytest.raises(InputError, match="U\\+D800 at character 8"):
        quotegraph.analyze("He said \ud800 nothing.")
    with pytest.raises(InputError, match=f"the limit is {LIMIT_WORDS}"):
        quotegraph.analyze("x" * (MAX_DOCUMENT_BYTES + 1))


# ---------------------------------------------------------------- JSONL: every bad line one message

def _lines(*middle: str) -> list[str]:
    return [json.dumps({"id": "first", "text": GOOD}), *middle, json.dumps({"id": "last", "text": SHORT_TEXTS[1]})]


@pytest.mark.parametrize("bad, says", [
    (DEEP_LINE, "nested too deeply"),
    (SURROGATE_LINE, "lone surrogate"),
    ('{"id": "empty", "text": "   "}', "text is empty"),
    ('{"id": "nul", "text": "Police said\\u0000 so."}', "NUL character"),
    ('{"id": "t", "text": "Police said so.", "title": ["a", "list"]}', "title must be a string"),
])
def test_a_bad_jsonl_line_is_one_failure_and_the_rest_is_read(bad, says):
    items = list(parse_jsonl(_lines(bad), "news.jsonl"))
    assert [type(i) for i in items] == [Document, Failure, Document]
    assert [items[0].id, items[2].id] == ["first", "last"]
    assert items[1].id == "news.jsonl:2" and says in items[1].reason
    assert "\n" not in str(items[1]) and len(str(items[1])) < 300


def test_a_line_over_the_read_limit_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(_lines(json.dumps({"id": "big", "text": "x" * 50_000}))) + "\n", encoding="utf-8")
    items = list(read_path(str(path), max_bytes=1000))
    assert [i.id for i in items] == ["first", f"{path}:2", "last"]
    assert isinstance(items[1], Failure) and "the limit is 1000 bytes a document" in items[1].reason


def test_a_jsonl_line_may_be_longer_than_its_text(tmp_path):
    """The limit is on the text: escapes and other fields do not count against it."""
    text = "“Yes,” she said. " * 50  # 950 characters, 1,050 UTF-8 bytes, 3,150 bytes as \u escapes
    path = tmp_path / "escaped.jsonl"
    path.write_text(json.dumps({"id": "esc", "text": text}) + "\n", encoding="utf-8")
    (doc,) = read_path(str(path), max_bytes=1100)
    assert isinstance(doc, Document) and doc.text == text


def test_files_follow_the_same_rules(tmp_path):
    empty, big, good = tmp_path / "empty.txt", tmp_path / "big.txt", tmp_path / "good.txt"
    empty.write_text(" \n", encoding="utf-8")
    big.write_text("x" * 2000, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    (failure,) = read_path(str(empty))
    assert str(failure) == f"{empty}: text is empty"
    (failure,) = read_path(str(big), max_bytes=1000)
    assert isinstance(failure, Failure) and "the limit is 1000 bytes a document" in failure.reason
    (doc,) = read_path(str(good), published="2024-03-11")
    assert isinstance(doc, Document) and doc.text == GOOD


# ---------------------------------------------------------------- folders that cannot be read

def _unreadable(monkeypatch, *folders) -> None:
    """os.scandir refuses these folders, as it does for a user without read permission (tests run as
    root here, and root reads any folder)."""
    real = os.scandir
    refused = {os.fspath(f) for f in folders}

    def scandir(path="."):
        if os.fspath(path).rstrip("/") in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "news" / "locked").mkdir(parents=True)
    (tmp_path / "news" / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "news" / "locked" / "b.txt").write_text(SHORT_TEXTS[1], encoding="utf-8")
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "c.txt").write_text(SHORT_TEXTS[2], encoding="utf-8")
    return tmp_path


def test_an_unreadable_folder_is_reported_and_the_rest_read(tree, monkeypatch):
    _unreadable(monkeypatch, tree / "news" / "locked", tree / "closed")
    found = list(expand_paths([str(tree / "news"), str(tree / "closed")]))
    files = [f for f in found if not isinstance(f, Failure)]
    problems = [str(f) for f in found if isinstance(f, Failure)]
    assert files == [str(tree / "news" / "a.txt")]
    assert problems == [f"{tree / 'news' / 'locked'}: cannot be read (Permission denied)",
                        f"{tree / 'closed'}: cannot be read (Permission denied)"]


@pytest.mark.parametrize("pattern, searched", [("**/*.txt", ["closed", "news/locked"]), ("*/*.txt", ["closed"])])
def test_a_glob_reports_the_folders_it_cannot_search(tree, monkeypatch, pattern, searched):
    """Only the folders the pattern would list: "*/*.txt" never looks inside news/locked."""
    _unreadable(monkeypatch, tree / "news" / "locked", tree / "closed")
    found = list(expand_paths([str(tree / pattern)]))
    problems = sorted(str(f) for f in found if isinstance(f, Failure))
    assert problems == [f"{tree / folder}: cannot be read (Permission denied)" for folder in searched]
    assert str(tree / "news" / "a.txt") in found


def test_a_glob_in_a_folder_that_cannot_be_read_says_so(tree, monkeypatch):
    _unreadable(monkeypatch, tree / "closed")
    assert [str(f) for f in expand_paths([str(tree / "closed" / "*.txt")])] == \
        [f"{tree / 'closed'}: cannot be read (Permission denied)"]


def test_an_unreadable_folder_fails_the_ingest(tree, monkeypatch):
    from quotegraph.ingest import Summary, read_documents

    _unreadable(monkeypatch, tree / "news" / "locked")
    summary = Summary()
    docs = list(read_documents([str(tree / "news")], None, MAX_DOCUMENT_BYTES, summary))
    assert [d.id for d in docs] == ["a.txt"]
    assert [str(f) for f in summary.failed] == [f"{tree / 'news' / 'locked'}: cannot be read (Permission denied)"]


def test_an_unreadable_file_in_a_folder_is_reported_and_the_rest_read(tree, monkeypatch):
    import builtins

    from quotegraph.ingest import Summary, read_documents

    locked, real_open = str(tree / "news" / "locked" / "b.txt"), builtins.open

    def refusing_open(file, *args, **kwargs):
        if os.fspath(file) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    summary = Summary()
    docs = list(read_documents([str(tree / "news")], None, MAX_DOCUMENT_BYTES, summary))
    assert [d.id for d in docs] == ["a.txt"]
    assert [str(f) for f in summary.failed] == [f"{locked}: cannot be read (Permission denied)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_a_chmod_000_folder_is_reported(tree):
    locked = tree / "news" / "locked"
    locked.chmod(0)
    try:
        found = [str(f) for f in expand_paths([str(tree / "news")])]
    finally:
        locked.chmod(0o755)
    assert f"{locked}: cannot be read (Permission denied)" in found
    assert str(tree / "news" / "a.txt") in found


def test_a_batch_reports_unreadable_folders(tree, monkeypatch):
    from quotegraph.batch import plan

    _unreadable(monkeypatch, tree / "news" / "locked", tree / "closed")
    partitions, problems = plan([str(tree / "news"), str(tree / "closed")])
    assert [p.files for p in partitions] == [(str(tree / "news" / "a.txt"),)]
    assert sorted(f.id for f in problems) == [str(tree / "closed"), str(tree / "news" / "locked")]
    assert all("cannot be read" in f.reason and "Permission denied" in f.reason for f in problems)


@pytest.mark.parametrize("pattern, searched", [("**/*.txt", ["closed", "news/locked"]), ("*/*.txt", ["closed"])])
def test_a_batch_glob_reports_the_folders_it_cannot_search(tree, monkeypatch, pattern, searched):
    """As the command line's reader does (the same glob_reach): only the folders the pattern would list."""
    from quotegraph.batch import plan

    _unreadable(monkeypatch, tree / "news" / "locked", tree / "closed")
    partitions, problems = plan([str(tree / pattern)])
    assert [p.files for p in partitions] == [(str(tree / "news" / "a.txt"),)]
    assert sorted(f.id for f in problems) == [str(tree / folder) for folder in searched]


# ---------------------------------------------------------------- the API's document-taking endpoints

TOKEN = "t0ken"


@pytest.fixture
def api(tmp_path):
    from fastapi.testclient import TestClient

    from quotegraph.web import create_app

    return TestClient(create_app(f"sqlite:///{tmp_path / 'api.db'}", token=TOKEN), raise_server_exceptions=False)


def _post(api, path: str, body: str):
    return api.post(path, content=body.encode(), headers={"content-type": "application/json",
                                                          "authorization": f"Bearer {TOKEN}"})


@pytest.mark.parametrize("path", ["/api/documents", "/api/analyze"])
@pytest.mark.parametrize("body, says", [
    ('{"text": ""}', "text is empty"),
    ('{"text": " \\n "}', "text is empty"),
    ('{"text": "He said \\ud800 no."}', "U+D800 at character 8"),
    ('{"text": "He said no.", "published": "2024-02-30"}', "YYYY-MM-DD"),
    ('{"text": "He said\\u0000 no."}', "NUL character"),
])
def test_the_api_refuses_what_is_not_a_document(api, path, body, says):
    r = _post(api, path, body)
    assert r.status_code == 422, r.text
    assert says in r.json()["error"]
    assert api.get("/api/documents").json() == []


def test_the_api_refuses_a_bad_title_or_url(api):
    for body, says in [('{"text": "He said no.", "title": "\\udc00"}', "title holds a lone surrogate"),
                       ('{"text": "He said no.", "url": "https://x.example/\\ud800"}', "url holds a lone surrogate")]:
        r = _post(api, "/api/documents", body)
        assert r.status_code == 422 and says in r.json()["error"], r.text
    assert api.get("/api/documents").json() == []
