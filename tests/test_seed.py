"""Acceptance: the reference article (bundled as the example) against its hand-made gold.

The checks use the project's own reading of the gold (shared/acceptance/seed/gold.json);
they are skipped where ../shared is absent. The bundled copy of the article must be the same text.
"""

import json
import re
from pathlib import Path

import pytest

import quotegraph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kremlin-johnson-missile.txt"
SEED = ROOT.parent / "shared" / "acceptance" / "seed"
TITLES = {"mr", "mrs", "ms", "dr", "miss", "sir"}

pytestmark = pytest.mark.skipif(not (SEED / "gold.json").exists(), reason="../shared/acceptance is absent")


def norm(s):
    s = (s or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r'[\u201c\u201d"]', "", s)
    return re.sub(r"\s+", " ", s).strip(" '.,;:")


def name_key(s):
    return " ".join(t for t in re.findall(r"[a-z0-9']+", norm(s)) if t not in TITLES)


@pytest.fixture(scope="module")
def gold():
    return json.loads((SEED / "gold.json").read_text("utf-8"))


@pytest.fixture(scope="module", params=["fast", "accurate"])
def analysis(request):
    """The reference article analysed in each mode: both must get it right."""
    text = EXAMPLE.read_text("utf-8")
    return quotegraph.analyze(text, published="2023-01-31", id="article.txt", mode=request.param)


def test_bundled_example_is_the_reference_article():
    assert EXAMPLE.read_text("utf-8") == (SEED / "article.txt").read_text("utf-8")


def _match(gold_statement, analysis, gold):
    """The shortest predicted statement holding the gold text (or, with no text, with its cue)."""
    by_id = {g["id"]: g for g in gold["statements"]}
    parent = by_id.get(gold_statement.get("nested_in"), {}).get("contains")
    found = []
    for s in analysis.statements:
        text = norm(s.text)
        if parent and norm(parent) in text:
            continue
        if gold_statement["contains"]:
            if norm(gold_statement["contains"]) in text:
                found.append(s)
        elif s.cue and norm(gold_statement["cue"]) in norm(s.cue.text).split():
            found.append(s)
    return sorted(found, key=lambda s: len(s.text))


def _names(statement, analysis):
    e = analysis.entity(statement.speaker)
    return {name_key(n) for n in ([e.name] + [m.text for m in e.mentions] if e else [])}


def test_every_gold_statement_is_found_with_the_right_speaker(gold, analysis):
    aliases = {e["id"]: {name_key(x) for x in [e["name"]] + e.get("aliases", [])} for e in gold["entities"]}
    missing, wrong = [], []
    for g in gold["statements"]:
        candidates = _match(g, analysis, gold)
        if not candidates:
            missing.append(g["id"])
        elif not any(_names(s, analysis) & aliases[g["speaker"]] for s in candidates):
            wrong.append(g["id"])
    assert missing == []
    assert wrong == []


def test_both_nested_statements_are_linked_to_their_reporters(gold, analysis):
    by_id = {g["id"]: g for g in gold["statements"]}
    for g in (g for g in gold["statements"] if g.get("nested_in")):
        inner = _match(g, analysis, gold)[0]
        outer = _match(by_id[g["nested_in"]], analysis, gold)[0]
        assert inner.nested_in == outer.id, g["id"]


def test_no_scare_quote_is_a_statement(gold, analysis):
    for m in gold["must_not"]:
        assert all(norm(s.text) != norm(m["contains"]) for s in analysis.statements)


def test_putins_threat_is_reported_by_johnson(analysis):
    threat = next(s for s in analysis.statements if s.text.startswith("\u2018Boris"))
    assert analysis.entity(threat.speaker).name == "Vladimir Putin"
    reporter = analysis.statement(threat.nested_in)
    assert analysis.entity(reporter.speaker).name == "Boris Johnson"


def test_the_reference_checker_agrees(tmp_path, analysis):
    """The shared reference checker, run on our JSON, reports 16/16 statements and speakers."""
    import subprocess
    import sys

    out = tmp_path / "pred.json"
    out.write_text(json.dumps(analysis.to_dict()), "utf-8")
    line = subprocess.run(
        [sys.executable, str(SEED.parent / "check_seed.py"), str(SEED / "gold.json"), str(SEED / "article.txt"),
         str(out), "--require", "statements=16,speakers=16,nested=2,spurious=0"],
        capture_output=True, text=True,
    )
    assert line.returncode == 0, line.stdout + line.stderr
