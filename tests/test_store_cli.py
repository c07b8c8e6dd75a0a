"""The store's commands as a user runs them: ingest, said, search, disputes, entities, export; and an
ingest killed with SIGKILL midway, then run again (the same documents and claims as a clean run)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from jsonschema import Draft202012Validator

from conftest import SCHEMA, assert_clean_stderr, quotegraph_cmd, run_cli
from store_corpus import ARTICLES, FRENCH, numbered_articles, scored_store, write_corpus
from test_claims import partition
from test_store import POSTGRES, reset_postgres

from quotegraph.store import Store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The made-up corpus ingested through the command line into a SQLite file."""
    d = tmp_path_factory.mktemp("cli")
    db = d / "corpus.db"
    r = run_cli("ingest", write_corpus(d / "in"), "--db", db)
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r)
    assert f"{len(ARTICLES)} documents read: {len(ARTICLES)} new" in r.stdout
    return db


def assert_valid(records: list, definition: str) -> None:
    """Answers of the store follow the output contract's stored shapes."""
    validator = Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]})
    for record in records:
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]
        assert not errors, errors


def query(db, *args) -> object:
    r = run_cli(*args, "--db", db, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_said_in_date_order(stored):
    said = query(stored, "said", "Peskov")
    assert [s["document"]["id"] for s in said] == ["kremlin-1", "kremlin-1", "kremlin-2", "talks"]
    assert {s["entity"]["name"] for s in said} == {"Dmitry Peskov"}
    assert said[0]["document"]["title"] == "Kremlin denies missile threat"
    assert_valid(said, "stored_statement")


def test_search_with_filters(stored):
    assert [s["text"] for s in query(stored, "search", "talks", "--speaker", "Peskov")] == [
        "the talks on grain exports would continue next week"]
    assert query(stored, "search", "talks", "--since", "2023-03") == []
    assert_valid(query(stored, "search", "said OR told"), "stored_statement")
    assert len(query(stored, "search", "spokesman OR talks OR missile", "--limit", "2")) == 2


def test_disputes_command(tmp_path):
    db = tmp_path / "seed.db"
    example = os.path.join(os.path.dirname(__file__), "..", "examples", "kremlin-johnson-missile.txt")
    assert run_cli("ingest", example, "--published", "2023-01-31", "--db", db).returncode == 0
    groups = query(db, "disputes", "--entity", "Boris Johnson")
    assert_valid(groups, "claim_group")
    assert groups and all(g["claim"]["entity"]["name"] == "Boris Johnson" or
                          {r["statement"]["entity"]["name"] for r in g["responses"]} == {"Boris Johnson"}
                          for g in groups)
    responders = {(r["statement"]["entity"]["name"], r["type"]) for g in groups for r in g["responses"]}
    assert ("Kremlin", "disputes") in responders
    table = run_cli("disputes", "--db", db, "--format", "table")
    assert "DISPUTES" in table.stdout and "Dmitry Peskov" in table.stdout


@pytest.fixture(scope="module")
def scored_db(tmp_path_factory):
    """store_corpus.SCORED in a SQLite file: Johnson's claim disputed by Peskov (0.9) and the Kremlin
    (0.35), Downing Street declining (0.8), Ortiz's later claim disputed by Bell (0.7)."""
    db = tmp_path_factory.mktemp("scored") / "scored.db"
    scored_store(f"sqlite:///{db}")
    return db


def responses_of(groups) -> list[list[tuple]]:
    return [[(r["statement"]["entity"]["name"], r["type"], r["score"]) for r in g["responses"]] for g in groups]


def test_disputes_are_grouped_by_claim(scored_db):
    groups = query(scored_db, "disputes")
    assert_valid(groups, "claim_group")
    assert groups[0]["claim"]["text"] == "the talks had failed"  # the newest claim first
    johnson = [g for g in groups if g["claim"] and g["claim"]["entity"]["name"] == "Boris Johnson"]
    assert responses_of(johnson) == [[("Dmitry Peskov", "disputes", 0.9), ("Kremlin", "disputes", 0.35)]]
    assert responses_of(g for g in groups if g["claim"] is None) == [[("Downing Street", "declines_comment", 0.8)]]
    lines = [json.loads(line) for line in run_cli("disputes", "--db", scored_db, "--format", "jsonl").stdout.splitlines()]
    assert lines == groups


def test_disputes_min_score_and_entity(scored_db):
    strong = query(scored_db, "disputes", "--min-score", "0.5")
    assert sorted(score for group in responses_of(strong) for _, _, score in group) == [0.7, 0.8, 0.9]
    assert responses_of(query(scored_db, "disputes", "--min-score", ".95")) == []
    assert responses_of(query(scored_db, "disputes", "--entity", "Kremlin")) == [[("Kremlin", "disputes", 0.35)]]
    assert query(scored_db, "disputes", "--entity", "Kremlin", "--min-score", "0.5") == []
    assert responses_of(query(scored_db, "disputes", "--type", "declines_comment")) == [
        [("Downing Street", "declines_comment", 0.8)]]


def test_disputes_table_shows_scores_and_evidence(scored_db):
    r = run_cli("disputes", "--db", scored_db, "--format", "table")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    johnson = next(i for i, line in enumerate(lines) if "Boris Johnson" in line and "Putin had threatened" in line)
    assert "DISPUTES 0.90" in lines[johnson + 1] and "Dmitry Peskov" in lines[johnson + 1]
    assert "evidence: a lie" in lines[johnson + 2]
    assert "DISPUTES 0.35" in lines[johnson + 3] and "Kremlin" in lines[johnson + 3]
    declined = lines.index("(no claim quoted)")
    assert "DECLINES TO COMMENT 0.80" in lines[declined + 1]


def test_entities_list_show_merge_split(stored, tmp_path):
    top = query(stored, "entities", "--top", "3")
    assert top["named"][0]["name"] == "Dmitry Peskov"
    shown = query(stored, "entities", "show", "Peskov")
    assert {a["name"] for a in shown["aliases"]} == {"Dmitry Peskov", "Peskov"}
    copy = tmp_path / "copy.db"
    copy.write_bytes(stored.read_bytes())
    smiths = [e for e in query(copy, "entities", "--top", "50")["named"] if e["name"] == "Smith"]
    assert len(smiths) == 2
    r = run_cli("entities", "merge", f"#{smiths[0]['id']}", f"#{smiths[1]['id']}", "--db", copy)
    assert r.returncode == 0 and "merged" in r.stdout, r.stderr
    r = run_cli("entities", "--db", copy, "split", f"#{smiths[0]['id']}", "--document", "school")
    assert r.returncode == 0 and "split" in r.stdout, r.stderr


def test_export_formats(stored, tmp_path):
    import pyarrow.parquet as pq

    r = run_cli("export", "--db", stored)
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["id"] for d in docs] == [a["id"] for a in ARTICLES]
    r = run_cli("export", "--db", stored, "--format", "csv", "--speaker", "Peskov")
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 1 + 4
    out = tmp_path / "all.parquet"
    r = run_cli("export", "--db", stored, "--format", "parquet", "--out", out)
    assert r.returncode == 0, r.stderr
    table = pq.read_table(out)
    assert table.num_rows == sum(len(d["statements"]) for d in docs)
    assert "entity_name" in table.column_names


def test_default_store_is_quotegraph_db_here_or_the_environment(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLES[0]["text"], encoding="utf-8")
    assert run_cli("ingest", article, cwd=tmp_path).returncode == 0
    assert (tmp_path / "quotegraph.db").exists()
    elsewhere = tmp_path / "env.db"
    assert run_cli("ingest", article, env={"QUOTEGRAPH_DB": str(elsewhere)}, cwd=tmp_path).returncode == 0
    assert elsewhere.exists()


@pytest.mark.parametrize("args, says", [
    (["said", "Nobody At All"], "no entity matches"),
    (["search", "talks", "--since", "2023-13"], "--since '2023-13' is not a date"),
    (["search", "  "], "give words"),
    (["export", "--format", "parquet"], "--out"),
    (["said", "x", "--db", "mysql://localhost/x"], "cannot use database"),
    (["entities", "split", "Peskov"], "--name ALIAS or --document"),
    (["disputes", "--min-score", "1.5"], "--min-score '1.5' is not a score"),
    (["disputes", "--min-score", "high"], "give a number from 0 to 1"),
])
def test_user_errors_are_one_line(stored, args, says):
    if "--db" not in args:
        args = [*args, "--db", str(stored)]
    r = run_cli(*args)
    assert r.returncode == 2
    assert_clean_stderr(r)
    assert len(r.stderr.splitlines()) == 1 and says in r.stderr, r.stderr


def test_ingest_reports_failures_and_exits_1(tmp_path):
    (tmp_path / "fr.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(ARTICLES[0]["text"], encoding="utf-8")
    r = run_cli("ingest", tmp_path, "--db", tmp_path / "s.db", "--json")
    assert r.returncode == 1
    summary = json.loads(r.stdout)
    assert summary["new"] == 1 and [f["id"].endswith("fr.txt") for f in summary["failed"]] == [True]


# ---------------------------------------------------------------- killed midway

def _counts(url: str) -> dict:
    with Store(url) as store:
        counts = store.counts()
        with store.engine.connect() as conn:  # no document without all of its statements
            short = conn.execute(sa.text(
                "SELECT count(*) FROM documents d WHERE d.statement_count <> "
                "(SELECT count(*) FROM statements s WHERE s.document_id = d.id)")).scalar()
    assert short == 0
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_ingest_is_completed_by_the_next_run(tmp_path, backend):
    if backend == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL server: set QUOTEGRAPH_TEST_POSTGRES (see .ci/postgres.sh)")
    corpus = write_corpus(tmp_path / "in", numbered_articles(60))
    urls = ([f"sqlite:///{tmp_path / 'clean.db'}", f"sqlite:///{tmp_path / 'killed.db'}"]
            if backend == "sqlite" else [POSTGRES, POSTGRES])
    ingest = ["ingest", corpus, "--jobs", "1", "--batch-size", "2", "--quiet"]

    if backend == "postgresql":
        reset_postgres(POSTGRES)
    assert run_cli(*ingest, "--db", urls[0]).returncode == 0
    clean = _counts(urls[0])
    assert clean["documents"] == 60
    with Store(urls[0]) as store:
        clean_claims = partition(store)

    if backend == "postgresql":
        reset_postgres(POSTGRES)
    Store(urls[1]).close()  # the schema exists before the count is polled
    proc = subprocess.Popen(quotegraph_cmd(*map(str, ingest), "--db", urls[1]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    with Store(urls[1]) as store:
        while store.counts()["documents"] < 10 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    interrupted = _counts(urls[1])
    assert 10 <= interrupted["documents"] < 60, "the ingest was not killed midway"

    r = run_cli(*ingest, "--db", urls[1], "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["unchanged"] == interrupted["documents"]
    assert summary["new"] == 60 - interrupted["documents"]
    assert _counts(urls[1]) == clean
    with Store(urls[1]) as store:
        assert partition(store) == clean_claims  # the same claims as a clean run
