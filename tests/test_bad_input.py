"""Bad input: one clear ``quotegraph:`` line (or an empty result), never a traceback; a bad
document in a batch is reported and skipped, and every other document is still analysed.

Exit statuses: 0 all good, 1 some documents failed, 2 usage errors.

The 5 MB article takes 3 to 4 minutes on a 2-core machine (QUOTEGRAPH_5MB_LIMIT_S sets its time
limit, 480 s by default); the 1 MB one about 30 s.
"""

from __future__ import annotations

import json
import os
import time

import pytest

import quotegraph
from conftest import (
    SHORT_TEXTS, assert_clean_stderr, assert_valid_analysis, assert_valid_document, jsonl_objects,
    long_article, run_cli, write_jsonl,
)
from test_inputs import DEEP_LINE, SURROGATE_LINE
from test_store import POSTGRES, reset_postgres

from quotegraph.inputs import MAX_DOCUMENT_BYTES

GOOD = SHORT_TEXTS[0]


def _one_line(r) -> str:
    assert_clean_stderr(r)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{r.stderr}"
    return lines[0]


# ---------------------------------------------------------------- single bad inputs

@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    files = {
        "empty": d / "empty.txt",
        "blank": d / "blank.txt",
        "binary": d / "photo.jpg",
        "latin1": d / "latin1.txt",
        "folder": d / "articles",
        "missing": d / "no-such-article.txt",
        "good": d / "good.txt",
    }
    files["empty"].write_bytes(b"")
    files["blank"].write_bytes(b"  \n\n\t\r\n ")
    files["binary"].write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    files["latin1"].write_bytes("Le ministre a déclaré : « Nous ne céderons pas. »".encode("latin-1"))
    files["folder"].mkdir()
    (files["folder"] / "inside.txt").write_text(GOOD, encoding="utf-8")
    files["good"].write_text(GOOD, encoding="utf-8")
    return files


@pytest.mark.parametrize("name", ["empty", "blank"])
def test_an_empty_document_is_skipped(bad_files, name):
    """No text is no document, for extract as for ingest, batch and the API (inputs.check_document)."""
    r = run_cli("extract", bad_files[name], "--format", "json")
    assert r.returncode == 1
    assert _one_line(r) == f"quotegraph: skipped {bad_files[name]}: text is empty"
    assert json.loads(r.stdout) == []


def test_empty_text_in_the_library():
    """The library is no reader of documents: empty text simply holds no statements."""
    for text in ("", " ", "\n\n", "\r\n"):
        assert_valid_analysis(quotegraph.analyze(text), text)
        assert quotegraph.analyze(text).statements == []


@pytest.mark.parametrize("name, says", [
    ("binary", "binary"),
    ("latin1", "UTF-8"),
    ("folder", "folder"),
    ("missing", "no such file"),
])
def test_unreadable_input_is_one_line_and_status_1(bad_files, name, says):
    r = run_cli("extract", bad_files[name], "--format", "json")
    assert r.returncode == 1
    line = _one_line(r)
    assert line.startswith(f"quotegraph: skipped {bad_files[name]}")
    assert says in line
    assert json.loads(r.stdout) == []


def test_invalid_utf8_says_where(bad_files):
    line = _one_line(run_cli("extract", bad_files["latin1"]))
    assert "byte 15" in line  # the é of "déclaré"


def test_binary_on_stdin():
    r = run_cli("extract", "-", "--format", "jsonl", input=b"\x00\x01\x02\x03\xff\xfe" * 100)
    assert r.returncode == 1
    assert "binary" in _one_line(r)
    assert r.stdout == ""


def test_a_file_name_too_long_is_reported(tmp_path):
    r = run_cli("extract", tmp_path / ("x" * 300 + ".txt"))
    assert r.returncode == 1
    assert _one_line(r).startswith("quotegraph: skipped ")


@pytest.mark.parametrize("date", ["2024-13-01", "2024-02-30", "yesterday", "11/03/2024", "2024-03-11junk"])
def test_invalid_published_date_is_a_usage_error(bad_files, date):
    r = run_cli("extract", bad_files["good"], "--published", date)
    assert r.returncode == 2
    line = _one_line(r)
    assert line.startswith("quotegraph: published date") and "YYYY-MM-DD" in line
    assert r.stdout == ""


# ---------------------------------------------------------------- bad documents among good ones

def test_bad_files_among_good_ones_are_skipped(bad_files, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(SHORT_TEXTS[1], encoding="utf-8")
    r = run_cli("extract", bad_files["good"], bad_files["missing"], bad_files["binary"], bad_files["folder"],
                bad_files["latin1"], other, "--format", "jsonl", "--jobs", "1")
    assert r.returncode == 1
    assert_clean_stderr(r)
    docs = jsonl_objects(r.stdout)
    assert [d["id"] for d in docs] == ["good.txt", "other.txt"]
    assert_valid_document(docs[0], GOOD)
    assert_valid_document(docs[1], SHORT_TEXTS[1])
    skipped = r.stderr.splitlines()
    assert len(skipped) == 4
    for name, line in zip(["missing", "binary", "folder", "latin1"], skipped):
        assert line.startswith(f"quotegraph: skipped {bad_files[name]}:")


def test_json_of_a_batch_with_one_survivor_is_still_a_list(bad_files):
    r = run_cli("extract", bad_files["good"], bad_files["missing"], "--format", "json")
    assert r.returncode == 1
    docs = json.loads(r.stdout)
    assert isinstance(docs, list) and [d["id"] for d in docs] == ["good.txt"]


BAD_LINES = [
    '{"id": "broken", "text": "He said',  # malformed JSON
    '{"id": "no-text", "title": "Strike enters second week"}',  # no "text"
    '{"id": "number-text", "text": 42}',  # "text" not a string
    '["not", "an", "object"]',  # not an object
    '"just a string"',
    '{"id": "bad-date", "text": "Police said the road was closed.", "published": "2024-02-30"}',
]


def _batch(path, n_good: int):
    good = [{"id": f"g{i}", "text": SHORT_TEXTS[i % len(SHORT_TEXTS)]} for i in range(n_good)]
    lines = [json.dumps(g) for g in good[:1]] + BAD_LINES[:3] + [json.dumps(g) for g in good[1:]]
    lines[2:2] = [""]  # a blank line is no document and no error
    lines += BAD_LINES[3:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good, lines


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_jsonl_lines_are_skipped_and_the_rest_analysed(tmp_path, jobs):
    good, lines = _batch(tmp_path / "batch.jsonl", n_good=10 if jobs == "2" else 3)
    r = run_cli("extract", tmp_path / "batch.jsonl", "--format", "jsonl", "--jobs", jobs)
    assert r.returncode == 1
    assert_clean_stderr(r)
    docs = jsonl_objects(r.stdout)
    assert [d["id"] for d in docs] == [g["id"] for g in good]
    for d, g in zip(docs, good):
        assert_valid_document(d, g["text"])
    messages = r.stderr.splitlines()
    assert len(messages) == len(BAD_LINES)
    bad_line_numbers = [n for n, line in enumerate(lines, 1) if line in BAD_LINES]
    for n, message in zip(bad_line_numbers, messages):  # each names its line, in the order of the file
        assert message.startswith(f"quotegraph: skipped {tmp_path / 'batch.jsonl'}:{n}: "), (n, messages)
    assert any("malformed JSON" in m for m in messages)
    assert any('"text"' in m for m in messages)
    assert any("2024-02-30" in m and "YYYY-MM-DD" in m for m in messages)


def test_a_jsonl_file_of_only_bad_lines(tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_text("\n".join(BAD_LINES[:4]) + "\n", encoding="utf-8")
    r = run_cli("extract", path, "--format", "json")
    assert r.returncode == 1
    assert_clean_stderr(r)
    assert json.loads(r.stdout) == []
    assert len(r.stderr.splitlines()) == 5  # one per line, and that nothing could be analysed
    assert r.stderr.splitlines()[-1] == "quotegraph: no document could be analysed (4 failed)"


def test_malformed_jsonl_on_stdin(tmp_path):
    stdin = json.dumps({"id": "ok", "text": GOOD}) + "\n{not json}\n"
    r = run_cli("extract", "-", "--format", "jsonl", input=stdin)
    assert r.returncode == 1
    assert [d["id"] for d in jsonl_objects(r.stdout)] == ["ok"]
    assert "<stdin>:2" in _one_line(r)


# line number in _good_among_bad_lines' file: what the reader says of it
BAD_LINE_REASONS = {2: "nested too deeply", 4: "lone surrogate", 6: "NUL character"}


def _good_among_bad_lines(path, n_good: int) -> list[dict]:
    """A JSONL file of ``n_good`` documents and, as lines 2, 4 and 6, one nested 100,000 deep, one holding
    an escaped lone surrogate and one an escaped NUL (which PostgreSQL cannot store)."""
    good = [{"id": f"g{i}", "text": SHORT_TEXTS[i % len(SHORT_TEXTS)], "url": f"https://news.example/{i}"}
            for i in range(n_good)]
    lines = [json.dumps(g) for g in good]
    lines[1:1] = [DEEP_LINE]
    lines[3:3] = [SURROGATE_LINE]
    lines[5:5] = ['{"id": "nul", "text": "Police said\\u0000 the road was closed."}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good


def test_deep_surrogate_and_nul_lines_do_not_stop_extract(tmp_path):
    path = tmp_path / "news.jsonl"
    good = _good_among_bad_lines(path, 5)
    r = run_cli("extract", path, "--format", "jsonl", "--jobs", "1")
    assert r.returncode == 1
    assert_clean_stderr(r)
    assert [d["id"] for d in jsonl_objects(r.stdout)] == [g["id"] for g in good]
    messages = r.stderr.splitlines()
    assert len(messages) == len(BAD_LINE_REASONS)
    for (n, says), message in zip(BAD_LINE_REASONS.items(), messages):
        assert message.startswith(f"quotegraph: skipped {path}:{n}: ") and says in message


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_deep_surrogate_and_nul_lines_do_not_stop_ingest(tmp_path, backend):
    if backend == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL server: set QUOTEGRAPH_TEST_POSTGRES (see .ci/postgres.sh)")
    if backend == "postgresql":
        reset_postgres(POSTGRES)
    path = tmp_path / "news.jsonl"
    good = _good_among_bad_lines(path, 20)
    r = run_cli("ingest", path, "--db", POSTGRES if backend == "postgresql" else tmp_path / "s.db", "--jobs", "1",
                "--json")
    assert r.returncode == 1, r.stderr
    summary = json.loads(r.stdout)
    assert summary["new"] == len(good) == 20
    assert [f["id"] for f in summary["failed"]] == [f"{path}:{n}" for n in BAD_LINE_REASONS]
    for failure, says in zip(summary["failed"], BAD_LINE_REASONS.values()):
        assert says in failure["reason"]


def test_over_the_limit_names_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    r = run_cli("extract", path)
    assert r.returncode == 1
    line = _one_line(r)
    assert line.startswith(f"quotegraph: skipped {path}: text is ") and "the limit is 5 MB a document" in line


def test_all_good_is_status_0(tmp_path):
    path = write_jsonl(tmp_path / "fine.jsonl", [{"id": "a", "text": GOOD}, {"id": "b", "text": SHORT_TEXTS[2]}])
    r = run_cli("extract", path, "--format", "jsonl")
    assert r.returncode == 0 and r.stderr == ""


# ---------------------------------------------------------------- quotation marks gone wrong

def test_a_stray_opening_mark_does_not_swallow_the_article():
    paragraphs = [
        "Council rejects stadium plan",
        "The council leader said “the stadium would bankrupt the town and the vote was final.",
        "Residents had opposed the plan since it was first announced in 2019.",
        "“We are relieved,” said Anna Brook, who lives next to the site.",
        "Developers said they would appeal against the decision.",
    ] * 20
    text = "\n".join(paragraphs) + "\n"
    a = quotegraph.analyze(text)
    assert_valid_analysis(a, text)
    stray = text.index("“the stadium")
    paragraph_end = text.index("\n", stray)
    for s in a.statements:
        for f in s.content:
            assert "\n" not in text[f.start:f.end], f"{s.id} runs over a paragraph: {text[f.start:f.end]!r}"
            if f.start <= stray < f.end:
                assert f.end <= paragraph_end
    # what follows the stray mark is still found, all twenty times
    relieved = [s for s in a.statements if s.text == "“We are relieved,”"]
    assert len(relieved) == 20
    assert all(s.source and s.source.text.startswith("Anna Brook") for s in relieved)


def test_an_unclosed_quote_at_the_end_of_a_paragraph_ends_there():
    text = ("“I will not resign,” the minister said.\n"
            "Asked about the report, she said: “It was never sent to me\n"
            "Opposition leaders said the minister had misled parliament.\n")
    a = quotegraph.analyze(text)
    assert_valid_analysis(a, text)
    second_line_end = text.index("\n", text.index("Asked"))
    for s in a.statements:
        for f in s.content:
            assert not (f.start < second_line_end < f.end)
    assert any(s.text.startswith("the minister had misled") for s in a.statements)


QUOTES_LIMIT_S = 60


@pytest.mark.slow
def test_ten_thousand_quotation_marks(tmp_path):
    marks = "“" * 10_000
    path = tmp_path / "marks.txt"
    path.write_text(marks, encoding="utf-8")
    started = time.monotonic()
    r = run_cli("extract", path, "--format", "json", timeout=QUOTES_LIMIT_S * 3)
    took = time.monotonic() - started
    print(f"\n10,000 quotation marks: {took:.1f} s")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert_valid_document(json.loads(r.stdout), marks)
    assert took < QUOTES_LIMIT_S


def test_ten_thousand_mixed_marks_in_the_library():
    import random

    rnd = random.Random(3)
    text = "".join(rnd.choice(['"', "'", "“", "”", "‘", "’", " ", "said "]) for _ in range(10_000))
    started = time.monotonic()
    a = quotegraph.analyze(text)
    took = time.monotonic() - started
    print(f"\n10,000 mixed marks and cues: {took:.1f} s")
    assert_valid_analysis(a, text)
    assert took < QUOTES_LIMIT_S


# ---------------------------------------------------------------- a very long article

def _within_the_limit(text: str) -> str:
    """``text`` cut at a paragraph end so that it is no more than a document may be (in UTF-8 bytes)."""
    data = text.encode("utf-8")
    if len(data) <= MAX_DOCUMENT_BYTES:
        return text
    return data[:data.rindex(b"\n", 0, MAX_DOCUMENT_BYTES) + 1].decode("utf-8")


def _big_article(tmp_path, megabytes: float, limit_s: float):
    text = _within_the_limit(long_article(int(megabytes * 1024 * 1024)))
    path = tmp_path / f"long-{megabytes}mb.txt"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    r = run_cli("extract", path, "--format", "jsonl", timeout=max(limit_s * 4, 600))
    took = time.monotonic() - started
    print(f"\n{megabytes} MB article ({len(text):,} characters): {took:.1f} s")
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stderr == ""
    (doc,) = jsonl_objects(r.stdout)
    assert len(doc["statements"]) > len(text) // 500
    assert_valid_document(doc, text)
    assert took < limit_s, f"{megabytes} MB took {took:.0f} s (limit {limit_s} s)"


@pytest.mark.slow
def test_a_1_mb_article(tmp_path):
    _big_article(tmp_path, 1, limit_s=60)


@pytest.mark.slow
def test_a_5_mb_article(tmp_path):
    """As long as a document may be: 5 MB of UTF-8."""
    # about 3 to 4 minutes on a 2-core machine, almost all of it spaCy's parse (linear in length)
    _big_article(tmp_path, 5, limit_s=float(os.environ.get("QUOTEGRAPH_5MB_LIMIT_S", 480)))
