"""Time expressions resolved against the publication date, and tied to statements."""

import datetime as dt

import pytest

import quotegraph
from quotegraph.stages.times import find_times

PUBLISHED = dt.date(2023, 1, 31)  # a Tuesday


@pytest.mark.parametrize(
    "phrase, value",
    [
        ("on Monday", "2023-01-30"),
        ("last February", "2022-02"),
        ("earlier this month", "2023-01"),
        ("in September", "2022-09"),
        ("February 24", "2022-02-24"),
        ("February 2022", "2022-02"),
        ("early February 2022", "2022-02"),
        ("Feb. 24, 2022", "2022-02-24"),
        ("24 February 2022", "2022-02-24"),
        ("in 2014", "2014"),
        ("yesterday", "2023-01-30"),
        ("last month", "2022-12"),
        ("three days ago", "2023-01-28"),
        ("next Monday", "2023-02-06"),
    ],
)
def test_phrases_resolve_at_the_precision_given(phrase, value):
    (t,) = find_times(f"It happened {phrase}.", PUBLISHED)
    assert (t.text.lower().removeprefix("on ").removeprefix("in "), t.value) == (
        phrase.lower().removeprefix("on ").removeprefix("in "), value)


def test_relative_dates_need_a_publication_date():
    (t,) = find_times("It happened last February.", None)
    assert t.value is None
    (t,) = find_times("It happened in February 2022.", None)
    assert t.value == "2022-02"


@pytest.mark.parametrize("text", ["They may agree.", "Sales rose 2014% in a year.", "Protesters march on."])
def test_words_that_only_look_like_dates(text):
    assert find_times(text, PUBLISHED) == []


def test_said_on_and_mentioned_times():
    a = quotegraph.analyze("Mr Peskov, asked about the comments on Monday, said the call in February 2022 "
                           "was calm.", published="2023-01-31")
    s = next(s for s in a.statements if s.cue and s.cue.text == "said")
    assert s.said_on == "2023-01-30"
    mentioned = [t for t in a.times if t.id in s.times]
    assert [(t.text, t.value) for t in mentioned] == [("February 2022", "2022-02")]


def test_no_date_in_the_text_leaves_said_on_empty():
    a = quotegraph.analyze("Mr Peskov said the call was calm.", published="2023-01-31")
    assert a.statements[0].said_on is None
