"""Draw a seeded random sample of predicted `disputes` relations from a gold file's articles, for
judging by hand (docs/disputes-precision.md records one such judgement).

    python benchmarks/sample_disputes.py ../shared/data/polnear/dev.jsonl --n 50 --seed 2026
"""

from __future__ import annotations

import argparse
import json
import random
import sys

import quotegraph


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="JSONL with id, text and optional publication_date")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    found = []
    with open(args.gold, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    items = [(d["text"], d.get("publication_date"), d["id"]) for d in docs]
    for analysis in quotegraph.analyze_many(items):
        names = {e.id: e.name for e in analysis.entities}
        for r in analysis.relations:
            if r.type != "disputes":
                continue
            src = analysis.statement(r.from_)
            dst = analysis.statement(r.to) if r.to else None
            found.append({
                "doc": analysis.id, "from": r.from_, "to": r.to, "evidence": r.evidence.text,
                "disputer": names.get(src.speaker) or (src.source.text if src.source else None),
                "disputer_says": src.text,
                "cue": src.cue.text if src.cue else None,
                "disputed": (names.get(dst.speaker) or (dst.source.text if dst.source else None)) if dst else None,
                "disputed_says": dst.text if dst else None,
            })
    rng = random.Random(args.seed)
    sample = rng.sample(found, min(args.n, len(found)))
    print(f"{len(found)} disputes predicted in {len(docs)} articles; {len(sample)} sampled (seed {args.seed})",
          file=sys.stderr)
    for i, item in enumerate(sample, 1):
        print(json.dumps({"n": i} | item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
