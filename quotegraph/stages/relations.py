"""The claim ledger: which statement disputes, supports or declines to answer which claim.

Two questions, each answered by a small logistic model learned from PolNeAR's relation links
(``python -m quotegraph.train_relations``; see docs/model-card.md):

1. *Is this statement a response?* For each statement, the chance that it disputes something and
   the chance that it supports something (its cue, its words of opposition or agreement, whether
   it names another speaker, whether an earlier statement by someone else shares its words, and
   whether an explicit rule in ``disputes.py`` fired).
2. *To which claim?* For a response, every statement near it is ranked as its target (who said
   it, who names whom, shared words, distance). The best one is taken when the model is sure
   enough; otherwise the relation has no target ("denied the allegations").

Relations that the text spells out (``disputes.explicit_relations``: refusals to comment, denials
with their claim, the other side's account) are always kept. Every relation carries a ``score``:
the model's probability, or for an explicit rule its precision measured on held-out training
articles. Relations are unique by (type, from, to).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .context import Context, Draft
from .disputes import RelationDraft, explicit_relations
from .relation_features import DocumentView, StatementView, pair_features, statement_dense, statement_features

MODEL_FILE = "relation_model.json"
RESPONSE_TYPES = ("disputes", "supports")
WINDOW_BEFORE, WINDOW_AFTER = 30, 5  # statements looked at as targets: linear in the document


@dataclass
class RelationModel:
    response: dict[str, dict[str, float]]  # type -> feature weights
    response_dense: dict[str, np.ndarray]  # type -> weights of statement_dense
    target: dict[str, float]
    thresholds: dict[str, float]  # "disputes", "supports": response; "target.TYPE": target
    rule_precision: dict[str, float]

    @classmethod
    def load(cls) -> "RelationModel | None":
        path = resources.files("quotegraph.data").joinpath(MODEL_FILE)
        if not path.is_file():
            return None
        data = json.loads(path.read_text("utf-8"))
        dense = {kind: np.asarray(w, dtype=np.float32) for kind, w in data["response_dense"].items()}
        return cls(data["response"], dense, data["target"], data["thresholds"], data["rule_precision"])

    def respond(self, kind: str, features: list[str], dense) -> float:
        z = sum(self.response[kind].get(f, 0.0) for f in features)
        weights = self.response_dense.get(kind)
        if weights is not None and len(weights) == len(dense):
            z += float(dense @ weights)
        return _sigmoid(z)

    def aim(self, features: list[str]) -> float:
        return _sigmoid(sum(self.target.get(f, 0.0) for f in features))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def relation_model() -> RelationModel | None:
    return RelationModel.load()


def candidates(view: DocumentView, a: StatementView) -> list[tuple[StatementView, int]]:
    """Statements near ``a`` that it may answer, with their rank by words shared (0 = most)."""
    lo, hi = max(0, a.index - WINDOW_BEFORE), min(len(view.statements), a.index + WINDOW_AFTER + 1)
    near = [b for b in view.statements[lo:hi] if b is not a]
    near.sort(key=lambda b: (-len(a.stems & b.stems), abs(a.index - b.index)))
    return [(b, rank) for rank, b in enumerate(near)]


def typed(kind: str, features: list[str]) -> list[str]:
    """Target features, shared by all relation types and once more for this type."""
    return features + [f"{kind}|{f}" for f in features]


class Ledger:
    """Relations unique by (type, from, to); a repeat keeps the higher score."""

    def __init__(self) -> None:
        self._by_key: dict[tuple, RelationDraft] = {}

    def add(self, r: RelationDraft) -> None:
        key = (r.type, id(r.source), id(r.target) if r.target is not None else None)
        old = self._by_key.get(key)
        if old is None or r.score > old.score:
            self._by_key[key] = r

    def relations(self) -> list[RelationDraft]:
        return list(self._by_key.values())


def find_relations(ctx: Context) -> None:
    drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
    explicit = explicit_relations(ctx, drafts)
    model = relation_model()
    ledger = Ledger()
    if model is None:  # before the first training run: the explicit relations alone
        for r in explicit:
            ledger.add(r)
        ctx.relations.extend(ledger.relations())
        return
    view = DocumentView.of(ctx, drafts)
    by_source: dict[int, list[RelationDraft]] = {}
    for r in explicit:
        by_source.setdefault(id(r.source), []).append(r)
    for a in view.statements:
        for r in decide(view, a, by_source.get(id(a.draft), []), model):
            ledger.add(r)
    ctx.relations.extend(ledger.relations())


def decide(view: DocumentView, a: StatementView, rules: list[RelationDraft],
           model: RelationModel) -> list[RelationDraft]:
    """The relations that start at ``a``: the explicit ones, scored, and the learned one."""
    fired = {t: any(r.type == t for r in rules) for t in ("disputes", "supports", "declines_comment")}
    out = []
    for r in rules:
        if r.type == "declines_comment" or (r.type in RESPONSE_TYPES and r.target is None):
            target, q = best_target(view, a, r.type, model)
            r.target = r.target if target is None else target
        r.score = model.rule_precision.get(r.type, 0.9)
        out.append(r)
    if fired["declines_comment"]:
        return out
    features = statement_features(view, a, fired)
    dense = statement_dense(a)
    scores = {t: model.respond(t, features, dense) for t in RESPONSE_TYPES}
    kind = max(RESPONSE_TYPES, key=scores.get)
    if fired[kind] or scores[kind] < model.thresholds[kind]:
        return out
    target, q = best_target(view, a, kind, model)
    evidence = a.draft.cue or (a.draft.start, a.draft.end)
    out.append(RelationDraft(kind, a.draft, target, evidence, score=scores[kind] * (q if target is not None else 1.0)))
    return out


def best_target(view: DocumentView, a: StatementView, kind: str, model: RelationModel) -> tuple[Draft | None, float]:
    """The most likely claim ``a`` answers, if the model is sure enough of it."""
    best, q = likeliest_target(view, a, kind, model)
    if best is None or q < model.thresholds.get(f"target.{kind}", 1.0):
        return None, 0.0
    return best.draft, q


# A refusal's question is about what was refused: "would not be drawn on whether Mr Sunak feels safe"
# answers no statement that shares none of its words, however near it stands.
MUST_SHARE_WORDS = frozenset({"declines_comment"})


def likeliest_target(view: DocumentView, a: StatementView, kind: str,
                     model: RelationModel) -> tuple[StatementView | None, float]:
    """The candidate the target model ranks first for ``a``, and its probability."""
    best, best_q = None, 0.0
    for b, rank in candidates(view, a):
        if kind in MUST_SHARE_WORDS and not a.stems & b.stems:
            continue
        q = model.aim(typed(kind, pair_features(view, a, b, rank)))
        if q > best_q:
            best, best_q = b, q
    return best, best_q
