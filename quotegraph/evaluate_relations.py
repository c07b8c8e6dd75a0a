"""Evaluation of relations between statements (disputes, supports, declines_comment) against gold links.

The measures are those of the project's reference scorer (shared/acceptance/score_relations.py), and
the tests check that both print the same line on the same predictions. Gold attributions and predicted
statements are paired as for attributions (:func:`quotegraph.evaluate.pair_by_content`); then, per type:

- recall: gold links found. A -> B is found by a predicted relation of its type from A's statement to
  B's; A -> null by one from A's statement to anything; a decline with no attribution (from null) by a
  predicted declines_comment whose evidence overlaps the link's span.
- precision: predicted relations (duplicates counted once) whose ends map to gold attributions, or whose
  target is null and whose source maps, are judged: right when gold has the link (or A -> null for a
  relation from A). A declines_comment is judged when its source maps or its evidence lies on a gold
  decline span. The others are counted as unjudged.

Links come one line an article: ``{"id", "links": [{"type", "from", "to", "span"?, "confidence"}]}``,
``from``/``to`` being gold attribution ids; without a links file, the gold attributions' own
``"disputes": TARGET_ID`` fields are the links.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from .evaluate import pair_by_content, read_jsonl

RELATION_TYPES = ("disputes", "supports", "declines_comment")
DECLINE = "declines_comment"


@dataclass
class RelationTally:
    found: int = 0      # gold links found
    gold: int = 0
    right: int = 0      # judged predictions that are gold links
    judged: int = 0
    unjudged: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.judged if self.judged else 0.0

    def to_dict(self) -> dict:
        return {"r": round(self.recall, 4), "p": round(self.precision, 4), "found": self.found,
                "gold": self.gold, "right": self.right, "judged": self.judged, "unjudged": self.unjudged}


def _f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def overall(totals: dict[str, RelationTally]) -> RelationTally:
    """All types together (unjudged summed too, though the line does not print them)."""
    return RelationTally(*(sum(getattr(t, f.name) for t in totals.values()) for f in fields(RelationTally)))


# ---------------------------------------------------------------- reading

def load_links(path: str | Path) -> dict[str, dict]:
    """The links file, by article id."""
    records = read_jsonl(path, required=("id",))
    for record in records:
        problem = _links_problem(record.get("links", []))
        if problem:
            raise ValueError(f"{path}: article {record['id']!r}: {problem}")
    return {record["id"]: record for record in records}


def _links_problem(links) -> str | None:
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        return "'links' is not a list of objects"
    for link in links:
        span = link.get("span")
        if span and not (isinstance(span, dict) and all(isinstance(span.get(k), int) for k in ("start", "end"))):
            return f"link {link} has a span without integer start and end"
    return None


def gold_links(gold_doc: dict, links_doc: dict | None, clear_only: bool) -> list[dict]:
    if links_doc is None:
        return [{"type": "disputes", "from": a.get("id"), "to": a["disputes"]}
                for a in gold_doc.get("attributions") or [] if a.get("disputes")]
    return [link for link in links_doc.get("links", [])
            if link.get("type") in RELATION_TYPES and not (clear_only and link.get("confidence") != "clear")]


class Predicted(NamedTuple):
    """A predicted relation, its ends as indexes of the prediction's statements (None: no such statement)."""
    type: str
    source: int | None
    target_id: str | None
    target: int | None
    evidence: tuple[int | None, int | None]


def predicted_relations(prediction: dict) -> list[Predicted]:
    """The prediction's relations of the scored types, each counted once."""
    index = {s.get("id"): j for j, s in enumerate(prediction.get("statements") or [])}
    relations = []
    for r in prediction.get("relations") or []:
        if r.get("type") in RELATION_TYPES:
            evidence = r.get("evidence") or {}
            relations.append(Predicted(r["type"], index.get(r.get("from")), r.get("to"), index.get(r.get("to")),
                                       (evidence.get("start"), evidence.get("end"))))
    return list(dict.fromkeys(relations))


def _chars_between(start: int | None, end: int | None) -> set[int]:
    return set(range(start, end)) if start is not None and end is not None else set()


def _link_span(link: dict) -> set[int]:
    span = link.get("span") or {}
    return _chars_between(span.get("start", 0), span.get("end", 0))


# ---------------------------------------------------------------- one article

@dataclass
class Article:
    """One article's gold links and predicted relations, with the pairing between their statements."""
    links: list[dict]
    relations: list[Predicted]
    gold_index: dict[str, int]     # gold attribution id -> index
    paired: dict[int, int]         # gold index -> predicted index
    gold_of: dict[int, int]        # predicted index -> gold index

    def gold_end(self, attribution_id) -> int | None:
        return None if attribution_id is None else self.gold_index.get(attribution_id)

    def predicted_of(self, attribution_id) -> int | None:
        return self.paired.get(self.gold_end(attribution_id))

    @cached_property
    def gold_keys(self) -> set[tuple]:
        """(type, gold source index, gold target index or None) of the links that have a source."""
        return {(link["type"], self.gold_end(link["from"]), self.gold_end(link.get("to")))
                for link in self.links if link.get("from") is not None}

    @cached_property
    def decline_spans(self) -> list[set[int]]:
        """The characters of each decline that has no attribution."""
        return [_link_span(link) for link in self.links
                if link["type"] == DECLINE and link.get("from") is None and link.get("span")]

    @cached_property
    def declining_sources(self) -> set[int]:
        return {self.gold_end(link.get("from")) for link in self.links if link["type"] == DECLINE} - {None}


def article(gold_doc: dict, prediction: dict, links: list[dict]) -> Article:
    attributions = gold_doc.get("attributions") or []
    paired = pair_by_content(gold_doc["text"], attributions, prediction.get("statements") or [])
    return Article(links=links, relations=predicted_relations(prediction),
                   gold_index={a.get("id"): i for i, a in enumerate(attributions)},
                   paired=paired, gold_of={j: i for i, j in paired.items()})


def link_found(doc: Article, link: dict) -> bool:
    of_type = [r for r in doc.relations if r.type == link["type"]]
    if link.get("from") is None:
        span = _link_span(link)
        return any(span & _chars_between(*r.evidence) for r in of_type if r.evidence[0] is not None)
    source = doc.predicted_of(link["from"])
    from_source = [r for r in of_type if r.source is not None and r.source == source]
    if link.get("to") is None:
        return bool(from_source)
    target = doc.predicted_of(link["to"])
    return any(r.target is not None and r.target == target for r in from_source)




def judge_decline(doc: Article, r: Predicted) -> bool | None:
    """Whether a predicted declines_comment is right; None where it cannot be judged."""
    evidence = _chars_between(*r.evidence) if r.evidence[0] is not None else set()
    on_span = any(span & evidence for span in doc.decline_spans)
    source = doc.gold_of.get(r.source)
    if source is None and not on_span:
        return None
    return on_span or source in doc.declining_sources


def judge(doc: Article, r: Predicted) -> bool | None:
    """Whether a predicted relation is right; None where it cannot be judged."""
    if r.type == DECLINE:
        return judge_decline(doc, r)
    source = doc.gold_of.get(r.source)
    if source is None:
        return None
    if r.target_id is None:
        return any(k[0] == r.type and k[1] == source for k in doc.gold_keys)
    target = doc.gold_of.get(r.target)
    if target is None:
        return None
    return (r.type, source, target) in doc.gold_keys or (r.type, source, None) in doc.gold_keys


def tally_article(doc: Article, totals: dict[str, RelationTally]) -> None:
    for link in doc.links:
        t = totals[link["type"]]
        t.gold += 1
        t.found += link_found(doc, link)
    for r in doc.relations:
        t = totals[r.type]
        verdict = judge(doc, r)
        if verdict is None:
            t.unjudged += 1
        else:
            t.judged += 1
            t.right += verdict


# ---------------------------------------------------------------- all articles

def check_articles(links: dict[str, dict], gold_docs: dict[str, dict]) -> None:
    """A ValueError unless every article of the links is in the gold file."""
    missing = [doc_id for doc_id in links if doc_id not in gold_docs]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ValueError(f"article {missing[0]!r}{more} is not in the gold file")


def score_relations(gold_docs: dict[str, dict], pred_docs: dict[str, dict], links: dict[str, dict] | None = None,
                    clear_only: bool = False) -> dict[str, RelationTally]:
    """Tallies per type over the articles of the links file (all gold articles without one); a missing
    prediction counts as empty."""
    totals = {name: RelationTally() for name in RELATION_TYPES}
    if links is not None:
        check_articles(links, gold_docs)
    for doc_id in (links if links is not None else gold_docs):
        doc_links = gold_links(gold_docs[doc_id], links[doc_id] if links is not None else None, clear_only)
        tally_article(article(gold_docs[doc_id], pred_docs.get(doc_id) or {}, doc_links), totals)
    return totals


def relations_line(totals: dict[str, RelationTally]) -> str:
    """The reference scorer's last line: per type R and P with their counts, then overall R, P and F1."""
    parts = [f"{name} R={t.recall:.2f} ({t.found}/{t.gold}) P={t.precision:.2f} ({t.right}/{t.judged}, "
             f"{t.unjudged} unjudged)" for name, t in totals.items()]
    whole = overall(totals)
    f1 = _f1(whole.recall, whole.precision)
    return "; ".join(parts) + f"; overall R={whole.recall:.2f} P={whole.precision:.2f} F1={f1:.2f}"


def relations_json(totals: dict[str, RelationTally]) -> dict:
    whole = overall(totals)
    return {name: t.to_dict() for name, t in totals.items()} | {
        "overall": whole.to_dict() | {"f1": round(_f1(whole.recall, whole.precision), 4)}}
