"""The attribution tagger (quotegraph/tagger.py) and the accurate mode it serves: the shipped model loads
with no network and is refused, with a clear message, when it is not what its provenance says; words and
windows line up with the text; a small sentence is tagged as annotators would; the mode is chosen by
argument, environment or command line (test_seed runs the reference article in both modes). The cue
model's provenance is checked the same way."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli

import quotegraph
from quotegraph import sentences, tagger
from quotegraph.inputs import InputError
from quotegraph.pipeline import mode_stages, parse
from quotegraph.stages import cues


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_words_are_the_tokenizers_words_with_their_place_in_the_text(text):
    spans = sentences.word_spans(text)
    assert [w for w, _, _ in spans] == sentences._basic_tokens(text)
    for _word, start, end in spans:
        assert 0 <= start < end <= len(text) and not text[start:end].isspace()


@given(st.lists(st.integers(1, 4), min_size=1, max_size=400), st.integers(2, 40), st.integers(0, 10))
@settings(max_examples=200, deadline=None)
def test_windows_cover_every_piece_and_never_cut_a_word(word_lengths, size, overlap):
    spans = [(w, w + 1) for w, n in enumerate(word_lengths) for _ in range(n)]  # one span a word
    ranges = tagger.windows(spans, size=max(size, 5), overlap=min(overlap, 4))
    covered = set()
    for start, end in ranges:
        assert start < end and end - start <= max(size, 5) or spans[start] == spans[end - 1]
        assert start == 0 or spans[start] != spans[start - 1]
        assert end == len(spans) or spans[end] != spans[end - 1]
        covered.update(range(start, end))
    assert covered == set(range(len(spans)))


def test_a_sentence_is_tagged_as_annotators_would():
    doc = parse("The minister said the plan would fail.")
    p = tagger.model().tag(doc)
    assert p.shape == (len(doc), 3) and p.dtype == np.float32
    marked = {tagger.ROLES[r]: [t.text for t in doc if p[t.i, r] >= 0.5] for r in range(3)}
    assert marked == {"source": ["The", "minister"], "cue": ["said"], "content": ["the", "plan", "would", "fail"]}


def test_the_shipped_tagger_records_how_it_was_made():
    made = tagger.model().provenance
    assert made["roles"] == list(tagger.ROLES) and len(made["train_sha256"]) == 64
    assert {"epochs", "lr", "seed"} <= set(made["hyper_parameters"]) and made["dev_span_f1"]


def test_a_tagger_that_is_not_its_provenance_is_refused(tmp_path):
    copy = tmp_path / "tagger"
    shutil.copytree(tagger._model_files(), copy)
    provenance = json.loads((copy / "provenance.json").read_text("utf-8"))
    (copy / "provenance.json").write_text(json.dumps(provenance | {"vocab_sha256": "0" * 64}), "utf-8")
    with pytest.raises(sentences.ModelError, match="vocabulary"):
        tagger.Tagger(copy)
    (copy / "provenance.json").write_text(json.dumps(provenance | {"onnx_sha256": "0" * 64}), "utf-8")
    with pytest.raises(sentences.ModelError, match="rebuild it"):
        tagger.Tagger(copy)
    (copy / "model.onnx").unlink()
    with pytest.raises(sentences.ModelError, match="missing .*reinstall"):
        tagger.Tagger(copy)


def test_modes_by_argument_or_environment(monkeypatch):
    assert "tagger" not in mode_stages() and "tagger" in mode_stages("accurate")
    monkeypatch.setenv("QUOTEGRAPH_MODE", "accurate")
    assert "tagger" in mode_stages() and "tagger" not in mode_stages("fast")
    with pytest.raises(InputError, match="unknown mode .exact."):
        quotegraph.analyze("He said so.", mode="exact")


def test_the_mode_on_the_command_line(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("“We will not back down,” the senator said on Monday.\n", "utf-8")
    out = run_cli("extract", article, "--format", "json", "--mode", "accurate")
    assert out.returncode == 0 and json.loads(out.stdout)["statements"], out.stderr
    bad = run_cli("extract", article, env={"QUOTEGRAPH_MODE": "exact"})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown mode 'exact'" in bad.stderr


def test_a_cue_model_made_for_another_pipeline_is_refused():
    model = cues.cue_model()
    assert model.provenance["vector_width"] * 2 == len(model.dense)
    other = cues.CueModel(model.weights, model.threshold, model.span_include, model.dense,
                          model.provenance | {"spacy": "3.7.5"})
    with pytest.raises(sentences.ModelError, match="spaCy 3.7.5"):
        other.check_provenance()
    narrow = cues.CueModel(model.weights, model.threshold, model.span_include, model.dense,
                           model.provenance | {"vector_width": 48})
    with pytest.raises(sentences.ModelError, match="width"):
        narrow.check_provenance()
    doc = parse("The minister said the plan would fail.")
    doc.tensor = np.zeros((len(doc), 64), dtype=np.float32)
    with pytest.raises(sentences.ModelError, match="width 64"):
        cues.find_cues(doc)
    unknown = cues.CueModel(model.weights, model.threshold, model.span_include, model.dense, None)
    with pytest.raises(sentences.ModelError, match="no provenance"):
        unknown.check_provenance()


def _with_probabilities(text: str, marked: dict[str, list[str]], value: float = 0.9):
    """A parse whose tagger probabilities are set by hand: ``value`` on the words given for each role."""
    doc = parse(text)
    p = np.zeros((len(doc), 3), dtype=np.float32)
    for role, words in marked.items():
        for tok in doc:
            if tok.text in words:
                p[tok.i, tagger.ROLES.index(role)] = value
    doc.user_data[tagger.USER_DATA] = p
    return doc


def test_what_the_rules_take_from_the_tagger():
    from quotegraph.stages import tagged

    doc = _with_probabilities("Officials in Ohio, speaking on Monday, unveiled the plan to cut taxes sharply.",
                              {"source": ["Officials"], "cue": ["unveiled"],
                               "content": ["the", "plan", "to", "cut", "taxes", "sharply"]})
    unveiled = next(t for t in doc if t.text == "unveiled")
    assert tagged.runs(tagged.tagged(doc)[:, tagger.CONTENT], 0, len(doc), 0.5) == [(unveiled.i + 1, unveiled.i + 6)]
    assert tagged.cue_words(unveiled, unveiled.i, unveiled.i + 1) == (unveiled.i, unveiled.i + 1)
    assert tagged.source_near(unveiled, unveiled.i, unveiled.i + 1).text == "Officials"
    first, last = tagged.content_near(unveiled, unveiled.i, unveiled.i + 1)
    assert doc[first:last + 1].text == "the plan to cut taxes sharply"
    assert doc[tagged.extend_end(doc, unveiled.i + 2, unveiled.i, unveiled.i + 1)].text == "sharply"
    assert tagged.later_start(doc, unveiled.i, unveiled.i + 6) == unveiled.i + 1  # "unveiled" is no content
    assert tagged.later_start(doc, unveiled.i + 1, unveiled.i + 6) == unveiled.i + 1
    found = tagged.second_opinion(doc, [], cues.is_candidate, cues._unmistakable)
    assert [(t.text, round(p, 1)) for t, p in found] == [("unveiled", 0.9)]
    assert tagged.tagged(parse("No tagger here.")) is None  # the fast mode: the rules alone


def _statements(doc, stages=("quotes", "cues", "reported", "direct", "tagged", "nesting")):
    """The statements of a parse whose tagger probabilities are already on it (no tagger stage)."""
    from quotegraph.pipeline import analyze_doc

    text = doc.text
    return [(s.source.text if s.source else None, s.cue.text if s.cue else None, [c.text for c in s.content])
            for s in analyze_doc(text, doc, stages=stages).statements]


def test_a_content_only_the_tagger_sees_becomes_a_statement():
    headline = {"source": ["Pence"], "cue": [":"], "content": ["Flowers", "Will", "Skip", "Debate"]}
    doc = _with_probabilities("Pence: Flowers Will Skip Debate\n\nThe campaign met on Monday.", headline, 0.95)
    assert _statements(doc) == [("Pence", None, ["Flowers Will Skip Debate"])]  # its cue words are not given
    unsure = _with_probabilities("Pence: Flowers Will Skip Debate\n\nThe campaign met on Monday.", headline, 0.8)
    assert _statements(unsure) == []  # a content the tagger is not sure of
    assert _statements(doc, stages=("quotes", "cues", "reported", "direct")) == []  # the rules alone find none


def test_the_tagger_adds_no_statement_where_the_rules_found_one_or_no_cue_is_near():
    said = _with_probabilities("The minister said the plan would fail badly.",
                               {"cue": ["said"], "content": ["the", "plan", "would", "fail", "badly"]})
    assert _statements(said) == [("The minister", "said", ["the plan would fail badly"])]
    no_cue = _with_probabilities("The plan would fail badly.", {"content": ["The", "plan", "would", "fail", "badly"]})
    assert _statements(no_cue) == []


def test_the_parse_source_gives_way_only_where_the_tagger_sees_none_in_it():
    from quotegraph.stages import tagged

    doc = _with_probabilities("The report, officials said on Monday, was wrong.", {"source": ["officials"]})
    said, report = next(t for t in doc if t.text == "said"), doc[1]
    assert tagged.second_source(report, said, said.i, said.i + 1).text == "officials"
    officials = next(t for t in doc if t.text == "officials")
    assert tagged.second_source(officials, said, said.i, said.i + 1) is officials
    doc.user_data[tagger.USER_DATA][:] = 0  # no source anywhere: the parse's stays
    assert tagged.second_source(report, said, said.i, said.i + 1) is report


def test_a_cue_the_tagger_carries_into_the_content_stops_before_it():
    doc = _with_probabilities("Trump offered no proof that Clinton had a role.",
                              {"source": ["Trump"], "cue": ["offered", "no"],
                               "content": ["no", "proof", "that", "Clinton", "had", "a", "role"]})
    [(source, cue, content)] = _statements(doc, stages=("quotes", "cues", "reported"))
    assert (source, cue) == ("Trump", "offered") and content[0].startswith("no proof")


def test_training_without_the_build_extra_says_what_to_install(monkeypatch, capsys, tmp_path):
    from quotegraph import train_tagger

    monkeypatch.setitem(__import__("sys").modules, "torch", None)  # as if torch were not installed
    assert train_tagger.main(["train.jsonl", "--work", str(tmp_path)]) == 2
    assert "pip install 'quotegraph[build-model]'" in capsys.readouterr().err


def test_a_report_the_tagger_does_not_believe_goes_unless_it_is_nested():
    stages = ("quotes", "cues", "reported", "direct", "tagged", "doubts", "nesting")
    tweets = _with_probabilities("Trump told reporters the plan was dead.", {"source": ["Trump"], "cue": ["told"]})
    assert _statements(tweets, stages) == []  # the tagger sees no content there
    believed = _with_probabilities("Trump told reporters the plan was dead.",
                                   {"source": ["Trump"], "cue": ["told"], "content": ["the", "plan", "was", "dead"]})
    assert _statements(believed, stages) == [("Trump", "told", ["the plan was dead"])]
    text = "The Kremlin rejected Johnson's assertion that Putin told him the plan was dead."
    nested = _with_probabilities(text, {"source": ["Kremlin", "Johnson", "Putin"], "cue": ["rejected"],
                                        "content": text.split()[3:]})
    found = _statements(nested, stages)  # the reports inside the Kremlin's stay, though the tagger sees no cue
    assert found == _statements(nested, tuple(s for s in stages if s != "doubts")) and len(found) == 3
    assert ("Putin", "told", ["the plan was dead"]) in found
    quoted = _with_probabilities("“Putin told me the plan was dead,” Johnson said.",
                                 {"source": ["Johnson"], "cue": ["said"]})
    assert ("Putin", "told", ["the plan was dead"]) in _statements(quoted, stages)  # nor inside a quotation


def test_the_tagger_s_cue_words_stop_at_the_subject_and_end_on_a_word():
    from quotegraph.stages import tagged

    doc = _with_probabilities("The brief said: the law was void.", {"cue": ["brief", "said", ":"]})
    said = next(t for t in doc if t.text == "said")
    assert doc[slice(*tagged.cue_words(said, said.i, said.i + 1))].text == "said"


def test_training_ends_with_the_accurate_mode_scored_end_to_end_with_the_new_tagger():
    from quotegraph import pipeline, train_tagger

    text = "The minister said the plan would fail."
    gold = [{"id": "d1", "text": text, "attributions": [
        {"source": {"start": 0, "end": 12}, "cue": {"start": 13, "end": 17}, "content": [{"start": 18, "end": 37}]}]}]
    calls = []

    class Counting:  # the tagger just built, as train_tagger hands it over
        def tag(self, doc, text=None):
            calls.append(text)
            return tagger.model().tag(doc, text)

    shipped = pipeline.STAGES["tagger"]
    figures = train_tagger.end_to_end(gold, Counting())
    assert calls == [text] and pipeline.STAGES["tagger"] is shipped  # used, then the package's put back
    assert figures.splitlines()[-1] == "content_f1=1.000 source_f1=1.000 cue_f1=1.000 attribution_f1=1.000"
