"""The stages stay linear in the number of statements, whatever the text's shape.

Timing on a shared machine is noisy, so the test counts work instead: the calls into quotegraph's
own code while it analyses a text and the same text twice as long. Spreading one step over every
pair of statements (a paragraph with no breaks, thousands of denials) makes that count grow four
times; linear code makes it grow twice.
"""

from __future__ import annotations

import sys
import time

import pytest

import quotegraph
from conftest import assert_valid_analysis
from quotegraph.pipeline import MAX_CHUNK, chunks

# A quote-dense paragraph: a claim and a denial of it, again and again, with no line break.
DENSE = '"The plan is working," the minister said on Monday. Critics disputed that claim, saying it was "nonsense". '


def _calls_into_quotegraph(text: str) -> int:
    package = quotegraph.__file__.rsplit("/", 1)[0]
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" and frame.f_code.co_filename.startswith(package):
            count += 1

    sys.setprofile(profile)
    try:
        quotegraph.analyze(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("shape", ["one paragraph", "short paragraphs"])
def test_work_grows_linearly_with_quote_dense_text(shape):
    quotegraph.analyze(DENSE)  # load the pipeline outside the count
    separator = "" if shape == "one paragraph" else "\n"
    single = _calls_into_quotegraph((DENSE + separator) * 80)
    double = _calls_into_quotegraph((DENSE + separator) * 160)
    assert double <= 2.4 * single, f"twice the text made {double / single:.1f} times the work"


def test_a_long_paragraph_is_parsed_in_bounded_pieces():
    pieces = chunks(DENSE * 500)
    assert "".join(pieces) == DENSE * 500
    assert max(len(p) for p in pieces) <= MAX_CHUNK


@pytest.mark.slow
def test_a_megabyte_of_quote_dense_text_finishes():
    """The issue's bar is 60 s in one process (44 s measured on a shared 2-core machine); the
    limit here leaves room for a slower machine, linearity itself being pinned above."""
    text = DENSE * (2**20 // len(DENSE))
    started = time.monotonic()
    analysis = quotegraph.analyze(text)
    took = time.monotonic() - started
    print(f"\n1 MB of quote-dense text: {took:.1f} s, {len(analysis.statements)} statements")
    assert len(analysis.statements) > 20_000
    assert_valid_analysis(analysis, text)
    assert took < 120
