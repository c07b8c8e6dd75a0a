"""The store's two figures: what storing costs, and how fast queries answer on a big store.

    python benchmarks/bench_store.py [--rounds 3] [--statements 100000] [--db URL] [--json]

1. Ingest against extract: ``quotegraph ingest`` (a new SQLite file each round) and ``quotegraph
   extract`` take turns on the PolNeAR dev articles, as a user runs them (default --jobs), round
   after round; the medians are compared. Storage may cost at most 10 %.
2. Idempotency: the dev articles ingested twice (the second run may add no row), and an ingest
   killed with SIGKILL midway then run again (the counts must equal a clean run's).
3. Queries: the dev and train articles are analysed once, then stored again and again under new
   URLs until the store holds --statements statements. ``said``, ``search`` and ``disputes`` (flat, as
   ``GET /api/disputes``, and grouped by claim, as the command and the page) are
   timed through the library (what the CLI and the API call), each query several times; the median
   and the 95th percentile over all runs are reported, and one run of each command in a new process
   (which adds Python's start-up) for comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "polnear"
SEARCHES = ["missile", "Clinton", "tax", '"health care"', "immigration", "email*", "economy", "Russia",
            "vote OR ballot", "police"]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "quotegraph.cli", *args]


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def ingest_against_extract(data: Path, rounds: int) -> dict:
    n = sum(1 for line in data.open(encoding="utf-8") if line.strip())
    extract, ingest = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            extract.append(_timed(_cli("extract", str(data), "--format", "jsonl")))
            ingest.append(_timed(_cli("ingest", str(data), "--db", f"{tmp}/round{r}.db", "--quiet")))
    e, i = statistics.median(extract), statistics.median(ingest)
    return {"articles": n, "rounds": rounds, "extract_s": extract, "ingest_s": ingest,
            "extract_articles_per_s": n / e, "ingest_articles_per_s": n / i, "ingest_over_extract": e / i}


def _counts(url: str) -> dict:
    from quotegraph.store import Store

    with Store(url) as store:
        return store.counts()


def idempotency_and_recovery(data: Path) -> dict:
    """A clean ingest; the same again (nothing may be added); an ingest killed with SIGKILL midway and
    run again (the counts must equal the clean run's)."""
    import signal

    with tempfile.TemporaryDirectory() as tmp:
        clean, killed = f"sqlite:///{tmp}/clean.db", f"sqlite:///{tmp}/killed.db"
        ingest = _cli("ingest", str(data), "--quiet", "--batch-size", "10")
        _timed(ingest + ["--db", clean])
        first = _counts(clean)
        _timed(ingest + ["--db", clean])
        again = _counts(clean)
        _counts(killed)  # creates the schema, so the count below can be polled
        proc = subprocess.Popen(ingest + ["--db", killed], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while _counts(killed)["documents"] < len(data.read_text(encoding="utf-8").splitlines()) // 2:
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at_kill = _counts(killed)
        _timed(ingest + ["--db", killed])
        recovered = _counts(killed)
    return {"clean": first, "reingest_adds_rows": again != first, "documents_at_kill": at_kill["documents"],
            "recovered_equals_clean": recovered == first}


def _analysed(paths: list[Path]):
    from quotegraph.io import read_path
    from quotegraph.parallel import analyze_results

    documents = [d for p in paths for d in read_path(str(p))]
    return [(d, a) for d, a in zip(documents, analyze_results(documents)) if not isinstance(a, Exception)]


def fill_store(store, analysed, statements: int) -> dict:
    """Store the analyses again and again under new URLs until ``statements`` are stored."""
    per_copy = sum(len(a.statements) for _, a in analysed)
    copies = -(-statements // per_copy)
    started = time.perf_counter()
    docs = 0
    for copy in range(copies):
        batch = []
        for document, analysis in analysed:
            batch.append((replace(document, url=f"https://copy{copy}.example/{document.id}"), analysis))
            if len(batch) == 50:
                store.write(batch)
                docs, batch = docs + len(batch), []
        store.write(batch)
        docs += len(batch)
    seconds = time.perf_counter() - started
    return {"copies": copies, "documents": docs, "write_s": seconds, "documents_written_per_s": docs / seconds}


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"runs": len(times), "median_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "max_ms": 1000 * ordered[-1]}


def time_queries(store, repeats: int = 5, seed: int = 2026) -> dict:
    from quotegraph.store import Filters, queries

    with store.engine.connect() as conn:
        top = queries.top_entities(conn, 200)["named"]
        rnd = random.Random(seed)
        entities = [e["id"] for e in top[:10]] + [e["id"] for e in rnd.sample(top[10:], min(10, len(top) - 10))]
        plans = {
            "said": [lambda e=e: queries.said(conn, e) for e in entities],
            "said --limit 50": [lambda e=e: queries.said(conn, e, limit=50) for e in entities],
            "search": [lambda q=q: queries.search(conn, Filters(query=q)) for q in SEARCHES],
            "search --speaker": [lambda q=q, e=e: queries.search(conn, Filters(query=q, speaker=e))
                                 for q, e in zip(SEARCHES, entities)],
            "disputes": [lambda: queries.disputes(conn)] + [lambda e=e: queries.disputes(conn, e)
                                                            for e in entities[:9]],
            # what `quotegraph disputes` and the disputes page ask: claims with their responses
            "disputes grouped": [lambda: queries.claim_groups(conn, queries.RelationFilters())]
            + [lambda e=e: queries.claim_groups(conn, queries.RelationFilters(entity=e)) for e in entities[:9]],
        }
        out = {}
        for name, calls in plans.items():
            times, rows = [], []
            for call in calls:
                call()  # warm
                for _ in range(repeats):
                    started = time.perf_counter()
                    rows.append(len(call()))
                    times.append(time.perf_counter() - started)
            out[name] = _summary(times) | {"median_rows": statistics.median(rows), "max_rows": max(rows)}
        out["largest_said"] = {"entity": top[0]["name"], "statements": top[0]["statements"]}
    return out


def time_commands(url: str, entity: str) -> dict:
    return {name: 1000 * _timed(_cli(*args, "--db", url, "--format", "json")) for name, args in {
        "said": ["said", entity], "search": ["search", "missile"], "disputes": ["disputes"]}.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--db", help="store for the query figures (default: a new SQLite file)")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from quotegraph.store import Store

    result = {}
    if not args.skip_ingest:
        result["ingest_vs_extract"] = ingest_against_extract(SHARED / "dev.jsonl", args.rounds)
        print(json.dumps(result["ingest_vs_extract"]), file=sys.stderr)
        result["idempotency"] = idempotency_and_recovery(SHARED / "dev.jsonl")
        print(json.dumps(result["idempotency"]), file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/big.db"
        analysed = _analysed([SHARED / "dev.jsonl", SHARED / "train.jsonl"])
        with Store(url) as store:
            result["fill"] = fill_store(store, analysed, args.statements)
            result["counts"] = store.counts()
            result["queries"] = time_queries(store)
        result["commands_ms"] = time_commands(url, result["queries"]["largest_said"]["entity"])
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
