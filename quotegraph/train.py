"""Retrain quotegraph's learned parts from PolNeAR train.

    python -m quotegraph.train ../shared/data/polnear/train.jsonl [--out quotegraph/data/cue_model.json]

Deterministic (seeded shuffles, no threads): the same data gives the same model file.
What is learned: which words are attribution cues (logistic regression over parse features)
and which neighbouring words annotators count as part of a cue. See docs/model-card.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from .pipeline import parse_many
from .stages.context import QuoteIndex
from .stages.cues import MODEL_FILE, CueModel, candidate_features, dense_features, span_key
from .stages.quotes import find_quotations
from .evaluate import load_gold, trim

SEED = 13
EPOCHS = 10
BATCH = 32
L2 = 1e-6
LEARNING_RATE = 0.1
MIN_FEATURE_COUNT = 2
MIN_WEIGHT = 0.01  # smaller weights change no decision and only swell the shipped file


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


def parsed(gold_docs: list[dict], cache: str | None):
    """Parse the articles, or load the parses from ``cache`` (a spaCy DocBin, with the
    contextual vectors beside it in CACHE.npy) when it is there."""
    import numpy as np
    from spacy.tokens import DocBin

    from . import nlp as nlp_module

    tensors = Path(f"{cache}.npy") if cache else None
    if cache and Path(cache).exists() and tensors.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp_module.load().vocab))
        if len(docs) == len(gold_docs) and all(d.text == g["text"] for d, g in zip(docs, gold_docs)):
            flat = np.load(tensors)
            offset = 0
            for d in docs:
                d.tensor = flat[offset:offset + len(d)]
                offset += len(d)
            return docs
    docs = list(parse_many(g["text"] for g in gold_docs))
    if cache:
        DocBin(docs=docs).to_disk(cache)
        np.save(tensors, np.concatenate([d.tensor for d in docs]).astype(np.float32))
    return docs


def examples(gold_docs: list[dict], docs, include):
    """(sparse features, row of the dense matrix, label) for every candidate cue word."""
    import numpy as np

    rows, dense = [], []
    for g, doc in zip(gold_docs, docs):
        text = g["text"]
        heads = cue_heads(doc, text, g.get("attributions", []))
        span_inclusion(doc, text, g.get("attributions", []), include)
        quotes = QuoteIndex(find_quotations(text))
        for tok, feats in candidate_features(doc, quotes):
            rows.append((feats, 1 if tok.i in heads else 0))
            dense.append(dense_features(tok))
    return rows, np.asarray(dense, dtype=np.float32)


def train_logistic(rows, dense, epochs=EPOCHS, seed=SEED):
    """Logistic regression over sparse string features and the dense contextual vector,
    minibatch AdaGrad in numpy. Returns (sparse weights, dense weights)."""
    import numpy as np

    counts = Counter(f for feats, _ in rows for f in feats)
    vocab = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= MIN_FEATURE_COUNT))}
    index_lists = [np.array([vocab[f] for f in feats if f in vocab], dtype=np.int64) for feats, _ in rows]
    y = np.array([label for _, label in rows], dtype=np.float32)
    w = np.zeros(len(vocab), dtype=np.float64)
    v = np.zeros(dense.shape[1], dtype=np.float64)
    gw = np.full(len(vocab), 1e-8)
    gv = np.full(dense.shape[1], 1e-8)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(rows))
        loss = 0.0
        for b in range(0, len(order), BATCH):
            batch = order[b:b + BATCH]
            lists = [index_lists[i] for i in batch]
            lengths = np.array([len(x) for x in lists])
            flat = np.concatenate(lists)
            owner = np.repeat(np.arange(len(batch)), lengths)
            z = np.bincount(owner, weights=w[flat], minlength=len(batch)) + dense[batch] @ v
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
            loss -= float(np.sum(np.log(np.where(y[batch] > 0, p, 1 - p) + 1e-12)))
            g = p - y[batch]
            grad_w = np.bincount(flat, weights=g[owner], minlength=len(vocab)) + L2 * w
            touched = np.unique(flat)
            gw[touched] += grad_w[touched] ** 2
            w[touched] -= LEARNING_RATE * grad_w[touched] / np.sqrt(gw[touched])
            grad_v = dense[batch].T @ g + L2 * v
            gv += grad_v ** 2
            v -= LEARNING_RATE * grad_v / np.sqrt(gv)
        print(f"  epoch {epoch + 1}: loss {loss / len(rows):.4f}", file=sys.stderr)
    sparse = {f: round(float(w[i]), 4) for f, i in vocab.items() if abs(w[i]) >= MIN_WEIGHT}
    return sparse, [round(float(x), 5) for x in v]


def best_threshold(model: "CueModel", rows, dense) -> float:
    scored = [(model.score(feats, dense[i]), y) for i, (feats, y) in enumerate(rows)]
    gold = sum(y for _, y in scored)
    best = (0.0, 0.5)
    for t in [x / 100 for x in range(10, 91, 2)]:
        pred = [y for p, y in scored if p >= t]
        tp = sum(pred)
        f1 = 2 * tp / (len(pred) + gold) if pred or gold else 0.0
        best = max(best, (f1, t))
    print(f"  held-out cue-head F1 {best[0]:.3f} at threshold {best[1]}", file=sys.stderr)
    return best[1]


def provenance(train_path: str, docs, dense: list[float]) -> dict:
    """What the model was made from, which loading checks (cues.CueModel.load)."""
    import hashlib

    import spacy

    from . import nlp as nlp_module

    meta = nlp_module.load().meta
    return {"spacy": spacy.__version__, "pipeline": f"{meta['lang']}_{meta['name']}",
            "pipeline_version": meta["version"],
            "vector_width": int(docs[0].tensor.shape[1]), "dense_features": len(dense),
            "train_sha256": hashlib.sha256(Path(train_path).read_bytes()).hexdigest(),
            "hyper_parameters": {"seed": SEED, "epochs": EPOCHS, "batch": BATCH, "l2": L2,
                                 "learning_rate": LEARNING_RATE, "min_feature_count": MIN_FEATURE_COUNT,
                                 "min_weight": MIN_WEIGHT}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quotegraph.train", description=__doc__.splitlines()[0])
    parser.add_argument("train", help="gold JSONL in the PolNeAR layout (train split)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / MODEL_FILE))
    parser.add_argument("--cache", help="file to keep the parses in between runs (optional)")
    args = parser.parse_args(argv)
    t0 = time.time()
    gold_docs = load_gold(args.train)
    rng = random.Random(SEED)
    held = set(rng.sample(range(len(gold_docs)), max(1, len(gold_docs) // 10)))
    print(f"parsing {len(gold_docs)} articles ...", file=sys.stderr)
    docs = parsed(gold_docs, args.cache)
    include = defaultdict(lambda: [0, 0])
    fit, fit_dense = examples([g for i, g in enumerate(gold_docs) if i not in held],
                              [d for i, d in enumerate(docs) if i not in held], include)
    held_rows, held_dense = examples([g for i, g in enumerate(gold_docs) if i in held],
                                     [d for i, d in enumerate(docs) if i in held], include)
    print(f"{len(fit)} candidate words ({sum(y for _, y in fit)} cues); training", file=sys.stderr)
    span_include = {k: round(v[1] / (v[0] + v[1]), 3) for k, v in include.items() if v[0] + v[1] >= 5}
    sparse, dense = train_logistic(fit, fit_dense)
    threshold = best_threshold(CueModel(sparse, 0.5, span_include, dense), held_rows, held_dense)
    # the shipped model: all of train, with the threshold chosen on the held-out tenth
    import numpy as np

    sparse, dense = train_logistic(fit + held_rows, np.concatenate([fit_dense, held_dense]))
    model = {"about": "quotegraph cue model; retrain with `python -m quotegraph.train`",
             "threshold": threshold, "span_include": span_include, "weights": sparse, "dense": dense,
             "provenance": provenance(args.train, docs, dense)}
    Path(args.out).write_text(json.dumps(model, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.out} ({len(sparse)} weights) in {time.time() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
