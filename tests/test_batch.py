"""Batch runs on Dask: a local cluster of two worker processes over a small generated corpus; the
output equals `quotegraph extract` document for document; a worker killed midway; an interrupted
run resumed; the output loaded into the store."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import jsonl_objects, quotegraph_cmd, run_cli
from store_corpus import ARTICLES, numbered_articles, write_corpus
from test_inputs import DEEP_LINE, SURROGATE_LINE

from quotegraph.batch import done_entries, load_batch, plan, run_batch, start_client
from quotegraph.batch.plan import read
from quotegraph.store import Store


@pytest.fixture(scope="module")
def client():
    c = start_client(workers=2)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """JSONL (one malformed line), JSONL.gz, Parquet and a folder of .txt files."""
    d = tmp_path_factory.mktemp("corpus")
    articles = numbered_articles(14)
    lines = [json.dumps(a) for a in articles]
    lines.insert(5, '{"id": "broken", "text": ')
    (d / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(d / "more.jsonl.gz", "wt", encoding="utf-8") as f:
        for a in ARTICLES[:3]:
            f.write(json.dumps(a) + "\n")
    pq.write_table(pa.Table.from_pylist([{k: a.get(k) for k in ("id", "text", "published", "title", "url")}
                                         for a in ARTICLES[3:]]), d / "rest.parquet", row_group_size=1)
    (d / "texts").mkdir()
    for a in numbered_articles(3, start=100):
        (d / "texts" / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    return d


def documents_of(out) -> dict[str, dict]:
    rows = [r for path in sorted((out / "documents").glob("*.parquet")) for r in pq.read_table(path).to_pylist()]
    ids = [r["document"] for r in rows]
    assert len(ids) == len(set(ids)), "a document was written twice"
    return {r["document"]: json.loads(r["analysis"]) for r in rows}


def test_partitions_are_stable_and_cover_every_line(corpus):
    first, problems = plan([str(corpus)], partition_size=4)
    again, _ = plan([str(corpus)], partition_size=4)
    assert [p.id for p in first] == [p.id for p in again] and not problems
    jsonl = [p for p in first if p.kind == "jsonl"]
    assert [(p.start, p.stop) for p in jsonl] == [(0, 4), (4, 8), (8, 12), (12, 15)]
    items = [item for p in jsonl for item in read(p)]
    assert [i.id for i in items if hasattr(i, "text")] == [f"n{k}" for k in range(14)]
    broken = [i for i in items if not hasattr(i, "text")]
    assert len(broken) == 1 and broken[0].id.endswith("news.jsonl:6")  # the file's own line number
    assert [p.kind for p in first].count("parquet") == 1 and [p.kind for p in first].count("files") == 1


def test_bad_lines_do_not_cut_a_partition_short(tmp_path):
    """A line nested too deep for json.loads, or with a lone surrogate, is one failure; the documents
    after it in the same partition are still analysed. (One task, run here: no cluster needed.)"""
    from quotegraph.batch.run import run_partition

    articles = numbered_articles(4)
    lines = [json.dumps(a) for a in articles]
    lines[1:1] = [DEEP_LINE]
    lines[3:3] = [SURROGATE_LINE]
    (tmp_path / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (partition,), problems = plan([str(tmp_path / "news.jsonl")], partition_size=10)
    entry = run_partition(partition, str(tmp_path / "out"))
    assert not problems and entry["documents_read"] == 6 and entry["documents"] == 4
    where = str(tmp_path / "news.jsonl")
    assert [f["id"] for f in entry["failures"]] == [f"{where}:2", f"{where}:4"]
    assert "nested too deeply" in entry["failures"][0]["reason"]
    assert "lone surrogate" in entry["failures"][1]["reason"]
    assert sorted(documents_of(tmp_path / "out")) == [a["id"] for a in articles]


def test_batch_equals_extract_document_for_document(client, corpus, tmp_path):
    out = tmp_path / "out"
    result = run_batch([str(corpus)], str(out), client, partition_size=4)
    totals = result.manifest["totals"]
    assert totals["documents"] == 14 + 3 + 2 + 3 and totals["failures"] == 1
    assert result.manifest["failures"][0]["id"].endswith("news.jsonl:6")
    batch = documents_of(out)

    inputs = [corpus / "news.jsonl", corpus / "more.jsonl.gz", *sorted((corpus / "texts").glob("*.txt"))]
    r = run_cli("extract", *inputs, "--format", "jsonl")
    extracted = {d["id"]: d for d in jsonl_objects(r.stdout)}
    assert len(extracted) == 14 + 3 + 3
    for doc_id, analysis in extracted.items():
        assert batch[doc_id] == analysis, doc_id
    import quotegraph

    for a in ARTICLES[3:]:  # the Parquet input: the library gives what extract gives
        assert batch[a["id"]] == quotegraph.analyze(a["text"], published=a["published"], id=a["id"]).to_dict()

    # the other tables hold the same objects, one a row
    statements = pa.concat_tables([pq.read_table(p) for p in (out / "statements").glob("*.parquet")]).to_pylist()
    assert len(statements) == sum(len(a["statements"]) for a in batch.values())
    one = next(s for s in statements if s["document"] == "n3" and s["id"] == "s1")
    assert {k: v for k, v in one.items() if k != "document"} == batch["n3"]["statements"][0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["versions"]["quotegraph"] and len(manifest["partitions"]) == len(plan([str(corpus)], 4)[0])


def test_a_worker_killed_midway(client, tmp_path):
    corpus = write_corpus(tmp_path / "in", numbered_articles(40))
    out = tmp_path / "out"
    killed = {}

    def kill_one_worker():
        deadline = time.monotonic() + 120
        while len(done_entries(str(out))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = client.run(os.getpid)
        address, pid = sorted(pids.items())[0]
        killed["pid"], killed["done_then"] = pid, len(done_entries(str(out)))
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    result = run_batch([str(corpus)], str(out), client, partition_size=2)
    killer.join()
    assert killed and killed["done_then"] < 20, "the worker was not killed midway"
    assert result.manifest["totals"]["documents"] == 40
    assert sorted(documents_of(out)) == sorted(f"n{k}" for k in range(40))
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it


@pytest.mark.slow
def test_an_interrupted_run_resumes_to_the_same_result(tmp_path):
    corpus = write_corpus(tmp_path / "in", numbered_articles(16))
    batch = ["batch", str(corpus), "--workers", "1", "--partition-size", "2", "--quiet"]
    clean = tmp_path / "clean"
    assert run_cli(*batch, "--out", clean, timeout=300).returncode == 0

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(quotegraph_cmd(*batch, "--out", str(out)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(done_entries(str(out))) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its scheduler and its worker
    proc.wait()
    done_before = len(done_entries(str(out)))
    assert 3 <= done_before < 8, "the run was not interrupted midway"
    assert not (out / "manifest.json").exists()

    r = run_cli(*batch, "--out", out, "--json", timeout=300)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["partitions_skipped"] == done_before and summary["partitions_run"] == 8 - done_before
    assert documents_of(out) == documents_of(clean)
    shard_names = lambda d: sorted(p.relative_to(d).as_posix() for p in d.rglob("*.parquet"))  # noqa: E731
    assert shard_names(out) == shard_names(clean)
    for name in shard_names(clean):
        assert pq.read_table(out / name).equals(pq.read_table(clean / name)), name


def test_load_into_the_store_is_idempotent(client, tmp_path):
    out = tmp_path / "out"
    run_batch([str(write_corpus(tmp_path / "in"))], str(out), client, partition_size=2)
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        first = load_batch(str(out), store)
        counts = store.counts()
        again = load_batch(str(out), store)
        assert (first["new"], again["new"], again["unchanged"]) == (len(ARTICLES), 0, len(ARTICLES))
        assert store.counts() == counts
    with Store(f"sqlite:///{tmp_path / 'ingested.db'}") as other:  # the same as ingesting the articles
        from quotegraph.ingest import ingest

        ingest([str(write_corpus(tmp_path / "again"))], other, jobs=1)
        assert other.counts() == counts


EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "kremlin-johnson-missile.txt")


def relation_scores(analyses) -> dict:
    return {(doc_id, r["type"], r["from"], r["to"]): r["score"] for doc_id, a in analyses for r in a["relations"]}


def test_relation_scores_survive_batch_and_load(client, tmp_path):
    """Whatever the relation model scores, the relations shard, the documents shard and the store
    after `load` agree; and shards written before relations were scored load with 1.0."""
    from quotegraph.store import queries

    example = {"id": "missile", "published": "2023-01-31", "text": open(EXAMPLE, encoding="utf-8").read()}
    out = tmp_path / "out"
    run_batch([str(write_corpus(tmp_path / "in", [example, *ARTICLES]))], str(out), client, partition_size=3)
    analysed = relation_scores(documents_of(out).items())
    assert any(doc_id == "missile" and type_ == "disputes" for doc_id, type_, _, _ in analysed)
    table = pa.concat_tables([pq.read_table(p) for p in (out / "relations").glob("*.parquet")])
    assert table.schema.field("score").type == pa.float64()
    assert {(r["document"], r["type"], r["from"], r["to"]): r["score"] for r in table.to_pylist()} == analysed
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        load_batch(str(out), store)
        with store.engine.connect() as conn:
            loaded = relation_scores((d["id"], d) for d in queries.document_records(conn))
            made = {(s["document"]["id"], r["type"], r["from"], r["to"]): r["score"]
                    for s in queries.each_statement(conn, queries.Filters(limit=None)) for r in s["relations"]}
    assert loaded == analysed and made == analysed

    for path in (out / "documents").glob("*.parquet"):  # as an older quotegraph wrote them
        rows = pq.read_table(path).to_pylist()
        for row in rows:
            old = json.loads(row["analysis"])
            for r in old["relations"]:
                del r["score"]
            row["analysis"] = json.dumps(old)
        pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(path)), path)
    with Store(f"sqlite:///{tmp_path / 'old.db'}") as store:
        load_batch(str(out), store)
        with store.engine.connect() as conn:
            assert set(relation_scores((d["id"], d) for d in queries.document_records(conn)).values()) == {1.0}
            assert {d["score"] for d in queries.disputes(conn, limit=None)} == {1.0}


def test_batch_command_errors(tmp_path):
    r = run_cli("batch", tmp_path / "nothing.jsonl", "--out", tmp_path / "o", "--workers", "1", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["failures"] == 1
    r = run_cli("batch", tmp_path, "--out", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2")
    assert r.returncode == 2 and "not both" in r.stderr
    r = run_cli("load", tmp_path / "empty", "--db", tmp_path / "s.db")
    assert r.returncode == 2 and "no batch output" in r.stderr
