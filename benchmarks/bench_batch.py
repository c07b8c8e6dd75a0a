"""Scaling of ``quotegraph batch`` on a local Dask cluster: two workers against one, in one run.

    python benchmarks/bench_batch.py [--rounds 1] [--partition-size 20] [--json]

Over the PolNeAR train articles (840), each round runs a one-worker and a two-worker local cluster, in
turn. Each cluster is started and its workers load the pipeline before the clock starts, so the
figure is the batch's own throughput (cluster start-up is reported apart). It also reports what the
capacity estimate in docs/batch.md is built from: seconds per article on one worker, and each
worker's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

TRAIN = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "polnear" / "train.jsonl"


def _warm() -> int:
    import os

    from quotegraph import nlp

    nlp.load()
    return os.getpid()


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_run(workers: int, partition_size: int) -> dict:
    from quotegraph.batch import run_batch, start_client

    started = time.perf_counter()
    client = start_client(workers=workers)
    client.run(_warm)
    startup = time.perf_counter() - started
    try:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = run_batch([str(TRAIN)], out, client, partition_size=partition_size)
            seconds = time.perf_counter() - started
            output_bytes = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
        peaks = client.run(_peak_rss_mb)
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    documents = result.manifest["totals"]["documents"]
    return {"workers": workers, "documents": documents, "statements": result.manifest["totals"]["statements"],
            "seconds": seconds, "documents_per_s": documents / seconds, "startup_s": startup,
            "worker_peak_rss_mb": sorted(peaks.values()), "output_bytes_per_document": output_bytes / documents}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--partition-size", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    runs = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in (1, 2):
            runs[workers].append(one_run(workers, args.partition_size))
            print(json.dumps(runs[workers][-1]), file=sys.stderr)
    one = statistics.median(r["documents_per_s"] for r in runs[1])
    two = statistics.median(r["documents_per_s"] for r in runs[2])
    result = {"partition_size": args.partition_size, "rounds": args.rounds, "one_worker_documents_per_s": one,
              "two_workers_documents_per_s": two, "speedup": two / one, "scaling_efficiency": two / one / 2,
              "seconds_per_article_one_worker": 1 / one, "runs": runs}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
