"""The web app's figures: the article page's latency, and an API load test on loopback.

    python benchmarks/bench_web.py [--seconds 30] [--clients 20] [--json]

The PolNeAR dev articles are ingested into a new SQLite store, and ``quotegraph serve`` (one uvicorn
process, as a user starts it) serves it on a free loopback port.
1. Article page: the PolNeAR train article with the fewest words at or over 2,000 (stored as well), fetched
   50 times one after another (after 3 warm-ups); median and 95th percentile.
2. Load: ``--clients`` concurrent clients (at most 20) for ``--seconds`` (at most 30), each looping over a
   mix of API requests (document list, one document, entities, one entity's statements, search,
   disputes) and article pages. Reports requests, errors, throughput and latency percentiles. Bounded
   in time and count, and only ever aimed at 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SHARED = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "polnear"
DEV, TRAIN = SHARED / "dev.jsonl", SHARED / "train.jsonl"
MAX_CLIENTS, MAX_SECONDS, MAX_REQUESTS = 20, 30, 200_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def article_page(base: str, document_id: int, runs: int = 50) -> dict:
    with httpx.Client(base_url=base) as client:
        for _ in range(3):
            client.get(f"/documents/{document_id}").raise_for_status()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            r = client.get(f"/documents/{document_id}")
            times.append(time.perf_counter() - started)
            r.raise_for_status()
    return {"runs": runs, "bytes": len(r.content), "median_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * _percentile(times, 0.95)}


async def load(base: str, seconds: float, clients: int, plan: list[str]) -> dict:
    seconds, clients = min(seconds, MAX_SECONDS), min(clients, MAX_CLIENTS)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    async def client_loop(offset: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            i = offset
            while time.monotonic() < deadline and len(latencies) < MAX_REQUESTS:
                path = plan[i % len(plan)]
                i += 1
                started = time.perf_counter()
                try:
                    r = await client.get(path)
                    if r.status_code != 200:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                except httpx.HTTPError as e:
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    await asyncio.gather(*(client_loop(k * 7) for k in range(clients)))
    elapsed = time.monotonic() - started
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
            "errors": sum(errors.values()), "error_kinds": errors, "requests_per_s": len(latencies) / elapsed,
            "median_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * _percentile(latencies, 0.95),
            "p99_ms": 1000 * _percentile(latencies, 0.99)}


def _plan(base: str) -> list[str]:
    with httpx.Client(base_url=base) as client:
        documents = [d["id"] for d in client.get("/api/documents", params={"limit": 100}).json()]
        entities = [e["id"] for e in client.get("/api/entities", params={"top": 20}).json()["named"]]
    searches = ["Clinton", "email*", "tax", '"health care"', "Russia", "vote OR ballot"]
    plan = []
    for k in range(60):
        plan += [f"/api/documents/{documents[k % len(documents)]}",
                 f"/documents/{documents[(k * 7) % len(documents)]}",
                 f"/api/entities/{entities[k % len(entities)]}/statements",
                 f"/api/search?q={searches[k % len(searches)]}",
                 "/api/documents", "/api/entities", "/api/disputes"]
    return plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in TRAIN.open(encoding="utf-8") if line.strip()]
    nearest = min((r for r in rows if len(r["text"].split()) >= 2000), key=lambda r: len(r["text"].split()))
    result: dict = {"article": {"id": nearest["id"], "words": len(nearest["text"].split())}}
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/web.db"
        long_one = Path(tmp) / "long.jsonl"
        long_one.write_text(json.dumps(nearest) + "\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "quotegraph.cli", "ingest", str(DEV), str(long_one), "--db", db,
                        "--quiet"], check=True, stdout=subprocess.DEVNULL)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "quotegraph.cli", "serve", "--db", db, "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    documents = httpx.get(base + "/api/documents", params={"limit": 1000}).json()
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            document_id = next(d["id"] for d in documents if d["name"] == nearest["id"])
            result["article"] |= {"statements": next(d["statement_count"] for d in documents
                                                     if d["id"] == document_id)}
            result["article_page"] = article_page(base, document_id)
            result["load"] = asyncio.run(load(base, args.seconds, args.clients, _plan(base)))
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
