"""The pipeline's registry: stages declare what they need and set, and can be replaced or switched off."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

import quotegraph
import quotegraph.spacy_component  # noqa: F401  (registers the factory)
from quotegraph import pipeline
from quotegraph.pipeline import DEFAULT_STAGES, STAGES, analyze_doc, parse, register, run_stages

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kremlin-johnson-missile.txt"
TEXT = ("\u201cThe plan is working,\u201d the minister said on Monday.\n"
        "The opposition leader denied that the plan was working.\n")


@pytest.fixture
def registry():
    saved = dict(STAGES)
    yield
    STAGES.clear()
    STAGES.update(saved)


def test_a_stage_switched_off_leaves_its_field_empty():
    without = [s for s in DEFAULT_STAGES if s != "relations"]
    analysis = analyze_doc(TEXT, parse(TEXT), stages=without)
    assert analysis.statements and analysis.relations == []
    assert analyze_doc(TEXT, parse(TEXT)).relations  # the default finds the denial


def test_a_stage_can_be_replaced(registry):
    def no_times(ctx):
        ctx.times = []

    register("times", no_times, requires=("drafts",), assigns=("times",))
    analysis = analyze_doc(TEXT, parse(TEXT))
    assert analysis.times == [] and all(s.said_on is None for s in analysis.statements)


def test_stages_in_the_wrong_order_are_refused_before_anything_runs():
    with pytest.raises(ValueError, match=r"stage 'speakers' needs drafts.*run .*reported"):
        run_stages(TEXT, parse(TEXT), stages=["quotes", "cues", "speakers", "reported"])


def test_an_unknown_stage_is_named():
    with pytest.raises(ValueError, match="no stage is registered as 'sentiment'"):
        run_stages(TEXT, parse(TEXT), stages=[*DEFAULT_STAGES, "sentiment"])


def test_a_contract_must_name_context_fields(registry):
    with pytest.raises(ValueError, match="quotes_found"):
        register("mine", lambda ctx: None, requires=("quotes_found",))


def test_the_default_stages_meet_their_own_contracts():
    pipeline.check_stages(DEFAULT_STAGES)


def test_the_spacy_component_gives_what_analyze_gives():
    seed_text = EXAMPLE.read_text("utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("quotegraph", config={"published": "2023-01-31"})
    doc = nlp(seed_text)
    expected = quotegraph.analyze(seed_text, published="2023-01-31")
    assert doc._.quotegraph.to_dict() == expected.to_dict()
