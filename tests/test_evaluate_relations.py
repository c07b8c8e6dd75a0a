"""Relation scoring (``quotegraph evaluate --relations``): exact figures on a hand-made article, and the
same printed line as the project's reference scorer (shared/acceptance/score_relations.py) where it exists.

The article, its gold links and the predictions were written for these tests.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_clean_stderr, run_cli, write_jsonl
from quotegraph.evaluate import load_gold, read_jsonl, report, score
from quotegraph.evaluate_relations import (load_links, predicted_relations, relations_json, relations_line,
                                           score_relations)

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "acceptance" / "score_relations.py"
DEV_GOLD = SHARED / "data" / "polnear" / "dev.jsonl"
DEV_LINKS = SHARED / "data" / "polnear" / "relations-dev.jsonl"
needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/acceptance is absent")

TEXT = ("Mayor Ana Ruiz said the new tram line would open in June. "
        "Councillor Tom Baker said that claim was false. "
        "Engineer Lena Hoff said the work was on schedule. "
        "The transport office said the budget had doubled. "
        "Baker insisted the tender had been rigged. "
        "A spokesman for the builder declined to comment. "
        "Hoff added that the crews were working nights.")

CONTENTS = ["the new tram line would open in June", "that claim was false", "the work was on schedule",
            "the budget had doubled", "the tender had been rigged"]


def span(sub: str) -> dict:
    start = TEXT.index(sub)
    return {"start": start, "end": start + len(sub), "text": sub}


GOLD = {"id": "tram", "text": TEXT, "attributions": [
    {"id": f"A{n}", "content": [span(c)]} for n, c in enumerate(CONTENTS, 1)]}

LINKS = {"id": "tram", "links": [
    {"type": "disputes", "from": "A2", "to": "A1", "confidence": "clear"},
    {"type": "supports", "from": "A3", "to": "A1", "confidence": "borderline"},
    {"type": "disputes", "from": "A5", "to": None, "confidence": "clear"},          # the claim is no attribution
    {"type": "declines_comment", "from": None, "to": None, "span": span("declined to comment"),
     "confidence": "clear"},
    {"type": "disputes", "from": "A4", "to": "A3", "confidence": "borderline"},     # never predicted
]}

STATEMENTS = [{"id": f"s{n}", "content": [span(c)]} for n, c in enumerate(CONTENTS, 1)] + [
    {"id": "s6", "content": [span("A spokesman for the builder declined to comment")]},   # not in the gold
    {"id": "s7", "content": [span("the crews were working nights")]},                     # not in the gold
]


def relation(type_: str, from_: str, to: str | None, evidence: str) -> dict:
    return {"type": type_, "from": from_, "to": to, "evidence": span(evidence), "score": 0.9}


RELATIONS = [
    relation("disputes", "s2", "s1", "false"),                   # found A2 -> A1
    relation("disputes", "s2", "s1", "false"),                   # the same again: counted once
    relation("supports", "s3", "s4", "on schedule"),             # wrong target: A3 -> A1 not found, judged wrong
    relation("disputes", "s5", "s4", "rigged"),                  # finds A5 -> null, judged right
    relation("declines_comment", "s6", None, "declined to comment"),  # on the decline's span: found, right
    relation("disputes", "s7", "s1", "working nights"),          # source not in the gold: unjudged
    relation("supports", "s3", "s7", "schedule"),                # target not in the gold: unjudged
    relation("disputes", "s1", None, "open in June"),            # A1 disputes nothing in the gold: wrong
    relation("alternative_account", "s2", "s1", "false"),        # a type not scored
]
PREDICTION = {"id": "tram", "statements": STATEMENTS, "relations": RELATIONS}

ALL_LINKS_LINE = ("disputes R=0.67 (2/3) P=0.67 (2/3, 1 unjudged); supports R=0.00 (0/1) P=0.00 (0/1, 1 unjudged); "
                  "declines_comment R=1.00 (1/1) P=1.00 (1/1, 0 unjudged); overall R=0.60 P=0.60 F1=0.60")
CLEAR_LINKS_LINE = ("disputes R=1.00 (2/2) P=0.67 (2/3, 1 unjudged); supports R=0.00 (0/0) P=0.00 (0/1, 1 unjudged); "
                    "declines_comment R=1.00 (1/1) P=1.00 (1/1, 0 unjudged); overall R=1.00 P=0.60 F1=0.75")


def ours(gold: dict, prediction: dict, links: dict | None, clear_only: bool = False) -> str:
    links_by_id = {links["id"]: links} if links is not None else None
    return relations_line(score_relations({gold["id"]: gold}, {prediction["id"]: prediction}, links_by_id, clear_only))


# ---------------------------------------------------------------- exact figures

def test_duplicates_and_unscored_types_are_dropped():
    assert len(predicted_relations(PREDICTION)) == 7


def test_figures_on_all_links():
    assert ours(GOLD, PREDICTION, LINKS) == ALL_LINKS_LINE


def test_figures_on_clear_links_only():
    assert ours(GOLD, PREDICTION, LINKS, clear_only=True) == CLEAR_LINKS_LINE


def test_json_figures():
    totals = score_relations({"tram": GOLD}, {"tram": PREDICTION}, {"tram": LINKS})
    figures = relations_json(totals)
    assert figures["disputes"] == {"r": 0.6667, "p": 0.6667, "found": 2, "gold": 3, "right": 2, "judged": 3,
                                   "unjudged": 1}
    assert figures["overall"] == {"r": 0.6, "p": 0.6, "f1": 0.6, "found": 3, "gold": 5, "right": 3,
                                       "judged": 5, "unjudged": 2}


def test_decline_from_an_attribution():
    links = {"id": "tram", "links": [{"type": "declines_comment", "from": "A4", "to": None, "confidence": "clear"}]}
    prediction = {"id": "tram", "statements": STATEMENTS, "relations": [
        relation("declines_comment", "s4", None, "budget"),        # from A4's statement: found, right
        relation("declines_comment", "s1", None, "tram"),          # from A1, on no decline span: wrong
        relation("declines_comment", "s7", None, "crews"),         # from no gold statement: unjudged
    ]}
    assert ours(GOLD, prediction, links).split("; ")[2] == "declines_comment R=1.00 (1/1) P=0.50 (1/2, 1 unjudged)"


def test_without_links_the_gold_disputes_fields_are_the_links():
    gold = json.loads(json.dumps(GOLD))
    gold["attributions"][1]["disputes"] = "A1"
    assert ours(gold, PREDICTION, None).split("; ")[0] == "disputes R=1.00 (1/1) P=0.33 (1/3, 1 unjudged)"


def test_a_missing_prediction_counts_as_empty():
    assert ours(GOLD, {"id": "tram"}, LINKS).endswith("overall R=0.00 P=0.00 F1=0.00")


def test_links_of_an_article_not_in_the_gold_are_an_error():
    with pytest.raises(ValueError, match="not in the gold file"):
        score_relations({"tram": GOLD}, {}, {"other": {"id": "other", "links": []}})


@pytest.mark.parametrize("content, message", [
    ('{"id": "tram", "links": [\n', "not valid JSON"),
    ('[1, 2]\n', "not a JSON object"),
    ('{"links": []}\n', "no 'id'"),
    ('{"id": "tram", "links": {"type": "disputes"}}\n', "not a list of objects"),
    ('{"id": "tram", "links": [{"type": "declines_comment", "from": null, "span": {"start": 3}}]}\n', "span"),
])
def test_malformed_links_file(tmp_path, content, message):
    path = tmp_path / "links.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_links(path)


# ---------------------------------------------------------------- the command

def test_command_rejects_bad_input_in_one_line(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [GOLD])
    bad_links = tmp_path / "links.jsonl"
    bad_links.write_text("{not json\n", encoding="utf-8")
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "elsewhere", "links": []}])
    links = write_jsonl(tmp_path / "good-links.jsonl", [LINKS])
    for args, message in [
        ((gold, "--relations", tmp_path / "absent.jsonl"), "cannot read links file"),
        ((gold, "--relations", bad_links), "links.jsonl:1: not valid JSON"),
        ((gold, "--relations", other), "'elsewhere' is not in the gold file"),
        ((gold, "--clear-only"), "--clear-only needs --relations"),
        ((gold, "--relations", links, "--predictions", tmp_path / "no" / "dir.jsonl"), "cannot write predictions"),
        ((tmp_path / "absent.jsonl", "--relations", links), "cannot read gold file"),
        ((bad_links, "--relations", links), "cannot read gold file"),
    ]:
        r = run_cli("evaluate", *args)
        assert r.returncode == 2, (args, r.stderr)
        assert_clean_stderr(r)
        assert len(r.stderr.splitlines()) == 1 and message in r.stderr, (args, r.stderr)


def test_command_prints_the_relation_line_last_and_in_json(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [GOLD])
    links = write_jsonl(tmp_path / "links.jsonl", [LINKS])
    out = tmp_path / "pred.jsonl"
    r = run_cli("evaluate", gold, "--relations", links, "--predictions", out, "--jobs", "1")
    assert r.returncode == 0, r.stderr
    prediction = json.loads(out.read_text(encoding="utf-8"))
    *attribution_lines, last = r.stdout.splitlines()
    assert attribution_lines == report(score({"tram": GOLD}, {"tram": prediction}), 1).splitlines()
    assert last == ours(GOLD, prediction, LINKS)
    clear = run_cli("evaluate", gold, "--relations", links, "--clear-only", "--json", "--jobs", "1")
    as_json = json.loads(clear.stdout)
    assert as_json.keys() == {"content", "source", "cue", "attribution", "documents", "relations"}
    assert as_json["relations"] == relations_json(score_relations({"tram": GOLD}, {"tram": prediction},
                                                                  {"tram": LINKS}, clear_only=True))


# ---------------------------------------------------------------- agreement with the reference scorer

@functools.cache
def reference_scorer():
    spec = importlib.util.spec_from_file_location("reference_relation_scorer", REFERENCE)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    return reference


def reference_output(*argv) -> str:
    """The last line the reference scorer prints, given these arguments."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        reference_scorer().main([str(a) for a in argv])
    return printed.getvalue().splitlines()[-1]


def reference_line(gold: dict, prediction: dict, links: dict | None, clear_only: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        gold_path = write_jsonl(Path(tmp) / "gold.jsonl", [gold])
        pred_path = write_jsonl(Path(tmp) / "pred.jsonl", [prediction])
        links_args = ["--links", write_jsonl(Path(tmp) / "links.jsonl", [links])] if links is not None else []
        return reference_output(gold_path, pred_path, *links_args, *(["--clear-only"] if clear_only else []))


@needs_reference
@pytest.mark.parametrize("clear_only", [False, True])
def test_reference_agrees_on_the_hand_made_article(clear_only):
    assert reference_line(GOLD, PREDICTION, LINKS, clear_only) == (CLEAR_LINKS_LINE if clear_only else ALL_LINKS_LINE)


TYPES = ["disputes", "supports", "declines_comment", "alternative_account"]
GOLD_IDS = [a["id"] for a in GOLD["attributions"]]
STATEMENT_IDS = [s["id"] for s in STATEMENTS]


@st.composite
def text_span(draw) -> dict:
    start = draw(st.integers(0, len(TEXT) - 1))
    return {"start": start, "end": draw(st.integers(start, min(len(TEXT), start + 60)))}


@st.composite
def gold_link(draw) -> dict:
    link = {"type": draw(st.sampled_from(TYPES)), "from": draw(st.sampled_from(GOLD_IDS + [None])),
            "to": draw(st.sampled_from(GOLD_IDS + [None, "A9"])),
            "confidence": draw(st.sampled_from(["clear", "borderline"]))}
    if link["from"] is None and draw(st.booleans()):
        link["span"] = draw(text_span())
    return link


@st.composite
def predicted_statement(draw, n: int) -> dict:
    """Mostly the n-th gold attribution's content (so that relations often pair), else any span or another's."""
    kind = draw(st.sampled_from(["own", "own", "own", "other", "random"]))
    if kind == "random":
        return {"id": f"p{n}", "content": [draw(text_span())]}
    gold = GOLD["attributions"][n % len(CONTENTS)] if kind == "own" else draw(st.sampled_from(GOLD["attributions"]))
    return {"id": f"p{n}", "content": gold["content"]}


@st.composite
def predicted_relation(draw, ids: list[str]) -> dict:
    evidence = draw(st.one_of(st.none(), text_span()))
    return {"type": draw(st.sampled_from(TYPES)), "from": draw(st.sampled_from(ids + ["p99"])),
            "to": draw(st.sampled_from(ids + [None, "p99"])), "evidence": evidence}


def statement_of(attribution_id: str | None) -> str | None:
    """The id of the predicted statement that mostly carries this gold attribution's content."""
    return None if attribution_id in (None, "A9") else f"p{int(attribution_id[1:]) - 1}"


@st.composite
def relation_like(draw, link: dict) -> dict:
    """A predicted relation close to a gold link (so that links are often found)."""
    evidence = link.get("span") or draw(st.one_of(st.none(), text_span()))
    source = statement_of(link["from"]) or draw(st.sampled_from(["p0", "p5", "p99"]))
    return {"type": draw(st.sampled_from([link["type"], link["type"], "disputes"])), "from": source,
            "to": draw(st.sampled_from([statement_of(link["to"])] * 2 + [None, "p2"])), "evidence": evidence}


@st.composite
def random_case(draw) -> tuple[dict, dict, dict | None]:
    statements = [draw(predicted_statement(n)) for n in range(draw(st.sampled_from([0, 2, 5, 5, 6, 7])))]
    ids = [s["id"] for s in statements] or ["p0"]
    links = draw(st.lists(gold_link(), max_size=8))
    relations = draw(st.lists(predicted_relation(ids), max_size=8))
    relations += [draw(relation_like(link)) for link in links if draw(st.booleans())]
    relations += draw(st.lists(st.sampled_from(relations), max_size=3)) if relations else []   # duplicates
    prediction = {"id": "tram", "statements": statements, "relations": relations}
    if draw(st.integers(0, 4)) == 0:   # no links file: the gold attributions' "disputes" fields
        gold = json.loads(json.dumps(GOLD))
        for a in gold["attributions"]:
            a["disputes"] = draw(st.sampled_from([None, None] + GOLD_IDS))
        return gold, prediction, None
    return GOLD, prediction, {"id": "tram", "links": links}


@needs_reference
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case(), st.booleans())
def test_reference_agrees_on_random_predictions(case, clear_only):
    gold, prediction, links = case
    assert ours(gold, prediction, links, clear_only) == reference_line(gold, prediction, links, clear_only)


# ---------------------------------------------------------------- on PolNeAR dev (the pipeline: ~15 s)

@pytest.mark.slow
@needs_reference
@pytest.mark.skipif(not (DEV_GOLD.exists() and DEV_LINKS.exists()), reason="../shared/data/polnear is absent")
def test_reference_agrees_on_dev_predictions(tmp_path):
    out = tmp_path / "pred.jsonl"
    r = run_cli("evaluate", DEV_GOLD, "--relations", DEV_LINKS, "--predictions", out, timeout=180)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == reference_output(DEV_GOLD, out, "--links", DEV_LINKS)
    gold = {g["id"]: g for g in load_gold(DEV_GOLD)}
    predictions = {p["id"]: p for p in read_jsonl(out)}
    clear = relations_line(score_relations(gold, predictions, load_links(DEV_LINKS), clear_only=True))
    assert clear == reference_output(DEV_GOLD, out, "--links", DEV_LINKS, "--clear-only")
