"""``quotegraph extract``: standard input, worker processes, order and exit statuses."""

from __future__ import annotations

import json
import multiprocessing

import pytest

import quotegraph
from conftest import (
    ARTICLE, SHORT_TEXTS, assert_clean_stderr, assert_valid_document, jsonl_objects, run_cli, write_jsonl,
)
from quotegraph import parallel
from quotegraph.cli import main
from quotegraph.parallel import default_jobs
from quotegraph.io import Document

RECORDS = [{"id": f"n{i:02d}", "text": text, "published": f"2024-04-{i + 1:02d}"} for i, text in enumerate(SHORT_TEXTS)]


# ---------------------------------------------------------------- standard input

def test_stdin_text():
    r = run_cli("extract", "-", "--format", "json", "--published", "2024-03-11", input=ARTICLE)
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    doc = json.loads(r.stdout)
    assert doc["id"] == "stdin" and doc["published"] == "2024-03-11"
    assert doc["statements"]
    assert_valid_document(doc, ARTICLE)


def test_stdin_jsonl():
    stdin = "".join(json.dumps(rec) + "\n" for rec in RECORDS[:3])
    r = run_cli("extract", "-", "--format", "jsonl", input=stdin)
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    docs = jsonl_objects(r.stdout)
    assert [d["id"] for d in docs] == ["n00", "n01", "n02"]
    for d, rec in zip(docs, RECORDS):
        assert d["published"] == rec["published"]
        assert_valid_document(d, rec["text"])


def test_stdin_empty_is_no_document():
    r = run_cli("extract", "-", "--format", "json", input="")
    assert r.returncode == 1
    assert r.stderr == "quotegraph: skipped <stdin>: text is empty\n"
    assert json.loads(r.stdout) == []


def test_stdin_together_with_files_keeps_argument_order(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(SHORT_TEXTS[0], encoding="utf-8")
    b = write_jsonl(tmp_path / "b.jsonl", RECORDS[1:3])
    r = run_cli("extract", a, "-", b, "--format", "jsonl", "--jobs", "1", input=SHORT_TEXTS[5])
    assert r.returncode == 0, r.stderr
    assert [d["id"] for d in jsonl_objects(r.stdout)] == ["a.txt", "stdin", "n01", "n02"]


# ---------------------------------------------------------------- worker processes

@pytest.fixture(scope="module")
def ten_documents(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("jobs") / "ten.jsonl", RECORDS)


@pytest.fixture(scope="module")
def in_process_output(ten_documents):
    r = run_cli("extract", ten_documents, "--format", "jsonl", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    return r.stdout


def test_in_process_output_is_complete_and_valid(in_process_output):
    docs = jsonl_objects(in_process_output)
    assert [d["id"] for d in docs] == [rec["id"] for rec in RECORDS]
    for d, rec in zip(docs, RECORDS):
        assert_valid_document(d, rec["text"])


def test_two_workers_give_identical_output_in_input_order(ten_documents, in_process_output):
    r = run_cli("extract", ten_documents, "--format", "jsonl", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    assert r.stdout == in_process_output


def test_quotegraph_jobs_environment_variable(ten_documents, in_process_output):
    r = run_cli("extract", ten_documents, "--format", "jsonl", env={"QUOTEGRAPH_JOBS": "2"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == in_process_output


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_must_be_positive(jobs, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SHORT_TEXTS[0], encoding="utf-8")
    r = run_cli("extract", path, "--jobs", jobs)
    assert r.returncode == 2
    assert_clean_stderr(r)
    assert r.stderr.strip() == "quotegraph: --jobs must be 1 or more"


def test_default_jobs(monkeypatch):
    monkeypatch.setenv("QUOTEGRAPH_JOBS", "3")
    assert default_jobs() == 3
    for junk in ("0", "abc", "-2", ""):
        monkeypatch.setenv("QUOTEGRAPH_JOBS", junk)
        assert default_jobs() >= 1
    monkeypatch.delenv("QUOTEGRAPH_JOBS")
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert default_jobs() == cores


class _PoolSpy:
    """Wraps multiprocessing.get_context and records every pool the code starts."""

    def __init__(self, real):
        self.real = real
        self.pools: list[int] = []

    def __call__(self, method=None):
        context = self.real(method)
        spy = self

        class Context:
            def __getattr__(self, name):
                return getattr(context, name)

            def Pool(self, processes=None, *args, **kwargs):
                spy.pools.append(processes)
                return context.Pool(processes, *args, **kwargs)

        return Context()


@pytest.fixture
def pool_spy(monkeypatch, article_analysis):  # article_analysis: the model is loaded before forking
    spy = _PoolSpy(multiprocessing.get_context)
    monkeypatch.setattr(parallel.multiprocessing, "get_context", spy)
    return spy


def _documents():
    return [Document(id=rec["id"], text=rec["text"], published=rec["published"]) for rec in RECORDS]


def test_many_documents_use_a_pool_of_all_cores_by_default(pool_spy, monkeypatch):
    monkeypatch.delenv("QUOTEGRAPH_JOBS", raising=False)
    monkeypatch.setattr("quotegraph.parallel.default_jobs", lambda: 2)
    results = list(parallel.analyze_documents(_documents()))
    assert pool_spy.pools == [2]
    assert [a.id for a in results] == [rec["id"] for rec in RECORDS]
    expected = [quotegraph.analyze(d.text, published=d.published, id=d.id).to_dict() for d in _documents()]
    assert [a.to_dict() for a in results] == expected


def test_jobs_one_runs_in_process(pool_spy):
    results = list(parallel.analyze_documents(_documents(), jobs=1))
    assert pool_spy.pools == []
    assert len(results) == len(RECORDS)


def test_a_few_documents_run_in_process(pool_spy):
    results = list(parallel.analyze_documents(_documents()[:2], jobs=2))
    assert pool_spy.pools == []
    assert [a.id for a in results] == ["n00", "n01"]


def test_a_failing_document_in_a_pool_is_skipped(pool_spy, capsys):
    docs = _documents()
    docs[4] = Document(id="bad-date", text=SHORT_TEXTS[4], published="2024-02-31")
    failures = []
    results = list(parallel.analyze_documents(docs, jobs=2, failures=failures))
    assert pool_spy.pools == [2]
    assert [a.id for a in results] == [d.id for d in docs if d.id != "bad-date"]
    assert [f.id for f in failures] == ["bad-date"]
    assert "quotegraph: skipped bad-date:" in capsys.readouterr().err


# ---------------------------------------------------------------- the command line itself

def test_version():
    r = run_cli("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"quotegraph {quotegraph.__version__}"


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "extract" in capsys.readouterr().out


def test_extract_without_a_path_is_a_usage_error():
    r = run_cli("extract")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_unknown_format_is_a_usage_error(tmp_path):
    r = run_cli("extract", "-", "--format", "xml", input="")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "--format" in r.stderr


def test_html_page_with_its_text(tmp_path):
    from store_corpus import HTML_PAGE

    page = tmp_path / "strike.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    r = run_cli("extract", page, "--with-text", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["published"] == "2023-04-12" and "Copyright" not in doc["text"]
    assert_valid_document(doc, doc["text"])  # every offset indexes the article text extracted from the page
    assert {"said", "told", "disputed"} <= {(s["cue"] or {}).get("text") for s in doc["statements"]}
