"""Where the attribution points go: each gold attribution of a PolNeAR file sorted into one kind of
error (or right), as in the model card's error analysis.

    python benchmarks/error_analysis.py ../shared/data/polnear/dev.jsonl [--mode accurate] [--examples 3]

Kinds, for each gold attribution: *right* (paired with a statement of ours whose content overlaps at
least half of the longer, and whose source agrees: what the attribution F1 counts; those whose source
span is not exactly gold's are counted apart, as they cost source F1); *wrong source* (paired, the
sources do not overlap); *content boundary* (a statement of ours overlaps the content, by less than
half); *missed* (none overlaps). And statements of ours that overlap no gold content: *added*.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quotegraph.evaluate import _chars, _sources_agree, _spans, load_gold, pair_by_content  # noqa: E402


def kinds(record: dict, predicted: list[dict]) -> tuple[Counter, dict[str, list[str]]]:
    text, gold = record["text"], record.get("attributions") or []
    pairs = pair_by_content(text, gold, predicted)
    counts, examples = Counter(), {}
    gold_chars = [_chars(text, a.get("content") or []) for a in gold]
    pred_chars = [_chars(text, s.get("content") or []) for s in predicted]

    def add(kind: str, what: str) -> None:
        counts[kind] += 1
        examples.setdefault(kind, []).append(what)

    for i, a in enumerate(gold):
        cue = (a.get("cue") or {}).get("text", "-")
        if i in pairs:
            s = predicted[pairs[i]]
            if not _sources_agree(text, a, s):
                add("wrong source", f"{cue!r}: gold {(a.get('source') or {}).get('text')!r}, ours "
                                    f"{(s.get('source') or {}).get('text')!r}")
            elif _spans(text, [a.get("source")]) != _spans(text, [s.get("source")]):
                add("right, source boundary differs", f"gold {(a.get('source') or {}).get('text')!r}, ours "
                                                      f"{(s.get('source') or {}).get('text')!r}")
            else:
                add("right", cue)
        elif any(gold_chars[i] & pc for pc in pred_chars):
            span = text[min(gold_chars[i]):max(gold_chars[i]) + 1]
            add("content boundary (overlap under half)", f"{cue!r}: {span!r}")
        else:
            add("missed", f"{cue!r}")
    for j, pc in enumerate(pred_chars):
        if not any(pc & gc for gc in gold_chars):
            add("added (no gold overlaps)", f"{(predicted[j].get('cue') or {}).get('text')!r}")
    return counts, examples


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--mode", default=None, help="fast or accurate (default: $QUOTEGRAPH_MODE, else fast)")
    ap.add_argument("--examples", type=int, default=3, help="examples printed a kind")
    args = ap.parse_args(argv)
    import quotegraph

    records = load_gold(args.gold)
    analyses = quotegraph.analyze_many(((r["text"], r.get("publication_date"), r["id"]) for r in records),
                                       mode=args.mode)
    total, examples = Counter(), {}
    missed_cues = Counter()
    for record, analysis in zip(records, analyses):
        counts, found = kinds(record, analysis.to_dict()["statements"])
        total += counts
        for kind, items in found.items():
            examples.setdefault(kind, []).extend(items)
        missed_cues.update(w.strip("'").lower() for w in found.get("missed", []))
    print(json.dumps({"gold_attributions": sum(len(r.get("attributions") or []) for r in records),
                      "kinds": dict(total.most_common()),
                      "examples": {k: v[:args.examples] for k, v in examples.items()},
                      "most_missed_cues": missed_cues.most_common(15)}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
