"""Retrain quotegraph's learned parts from PolNeAR train.

    python -m quotegraph.train ../shared/data/polnear/train.jsonl [--out quotegraph/data/cue_model.json]

Deterministic (seeded shuffles, no threads): the same data gives the same model file.
What is learned: which words are attribution cues (logistic regression over parse features)
and which neighbouring words annotators count as part of a cue. See docs/model-card.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from .pipeline import parse_many
from .stages.context import QuoteIndex
from .stages.cues import MODEL_FILE, candidate_features, span_key
from .stages.quotes import find_quotations
from .evaluate import load_gold, trim

SEED = 13
EPOCHS = 8
L2 = 1e-6
LEARNING_RATE = 0.2
MIN_FEATURE_COUNT = 2


def cue_heads(doc, text: str, attributions: list[dict]) -> set[int]:
    """Token indices of the syntactic heads of the gold cue spans."""
    heads = set()
    for a in attributions:
        cue = a.get("cue")
        if not cue:
            continue
        s, e = trim(text, cue["start"], cue["end"])
        span = doc.char_span(s, e, alignment_mode="expand") if e > s else None
        if span is not None and len(span):
            heads.add(span.root.i)
    return heads


def span_inclusion(doc, text: str, attributions: list[dict], counts: dict) -> None:
    """Count, for every child of a gold cue head, whether the annotators put it in the cue."""
    for a in attributions:
        cue = a.get("cue")
        if not cue:
            continue
        s, e = trim(text, cue["start"], cue["end"])
        span = doc.char_span(s, e, alignment_mode="expand") if e > s else None
        if span is None or not len(span):
            continue
        inside = {t.i for t in span}
        for child in span.root.children:
            for key in span_key(child):
                counts[key][child.i in inside] += 1
            if child.dep_ == "prep":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        counts[f"pobj|{obj.lower_}"][obj.i in inside] += 1


def examples(gold_docs: list[dict]):
    texts = [g["text"] for g in gold_docs]
    include = defaultdict(lambda: [0, 0])
    data = []
    for g, doc in zip(gold_docs, parse_many(texts)):
        text = g["text"]
        heads = cue_heads(doc, text, g.get("attributions", []))
        span_inclusion(doc, text, g.get("attributions", []), include)
        quotes = QuoteIndex(find_quotations(text))
        for tok, feats in candidate_features(doc, quotes):
            data.append((feats, 1 if tok.i in heads else 0))
    return data, include


def train_logistic(data, epochs=EPOCHS, seed=SEED):
    counts = Counter(f for feats, _ in data for f in feats)
    keep = {f for f, c in counts.items() if c >= MIN_FEATURE_COUNT}
    w: dict[str, float] = defaultdict(float)
    g2: dict[str, float] = defaultdict(lambda: 1e-8)  # AdaGrad accumulators
    order = list(range(len(data)))
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(order)
        loss = 0.0
        for i in order:
            feats, y = data[i]
            feats = [f for f in feats if f in keep]
            z = sum(w[f] for f in feats)
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            loss -= math.log(p if y else 1.0 - p + 1e-12) if p > 0 else 0.0
            grad = p - y
            for f in feats:
                g = grad + L2 * w[f]
                g2[f] += g * g
                w[f] -= LEARNING_RATE * g / math.sqrt(g2[f])
        print(f"  epoch {epoch + 1}: loss {loss / len(data):.4f}", file=sys.stderr)
    return {f: round(v, 5) for f, v in w.items() if abs(v) > 1e-4}


def best_threshold(weights, data) -> float:
    scored = []
    for feats, y in data:
        z = sum(weights.get(f, 0.0) for f in feats)
        scored.append((1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), y))
    gold = sum(y for _, y in scored)
    best = (0.0, 0.5)
    for t in [x / 100 for x in range(10, 91, 2)]:
        pred = [y for p, y in scored if p >= t]
        tp = sum(pred)
        f1 = 2 * tp / (len(pred) + gold) if pred or gold else 0.0
        best = max(best, (f1, t))
    print(f"  held-out cue-head F1 {best[0]:.3f} at threshold {best[1]}", file=sys.stderr)
    return best[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quotegraph.train", description=__doc__.splitlines()[0])
    parser.add_argument("train", help="gold JSONL in the PolNeAR layout (train split)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / MODEL_FILE))
    args = parser.parse_args(argv)
    t0 = time.time()
    gold_docs = load_gold(args.train)
    rng = random.Random(SEED)
    held = set(rng.sample(range(len(gold_docs)), max(1, len(gold_docs) // 10)))
    print(f"parsing {len(gold_docs)} articles ...", file=sys.stderr)
    fit_docs = [g for i, g in enumerate(gold_docs) if i not in held]
    held_docs = [g for i, g in enumerate(gold_docs) if i in held]
    fit, include = examples(fit_docs)
    held_data, _ = examples(held_docs)
    print(f"{len(fit)} candidate words ({sum(y for _, y in fit)} cues); training", file=sys.stderr)
    weights = train_logistic(fit)
    threshold = best_threshold(weights, held_data)
    # final model: all of train, the threshold chosen on the held-out tenth
    weights = train_logistic(fit + held_data)
    span_include = {k: round(v[1] / (v[0] + v[1]), 3) for k, v in include.items() if v[0] + v[1] >= 5}
    model = {"about": "quotegraph cue model; retrain with `python -m quotegraph.train`",
             "threshold": threshold, "span_include": span_include, "weights": weights}
    Path(args.out).write_text(json.dumps(model, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.out} ({len(weights)} weights) in {time.time() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
