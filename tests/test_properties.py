"""Property tests: whatever the text, ``quotegraph.analyze`` returns, and its offsets hold.

Each example is parsed by spaCy (the pipeline loads once per process), so the example counts are
kept small; the strategies are biased towards what breaks quotation handling: marks of every kind,
unbalanced and doubled, newlines, cue words and names.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import quotegraph
from conftest import assert_valid_analysis

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# QUOTEGRAPH_HYPOTHESIS_SCALE=20 for a longer hunt than the quick default
SCALE = max(0.1, float(os.environ.get("QUOTEGRAPH_HYPOTHESIS_SCALE", "1")))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))

QUOTE_MARKS = ["“", "”", "‘", "’", '"', "'", "''", "„", "«", "»"]
WORDS = [
    "said", "says", "told", "told reporters", "according to", "added", "warned", "insisted", "that",
    "Maria Lopez", "Mr Park", "Senator Dunmore", "the minister", "officials", "a source", "the union",
    "He", "she", "they", "I", "we", "who", "it", "the plan", "will", "not", "work", "on Monday",
    "We will fight", "nobody knew", "Putin's", "don't", "Boris,", "The White House",
]
PUNCT = [" ", " ", " ", ", ", ". ", "? ", "! ", ": ", "; ", " — ", "-", "(", ")", "\n", "\n\n", "\r\n", "\t"]

piece = st.one_of(
    st.sampled_from(QUOTE_MARKS),
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.text(max_size=6),  # anything at all, now and then
)
news_like = st.lists(piece, max_size=80).map("".join)

# a sentence skeleton: the usual shapes of attribution, with the marks placed or misplaced at random
mark = st.sampled_from(QUOTE_MARKS + [""])
name = st.sampled_from(["Maria Lopez", "Mr Park", "the minister", "officials", "She", "A spokesman for the union"])
cue = st.sampled_from(["said", "told reporters", "added", "warned", "according to"])
clause = st.sampled_from(["we will not accept this", "the talks had failed", "Nobody knew, she said",
                          "I was not there", "the plan, he said, was dead", "it's over"])
sentence = st.one_of(
    st.builds(lambda a, c, b, n, k: f"{a}{c},{b} {n} {k}.", mark, clause, mark, name, cue),
    st.builds(lambda n, k, a, c, b: f"{n} {k} that {a}{c}{b}.", name, cue, mark, clause, mark),
    st.builds(lambda a, c, b, n: f"According to {n}, {a}{c}{b}.", mark, clause, mark, name),
)
article = st.lists(st.tuples(sentence, st.sampled_from([" ", "\n", "\n\n", " "])), min_size=1, max_size=12).map(
    lambda parts: "".join(s + sep for s, sep in parts)
)


def _check_lines(analysis) -> None:
    """No stretch of text quotegraph reports runs over a line break: an unclosed quotation ends
    with its paragraph, and a quotation over several paragraphs is one fragment per paragraph."""
    text = analysis.text
    for s in analysis.statements:
        for f in s.content:
            assert "\n" not in text[f.start:f.end].strip(), (s.id, text[f.start:f.end])


@settings(max_examples=examples(80), **SETTINGS)
@given(st.text(max_size=300))
@example("")
@example("\n\n\n")
@example("“")
@example("\ufeff“Hello,” she said.")
@example("\x00said\x00")
def test_any_text_analyses_with_valid_offsets(text):
    a = quotegraph.analyze(text)
    assert a.text == text
    assert_valid_analysis(a, text)


@settings(max_examples=examples(100), **SETTINGS)
@given(news_like)
@example("“" * 50)
@example("'' said '' told ''")
@example("He said “ \n she said ”")
@example("“We will fight,” said Maria Lopez. “\n\nNobody knew.”\n“It's over,” she added.")
def test_quote_marks_cues_and_names(text):
    a = quotegraph.analyze(text)
    assert_valid_analysis(a, text)
    _check_lines(a)


@settings(max_examples=examples(60), **SETTINGS)
@given(article, st.one_of(st.none(), st.dates(), st.datetimes()))
@example("“Fine,” she said.", dt.date(999, 12, 31))
def test_attribution_shaped_articles(text, published):
    a = quotegraph.analyze(text, published=published, id="doc-1")
    d = assert_valid_analysis(a, text)
    assert d["id"] == "doc-1"
    assert d["published"] == (published.isoformat()[:10] if published else None)
    _check_lines(a)
    # every statement reported as direct is itself a quotation: it starts with a quotation mark
    for s in a.statements:
        if s.kind == "direct":
            assert s.content[0].text[:1] in "“”‘’\"'„«»", s.content[0].text


@settings(max_examples=examples(40), **SETTINGS)
@given(st.lists(news_like, min_size=1, max_size=4))
def test_batches_give_what_single_calls_give(texts):
    """analyze_many (parsed in batches) and analyze (one at a time) agree, document by document."""
    assume(any(t.strip() for t in texts))
    many = list(quotegraph.analyze_many((t, None, str(i)) for i, t in enumerate(texts)))
    assert [a.id for a in many] == [str(i) for i in range(len(texts))]
    for t, a in zip(texts, many):
        assert a.to_dict() == quotegraph.analyze(t, id=a.id).to_dict()


@pytest.mark.parametrize("published", ["2024-02-30", "yesterday", "2024-13-01", "12/03/2024"])
def test_bad_published_is_an_input_error(published):
    from quotegraph.api import InputError

    with pytest.raises(InputError, match="YYYY-MM-DD"):
        quotegraph.analyze("Officials said the road would reopen.", published=published)


def test_non_text_is_an_input_error():
    from quotegraph.api import InputError

    with pytest.raises(InputError, match="UTF-8"):
        quotegraph.analyze(b"caf\xe9 said")
    with pytest.raises(InputError, match="string"):
        quotegraph.analyze(42)


# responses of every kind, so that the relation stage has something to link and to repeat
response = st.sampled_from([
    "The ministry denied the claim.", "Officials rejected the allegations as false.",
    "The union disputed that account, saying it was a lie.", "Mr Park declined to comment.",
    "A spokesman did not immediately respond to requests for comment.", "She agreed with the minister.",
    "\u201cThere were no threats with missiles,\u201d Mr Park said.", "He said the report was untrue.",
])
ledger_article = st.lists(st.one_of(sentence, response), min_size=1, max_size=10).map(" ".join)


@given(ledger_article)
@settings(max_examples=examples(25), **SETTINGS)
def test_relations_are_unique_and_scored(text):
    analysis = quotegraph.analyze(text)
    keys = [(r.type, r.from_, r.to) for r in analysis.relations]
    assert len(keys) == len(set(keys)), keys
    ids = {s.id for s in analysis.statements}
    for r in analysis.relations:
        assert 0.0 <= r.score <= 1.0
        assert r.from_ in ids and (r.to is None or r.to in ids) and r.to != r.from_
        assert text[r.evidence.start:r.evidence.end] == r.evidence.text
