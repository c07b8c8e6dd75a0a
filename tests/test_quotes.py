"""Quotation marks: found by characters alone, robust to anything."""

from quotegraph.stages.quotes import find_quotations


def spans(text):
    return [[text[s:e] for s, e in q.fragments] for q in find_quotations(text)]


def test_curly_and_straight_marks():
    text = 'He said “curly quote here” and then "straight quote here".'
    assert spans(text) == [["“curly quote here”"], ['"straight quote here"']]


def test_two_apostrophes_stand_for_a_double_mark():
    text = "He said ''we will win this,'' and left."
    assert spans(text) == [["''we will win this,''"]]


def test_apostrophes_are_not_quotations():
    text = "Putin's aides didn't say it. The voters' mood was 'grim'."
    assert spans(text) == []


def test_british_continuation_over_paragraphs_is_one_quotation():
    text = "She said: “The virus is spreading.\n\n“We need more nurses.”\n\nNarration."
    assert spans(text) == [["“The virus is spreading.", "“We need more nurses.”"]]


def test_unclosed_quotation_stops_at_its_paragraph():
    text = "He said “this never closes.\n\nThe next paragraph is narration with a “real quote here”."
    found = spans(text)
    assert ["“this never closes."] in found
    assert ["“real quote here”"] in found
    assert all("\n" not in fragment for q in found for fragment in q)


def test_stray_closing_mark_is_ignored():
    text = "A stray ” mark, then “a proper quotation”."
    assert spans(text) == [["“a proper quotation”"]]


def test_nested_single_quotation_inside_double():
    text = "He said: “He told me: ‘Boris, I don’t want to hurt you’, or something.”"
    (q,) = find_quotations(text)
    assert [text[n.start:n.end] for n in q.nested] == ["‘Boris, I don’t want to hurt you’"]


def test_ten_thousand_marks_return_quickly_and_stay_in_bounds():
    text = "“" * 10_000
    for q in find_quotations(text):
        assert 0 <= q.start < q.end <= len(text)
