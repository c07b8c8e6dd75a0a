"""The output contract: what ``Analysis.to_dict()`` and ``quotegraph extract`` hand out.

Every document object validates against quotegraph/schema/analysis.schema.json; every offset is
a Python index into the document text as read, so ``text[start:end]`` is the reported text.
"""

from __future__ import annotations

import copy
import json
import os
import pty
import select
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

import quotegraph
from conftest import (
    ARTICLE, SCHEMA, SHORT_TEXTS, VALIDATOR, assert_clean_stderr, assert_valid_analysis, assert_valid_document,
    jsonl_objects, quotegraph_cmd, run_cli, write_jsonl,
)


# ---------------------------------------------------------------- the schema itself

def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_validation_is_not_vacuous(article_analysis):
    """The checks used throughout catch a broken document (so passing them means something)."""
    good = article_analysis.to_dict()
    assert good["statements"], "the test article should give statements"
    breakages = [
        lambda d: d.pop("entities"),
        lambda d: d["statements"][0].update(kind="quoted"),
        lambda d: d["statements"][0].update(content=[]),
        lambda d: d.update(published="11/03/2024"),
        lambda d: d["statements"][0]["content"][0].update(start=-1),
    ]
    for breakage in breakages:
        bad = copy.deepcopy(good)
        breakage(bad)
        assert list(VALIDATOR.iter_errors(bad)), f"schema accepted a broken document ({breakage})"
    offset_breakages = [
        lambda d: d["statements"][0]["content"][0].update(end=len(ARTICLE) + 5),
        lambda d: d["statements"][0].update(text=d["statements"][0]["text"] + " "),
        lambda d: d["statements"][0].update(speaker="e999"),
        lambda d: d["statements"][0].update(nested_in="s999"),
        lambda d: d["entities"][0]["mentions"][0].update(start=d["entities"][0]["mentions"][0]["start"] + 1),
    ]
    for breakage in offset_breakages:
        bad = copy.deepcopy(good)
        breakage(bad)
        with pytest.raises(AssertionError):
            assert_valid_document(bad, ARTICLE)


# ---------------------------------------------------------------- the library

def test_article_analysis_meets_the_contract(article_analysis):
    d = assert_valid_analysis(article_analysis, ARTICLE)
    assert d["id"] == "strike" and d["published"] == "2024-03-11"
    assert len(d["statements"]) >= 3
    assert any(s["speaker"] for s in d["statements"])
    assert any(len(s["content"]) > 1 for s in d["statements"]), "a quotation interrupted by its cue"
    # the text itself is not repeated in the document object
    assert "text" not in d


def test_to_dict_is_plain_json(article_analysis):
    d = article_analysis.to_dict()
    assert json.loads(json.dumps(d)) == d


@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_short_texts_meet_the_contract(text):
    assert_valid_analysis(quotegraph.analyze(text), text)


def test_published_accepts_dates_and_iso_strings():
    import datetime as dt

    text = SHORT_TEXTS[0]
    assert quotegraph.analyze(text, published=dt.date(2023, 1, 31)).published == "2023-01-31"
    assert quotegraph.analyze(text, published="2023-01-31").published == "2023-01-31"
    assert quotegraph.analyze(text, published=None).published is None


# ---------------------------------------------------------------- the command, on files

@pytest.fixture(scope="module")
def article_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("contract") / "strike.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def cli_json(article_file):
    r = run_cli("extract", article_file, "--published", "2024-03-11", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    return json.loads(r.stdout)


def test_cli_json_for_one_file_is_one_valid_object(cli_json, article_file):
    assert isinstance(cli_json, dict)
    assert cli_json["id"] == "strike.txt"
    assert cli_json["published"] == "2024-03-11"
    assert_valid_document(cli_json, article_file.read_bytes().decode("utf-8"))


def test_cli_agrees_with_the_library(cli_json, article_analysis):
    library = article_analysis.to_dict()
    library["id"] = "strike.txt"
    assert cli_json == library


def test_txt_offsets_count_the_first_line(cli_json, article_file):
    """Offsets index the whole file, headline included: nothing is dropped before the body."""
    content = article_file.read_bytes().decode("utf-8")
    first_line_end = content.index("\n")
    spans = [f for s in cli_json["statements"] for f in s["content"]]
    spans += [m for e in cli_json["entities"] for m in e["mentions"]]
    in_headline = [sp for sp in spans if sp["end"] <= first_line_end]
    assert in_headline, "the headline's quotation should be found, at its place in the file"
    for sp in in_headline:
        assert content[sp["start"]:sp["end"]] in content.splitlines()[0]


def test_cli_jsonl_is_one_valid_object_per_line(article_file, tmp_path):
    other = tmp_path / "budget.txt"
    other.write_text(SHORT_TEXTS[0], encoding="utf-8")
    r = run_cli("extract", article_file, other, "--format", "jsonl", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    docs = jsonl_objects(r.stdout)
    assert [d["id"] for d in docs] == ["strike.txt", "budget.txt"]
    assert_valid_document(docs[0], ARTICLE)
    assert_valid_document(docs[1], SHORT_TEXTS[0])


def test_cli_json_for_several_documents_is_a_list(tmp_path):
    paths = []
    for i, text in enumerate(SHORT_TEXTS[:3]):
        paths.append(tmp_path / f"n{i}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    r = run_cli("extract", *paths, "--format", "json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    docs = json.loads(r.stdout)
    assert isinstance(docs, list) and [d["id"] for d in docs] == ["n0.txt", "n1.txt", "n2.txt"]
    for d, text in zip(docs, SHORT_TEXTS):
        assert_valid_document(d, text)


def test_cli_json_for_a_jsonl_file(tmp_path):
    records = [
        {"id": "a1", "text": SHORT_TEXTS[1], "published": "2024-05-01"},
        {"id": "a2", "text": SHORT_TEXTS[2], "publication_date": "2024-05-02T08:30:00"},
        {"id": "a3", "text": SHORT_TEXTS[3]},
    ]
    path = write_jsonl(tmp_path / "batch.jsonl", records)
    r = run_cli("extract", path, "--format", "json", "--published", "2024-01-01", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    docs = json.loads(r.stdout)
    assert [d["id"] for d in docs] == ["a1", "a2", "a3"]
    assert [d["published"] for d in docs] == ["2024-05-01", "2024-05-02", "2024-01-01"]
    for d, rec in zip(docs, records):
        assert_valid_document(d, rec["text"])

    one = write_jsonl(tmp_path / "one.jsonl", records[:1])
    r = run_cli("extract", one, "--format", "json")
    assert isinstance(json.loads(r.stdout), dict), "one document gives one object"


def test_crlf_file_offsets_index_the_raw_content(tmp_path):
    """Line ends are not translated: offsets count the \\r of Windows line ends."""
    text = ARTICLE.replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    r = run_cli("extract", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["statements"]
    assert_valid_document(doc, text)


def test_bom_is_not_part_of_the_text(tmp_path):
    """A UTF-8 byte order mark is dropped: offsets index the content as decoded with utf-8-sig."""
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    r = run_cli("extract", path, "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    (doc,) = jsonl_objects(r.stdout)
    assert_valid_document(doc, path.read_bytes().decode("utf-8-sig"))


# ---------------------------------------------------------------- the table

def test_table_is_human_readable(article_file):
    r = run_cli("extract", article_file, "--format", "table")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    out = r.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    assert out.startswith("strike.txt")
    assert "speaker" in out and "statement" in out
    assert "Ortiz" in out and "Bell" in out
    assert "statements," in out.splitlines()[-1]
    assert all(len(line) <= 200 for line in out.splitlines())


def test_table_gives_each_relation_its_score():
    example = os.path.join(os.path.dirname(__file__), "..", "examples", "kremlin-johnson-missile.txt")
    r = run_cli("extract", example, "--published", "2023-01-31", "--format", "table")
    assert r.returncode == 0, r.stderr
    data = json.loads(run_cli("extract", example, "--published", "2023-01-31", "--format", "json").stdout)
    lines = r.stdout.splitlines()
    relations = lines[lines.index("relations") + 1:-1]
    assert len(relations) == len(data["relations"]) > 0
    # each line starts with the relation's score, two places: "  0.87  Kremlin DISPUTES Boris Johnson: …"
    assert [line.split()[0] for line in relations] == [f"{rel['score']:.2f}" for rel in data["relations"]]
    assert any("Kremlin DISPUTES Boris Johnson" in line for line in relations)


def test_table_says_when_nothing_was_found(tmp_path):
    path = tmp_path / "weather.txt"
    path.write_text("Rain is expected across the region on Sunday.\n", encoding="utf-8")
    r = run_cli("extract", path, "--format", "table")
    assert r.returncode == 0
    assert "no attributed statements found" in r.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal test written for Linux")
def test_default_format_is_table_on_a_terminal_and_json_otherwise(article_file):
    env = {k: v for k, v in os.environ.items() if k != "QUOTEGRAPH_JOBS"}
    env["COLUMNS"] = "120"
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(quotegraph_cmd("extract", str(article_file)), stdout=follower,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        os.close(follower)
        chunks = []
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 0
    assert shown.startswith("strike.txt") and "statements," in shown

    r = run_cli("extract", article_file)  # stdout is a pipe here
    assert isinstance(json.loads(r.stdout), dict)
