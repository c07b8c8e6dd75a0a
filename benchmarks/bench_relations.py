"""What the relation stage costs beside the rest of the pipeline, on the same articles in one run.

    python benchmarks/bench_relations.py [DATA.jsonl] [--rounds N] [--limit N]

Each round parses the articles (spaCy, paragraph by paragraph, as ``quotegraph.analyze`` does) and
runs every stage, timing each stage on its own; the median round is reported, with the relation
stage's share of the whole (parse + all stages). Issue 11 asks for at most 15 %.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from quotegraph.pipeline import DEFAULT_STAGES, STAGES, parse_many
from quotegraph.stages.context import Context

DEFAULT_DATA = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "polnear" / "dev.jsonl"


def one_round(texts: list[str]) -> dict[str, float]:
    times = {"parse": 0.0, **{name: 0.0 for name in DEFAULT_STAGES}}
    t = time.perf_counter()
    docs = list(parse_many(texts))
    times["parse"] = time.perf_counter() - t
    for text, doc in zip(texts, docs):
        ctx = Context(text=text, doc=doc)
        for name in DEFAULT_STAGES:
            t = time.perf_counter()
            STAGES[name].run(ctx)
            times[name] += time.perf_counter() - t
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    if not Path(args.data).exists():
        print(f"bench_relations: no data at {args.data}", file=sys.stderr)
        return 2
    with open(args.data, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()][:args.limit]
    one_round(texts[:5])  # warm-up: model loading, first calls
    rounds = [one_round(texts) for _ in range(args.rounds)]
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    total = sum(median.values())
    share = statistics.median(r["relations"] / sum(r.values()) for r in rounds)
    print(f"{len(texts)} articles, {args.rounds} rounds, median seconds per round:")
    for k, v in median.items():
        print(f"  {k:<10} {v:7.3f}  {100 * v / total:5.1f} %")
    print(f"relation stage: {100 * share:.1f} % of the pipeline (parse {median['parse']:.2f} s, "
          f"relations {median['relations']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
