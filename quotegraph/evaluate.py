"""Evaluation against gold attributions in the PolNeAR layout.

The measures are those of the project's reference scorer (shared/acceptance/score_attributions.py),
and the tests check that both give the same figures on the same predictions:

- content, source and cue: exact span match after trimming white space, quotation marks and
  ``.,;:`` at both ends; content fragment by fragment; one-to-one counting;
- attribution: gold attribution and predicted statement paired one to one by content overlap
  of at least half the longer content (largest overlaps first); a pair is correct when their
  sources overlap or both are absent.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

TRIM = frozenset(" \t\r\n\"\u201c\u201d\u2018\u2019'.,;:")
ROLES = ("content", "source", "cue", "attribution")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return start, end


def _spans(text: str, items: Iterable[dict | None]) -> list[tuple[int, int]]:
    out = []
    for item in items:
        if item and item.get("start") is not None and item.get("end") is not None:
            s, e = trim(text, int(item["start"]), int(item["end"]))
            if e > s:
                out.append((s, e))
    return out


def _chars(text: str, fragments: list[dict]) -> set[int]:
    chars: set[int] = set()
    for s, e in _spans(text, fragments):
        chars.update(range(s, e))
    return chars


@dataclass
class Tally:
    correct: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, correct: int, predicted: int, gold: int) -> None:
        self.correct += correct
        self.predicted += predicted
        self.gold += gold

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4),
                "correct": self.correct, "pred": self.predicted, "gold": self.gold}


def _exact_matches(gold: list, predicted: list) -> int:
    pool = Counter(gold)
    hits = 0
    for p in predicted:
        if pool[p]:
            pool[p] -= 1
            hits += 1
    return hits


def _role_items(record: dict, role: str) -> list:
    if role == "content":
        return record.get("content") or []
    return [record.get(role)]


def pair_by_content(text: str, gold: list[dict], predicted: list[dict]) -> dict[int, int]:
    """Gold attribution index -> predicted statement index, one to one: contents overlapping by at
    least half the longer of the two, largest overlaps first (ties: earlier gold, then earlier prediction)."""
    gold_chars = [_chars(text, a.get("content") or []) for a in gold]
    pred_chars = [_chars(text, s.get("content") or []) for s in predicted]
    candidates = []
    for i, gc in enumerate(gold_chars):
        for j, pc in enumerate(pred_chars):
            overlap = len(gc & pc)
            if overlap and overlap * 2 >= max(len(gc), len(pc)):
                candidates.append((-overlap, i, j))
    candidates.sort()
    pairs: dict[int, int] = {}
    used_pred: set[int] = set()
    for _, i, j in candidates:
        if i not in pairs and j not in used_pred:
            pairs[i] = j
            used_pred.add(j)
    return pairs


def _sources_agree(text: str, gold: dict, predicted: dict) -> bool:
    gs = _spans(text, [gold.get("source")])
    ps = _spans(text, [predicted.get("source")])
    return (not gs and not ps) or bool(gs and ps and min(gs[0][1], ps[0][1]) > max(gs[0][0], ps[0][0]))


def attribution_matches(text: str, gold: list[dict], predicted: list[dict]) -> int:
    pairs = pair_by_content(text, gold, predicted)
    return sum(_sources_agree(text, gold[i], predicted[j]) for i, j in pairs.items())


def score(gold_docs: dict[str, dict], pred_docs: dict[str, dict]) -> dict[str, Tally]:
    """Micro-averaged tallies over all gold documents (a missing prediction counts as empty)."""
    totals = {role: Tally() for role in ROLES}
    for doc_id, g in gold_docs.items():
        text = g["text"]
        gold = g.get("attributions") or []
        pred = (pred_docs.get(doc_id) or {}).get("statements") or []
        for role in ("content", "source", "cue"):
            gs = [sp for a in gold for sp in _spans(text, _role_items(a, role))]
            ps = [sp for s in pred for sp in _spans(text, _role_items(s, role))]
            totals[role].add(_exact_matches(gs, ps), len(ps), len(gs))
        totals["attribution"].add(attribution_matches(text, gold, pred), len(pred), len(gold))
    return totals


def read_jsonl(path: str | Path, required: tuple[str, ...] = ()) -> list[dict]:
    """One JSON object a line (blank lines skipped), each with the ``required`` keys; a ValueError
    naming the file and line otherwise."""
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{n}: not a JSON object")
            missing = [key for key in required if key not in record]
            if missing:
                raise ValueError(f"{path}:{n}: no {', '.join(repr(k) for k in missing)}")
            records.append(record)
    return records


def load_gold(path: str | Path) -> list[dict]:
    return read_jsonl(path, required=("id", "text"))


def summary_line(totals: dict[str, Tally]) -> str:
    # rounded to 4 places first, as the reference scorer does, so that the printed figures agree to the last digit
    return " ".join(f"{role}_f1={totals[role].to_dict()['f1']:.3f}" for role in ROLES)


def report(totals: dict[str, Tally], documents: int) -> str:
    lines = [f"{'':<12} {'P':>6} {'R':>6} {'F1':>6}   correct/pred (gold)"]
    for role in ROLES:
        t, rounded = totals[role], totals[role].to_dict()
        lines.append(f"{role:<12} {rounded['p']:6.3f} {rounded['r']:6.3f} {rounded['f1']:6.3f}   "
                     f"{t.correct}/{t.predicted} ({t.gold})")
    lines.append(f"documents={documents}")
    lines.append(summary_line(totals))
    return "\n".join(lines)
