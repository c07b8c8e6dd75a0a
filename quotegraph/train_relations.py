"""Retrain the relation model (disputes, supports, the targets of responses) from PolNeAR train.

    python -m quotegraph.train_relations ../shared/data/polnear/train.jsonl \\
        ../shared/data/polnear/relations-train.jsonl [--out quotegraph/data/relation_model.json] [--cache FILE]

Deterministic (seeded folds, no threads). The articles are parsed and run through every stage
before the relation stage; quotegraph's own statements are paired with the gold attributions by
content overlap (as the scorer pairs them), so the model learns on what it will see. Thresholds
are chosen on five-fold out-of-fold predictions (each article scored by a model fitted without
it); the shipped weights are then fitted on all the articles. See docs/model-card.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .evaluate import load_gold, pair_by_content, read_jsonl
from .pipeline import DEFAULT_STAGES, run_stages
from .stages import relations as rel
from .stages.disputes import explicit_relations
from .stages.relation_features import DocumentView, pair_features, statement_dense, statement_features
from .train import SEED, parsed, train_logistic

BEFORE_RELATIONS = DEFAULT_STAGES[:DEFAULT_STAGES.index("relations")]
TYPES = ("disputes", "supports", "declines_comment")
FOLDS = 5  # thresholds are chosen on out-of-fold predictions over all linked articles
MIN_PRECISION = {"disputes": 0.6, "supports": 0.55}  # thresholds are chosen for F1 above these


class Article:
    """One linked training article, run up to the relation stage, with its gold links on our statements."""

    def __init__(self, gold: dict, links: list[dict], doc):
        ctx = run_stages(gold["text"], doc, gold.get("publication_date"), BEFORE_RELATIONS)
        self.drafts = sorted(ctx.drafts, key=lambda d: (d.start, -d.end))
        self.view = DocumentView.of(ctx, self.drafts)
        self.explicit = explicit_relations(ctx, self.drafts)
        pairs = pair_by_content(gold["text"], gold.get("attributions", []),
                                [{"content": [{"start": s, "end": e} for s, e in d.content]} for d in self.drafts])
        index = {a["id"]: pairs.get(i) for i, a in enumerate(gold.get("attributions", []))}
        self.mapped = set(pairs.values())  # our statements that are gold attributions
        self.links = [(link["type"], index.get(link["from"]), index.get(link["to"]) if link.get("to") else None,
                       link["to"] is None)
                      for link in links if link.get("from") and link["type"] in TYPES]

    def responders(self, kind: str) -> set[int]:
        return {a for t, a, _, _ in self.links if t == kind and a is not None}

    def targets(self, a: int) -> dict[int, str]:
        return {b: t for t, x, b, _ in self.links if x == a and b is not None}

    def fired(self, i: int) -> dict[str, bool]:
        d = self.drafts[i]
        return {t: any(r.type == t and r.source is d for r in self.explicit) for t in TYPES}


def response_rows(articles: list[Article], kind: str):
    """(features, label) for every statement that is a gold attribution, and the dense rows beside."""
    import numpy as np

    rows, dense = [], []
    for art in articles:
        positive = art.responders(kind)
        for s in art.view.statements:
            if s.index in art.mapped and not art.fired(s.index)["declines_comment"]:
                rows.append((statement_features(art.view, s, art.fired(s.index)), int(s.index in positive)))
                dense.append(statement_dense(s))
    return rows, np.asarray(dense, dtype=np.float32)


def target_rows(articles: list[Article]) -> list[tuple[list[str], int]]:
    rows = []
    for art in articles:
        for kind in TYPES:
            for a in sorted(art.responders(kind)):
                wanted = art.targets(a)
                if not wanted:
                    continue
                s = art.view.statements[a]
                for b, rank in rel.candidates(art.view, s):
                    rows.append((rel.typed(kind, pair_features(art.view, s, b, rank)), int(b.index in wanted)))
    return rows


def fit(rows, dense=None):
    import numpy as np

    return train_logistic(rows, dense if dense is not None else np.zeros((len(rows), 0), dtype=np.float32))


@dataclass
class Case:
    """One held-out statement as the relation stage would see it for one relation type."""

    response: float  # the chance that it is such a response (1.0 where an explicit rule fired)
    aim: float  # the target model's probability for its best candidate
    best: int | None  # that candidate's index
    links: list[tuple[int | None, bool]]  # its gold links of this type: (target index, target is null)
    article: Article


def held_out_cases(model: rel.RelationModel, articles: list[Article], kind: str) -> list[Case]:
    cases = []
    for art in articles:
        for s in art.view.statements:
            if s.index not in art.mapped:
                continue  # not a gold attribution: the scorer does not judge it
            fired = art.fired(s.index)
            if kind == "declines_comment":
                if not fired[kind]:
                    continue
                p = 1.0
            elif fired["declines_comment"]:
                continue
            elif fired[kind]:
                p = 1.0
            else:  # as the stage decides: the likelier of the two response types, or nothing
                f, dense = statement_features(art.view, s, fired), statement_dense(s)
                ps = {t: model.respond(t, f, dense) for t in rel.RESPONSE_TYPES}
                p = ps[kind] if max(ps, key=ps.get) == kind else 0.0
            best, q = rel.likeliest_target(art.view, s, kind, model)
            links = [(b, null) for t, a, b, null in art.links if t == kind and a == s.index]
            cases.append(Case(p, q, best.index if best is not None else None, links, art))
    return cases


def tally(cases: list[Case], response_at: float, aim_at: float) -> tuple[int, int, int]:
    """(links found, relations right, relations judged), counted as score_relations.py counts them."""
    found = right = judged = 0
    for c in cases:
        if c.response < response_at:
            continue
        target = c.best if c.aim >= aim_at else None
        found += sum(1 for t, null in c.links if null or (t is not None and t == target))
        if target is not None and target not in c.article.mapped:
            continue  # a target that is no gold attribution: found links count, precision does not judge it
        judged += 1
        right += bool(c.links) and (target is None or any(t == target or null for t, null in c.links))
    return found, right, judged


GRID = [x / 100 for x in range(5, 96, 5)]


def _decline_target_threshold(cases: list[Case]) -> float:
    """A refusal names the question it refused when the target model is sure enough: the threshold
    with the best F1 over the refusals whose question is a statement (right targets among those
    named, and among those to find). The scorer would take any target, so it cannot choose this."""
    wanted = sum(1 for c in cases for t, null in c.links if not null and t is not None)
    best = (0.0, 1.0)
    for aim_at in GRID:
        named = [c for c in cases if c.aim >= aim_at and c.best in c.article.mapped and c.links]
        right = sum(1 for c in named if any(t == c.best for t, _ in c.links))
        precision, recall = right / len(named) if named else 0.0, right / wanted if wanted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        best = max(best, (f1, -aim_at))
    aim_at = -best[1] if best[0] > 0 else 1.0
    print(f"  declines_comment: targets F1 {best[0]:.3f} at target {aim_at}", file=sys.stderr)
    return aim_at


def choose_thresholds(folds: list[tuple[rel.RelationModel, list[Article]]]) -> dict[str, float]:
    """On each fold's held-out articles, scored by the model fitted without them. Disputes and
    supports: the response and target thresholds with the best F1 whose precision is at least
    MIN_PRECISION. Declines: every refusal is kept; its target threshold is chosen on targets alone."""
    def cases_of(kind: str) -> list[Case]:
        return [c for model, held in folds for c in held_out_cases(model, held, kind)]

    chosen = {}
    for kind in ("disputes", "supports"):
        cases = cases_of(kind)
        gold = sum(1 for _, held in folds for art in held for t, *_ in art.links if t == kind)
        best = (-1.0, 1.0, 0.5)  # where no threshold is precise enough, the model adds none of this type
        for response_at in GRID[1:]:
            for aim_at in GRID:
                found, right, judged = tally(cases, response_at, aim_at)
                precision, recall = right / judged if judged else 0.0, found / gold if gold else 0.0
                f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
                if precision >= MIN_PRECISION[kind] and f1 > best[0]:
                    best = (f1, response_at, aim_at)
        print(f"  {kind}: held-out F1 {max(best[0], 0):.3f} at response {best[1]}, target {best[2]}"
              + ("" if best[0] >= 0 else " (no threshold reached the precision: the model adds none)"), file=sys.stderr)
        chosen[kind], chosen[f"target.{kind}"] = best[1], best[2]
    chosen["target.declines_comment"] = _decline_target_threshold(cases_of("declines_comment"))
    return chosen


def rule_precision(articles: list[Article]) -> dict[str, float]:
    """How often each kind of explicit relation starts at a statement that gold links the same way."""
    out = {}
    for kind in ("disputes", "supports", "declines_comment"):
        hits = total = 0
        for art in articles:
            for r in art.explicit:
                i = art.drafts.index(r.source)
                if r.type == kind and i in art.mapped:
                    total += 1
                    hits += i in art.responders(kind)
        out[kind] = round((hits + 1) / (total + 2), 3)  # smoothed: few examples
    out["alternative_account"] = out["disputes"]
    return out


def build(articles: list[Article], thresholds=None, precision=None) -> rel.RelationModel:
    fitted = {kind: fit(*response_rows(articles, kind)) for kind in rel.RESPONSE_TYPES}
    import numpy as np

    return rel.RelationModel({k: w for k, (w, _) in fitted.items()},
                             {k: np.asarray(v, dtype=np.float32) for k, (_, v) in fitted.items()},
                             fit(target_rows(articles))[0], thresholds or {}, precision or {})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quotegraph.train_relations", description=__doc__.splitlines()[0])
    parser.add_argument("train", help="gold attributions, PolNeAR layout (train split)")
    parser.add_argument("links", help="relation links for (some of) those articles")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / rel.MODEL_FILE))
    parser.add_argument("--cache", help="file to keep the parses in between runs (optional)")
    args = parser.parse_args(argv)
    t0 = time.time()
    links = {r["id"]: r["links"] for r in read_jsonl(args.links, required=("id", "links"))}
    gold_docs = [g for g in load_gold(args.train) if g["id"] in links]
    print(f"parsing {len(gold_docs)} linked articles ...", file=sys.stderr)
    docs = parsed(gold_docs, args.cache)
    articles = [Article(g, links[g["id"]], d) for g, d in zip(gold_docs, docs)]
    order = list(range(len(articles)))
    random.Random(SEED).shuffle(order)
    folds = []
    for k in range(FOLDS):
        held = set(order[k::FOLDS])
        fitted = build([a for i, a in enumerate(articles) if i not in held])
        folds.append((fitted, [a for i, a in enumerate(articles) if i in held]))
    thresholds = choose_thresholds(folds)
    model = build(articles, thresholds, rule_precision(articles))
    data = {"about": "quotegraph relation model; retrain with `python -m quotegraph.train_relations`",
            "response": model.response, "target": model.target,
            "response_dense": {k: [round(float(x), 5) for x in v] for k, v in model.response_dense.items()},
            "thresholds": thresholds, "rule_precision": model.rule_precision}
    Path(args.out).write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    rel.relation_model.cache_clear()
    print(f"wrote {args.out} in {time.time() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
