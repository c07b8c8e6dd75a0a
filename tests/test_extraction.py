"""One test per construction of reported speech, on short sentences written for the tests."""

import pytest

import quotegraph


def statements(text):
    analysis = quotegraph.analyze(text)
    names = {e.id: e.name for e in analysis.entities}
    return [
        {
            "kind": s.kind,
            "content": [f.text for f in s.content],
            "source": s.source.text if s.source else None,
            "cue": s.cue.text if s.cue else None,
            "speaker": names.get(s.speaker),
            "nested_in": s.nested_in,
            "id": s.id,
        }
        for s in analysis.statements
    ]


def only(text):
    found = statements(text)
    assert len(found) == 1, found
    return found[0]


# One sentence per construction of reported speech: (text, content, source, cue).
REPORTED = {
    "said that": ("The mayor said that the bridge would reopen in May.",
                  "that the bridge would reopen in May", "The mayor", "said"),
    "said, no that": ("The mayor said the bridge would reopen in May.",
                      "the bridge would reopen in May", "The mayor", "said"),
    "told someone that (hearer left out)": ("Ms Keller told reporters that the budget was balanced.",
                                            "that the budget was balanced", "Ms Keller", "told"),
    "according to, first": ("According to the ministry, the talks will resume on Friday.",
                            "the talks will resume on Friday", "the ministry", "According to"),
    "according to, last": ("The talks will resume on Friday, according to the ministry.",
                           "The talks will resume on Friday", "the ministry", "according to"),
    "X, asked about ..., said": ("Senator Alan Brooks, asked about the vote, said the bill would pass.",
                                 "the bill would pass", "Senator Alan Brooks", "said"),
    "inverted: ..., said X": ("The bill will pass easily, said Senator Alan Brooks.",
                              "The bill will pass easily", "Senator Alan Brooks", "said"),
    "inverted: ..., X added": ("The bill will pass easily, Mr Brooks added.",
                               "The bill will pass easily", "Mr Brooks", "added"),
    "dateline before the source": ("WASHINGTON - President Obama said on Friday that the talks would resume.",
                                   "that the talks would resume", "President Obama", "said"),
}


@pytest.mark.parametrize("text, content, source, cue", REPORTED.values(), ids=REPORTED.keys())
def test_reported_speech_constructions(text, content, source, cue):
    s = only(text)
    assert (s["kind"], s["content"], s["source"], s["cue"]) == ("indirect", [content], source, cue)


# A cue set into the clause it reports, before that clause's verb: the clause on both sides of it.
PARENTHETICAL = {
    "X, he said, Y": ("To prevent problems, the mayor said, local officials should be vigilant.",
                      ["To prevent problems", "local officials should be vigilant"], "the mayor", "said"),
    "subject, X says, predicate": ("Climate change, Mr Obama often says, is the greatest threat facing the world.",
                                   ["Climate change", "is the greatest threat facing the world"], "Mr Obama",
                                   "often says"),
    "As X observed, Y": ("As Ms Keller observed, the budget was balanced in March.",
                         ["the budget was balanced in March"], "Ms Keller", "observed"),
}


@pytest.mark.parametrize("text, content, source, cue", PARENTHETICAL.values(), ids=PARENTHETICAL.keys())
def test_a_parenthetical_cue_reports_the_clause_around_it(text, content, source, cue):
    s = only(text)
    assert (s["content"], s["source"], s["cue"]) == (content, source, cue)


def test_what_a_cue_is_about_is_its_content():
    s = only("Mr Park apologized for his remarks about the strike.")
    # the preposition is the cue's, as annotators mark it ("called for | …", "pleads for | …")
    assert (s["content"], s["source"], s["cue"]) == (["his remarks about the strike"], "Mr Park", "apologized for")
    assert statements("The mayor spoke on Monday.") == []  # a time is not what was said


def test_a_passive_cue_reports_its_subject_and_its_agent_speaks():
    s = only("The discussions are supported by an unusual coalition of leaders.")
    assert (s["content"], s["source"], s["cue"]) == (["The discussions"], "an unusual coalition of leaders",
                                                     "are supported")


def test_a_clause_after_the_main_verb_is_not_its_content():
    """"after she admitted …" is no report of the main clause, unlike "as she observed"."""
    assert all("balanced" not in " ".join(s["content"])
               for s in statements("The budget was balanced after she admitted the error."))


def test_speakers_of_reported_speech_drop_their_titles():
    assert only(REPORTED["told someone that (hearer left out)"][0])["speaker"] == "Keller"
    assert only(REPORTED["X, asked about ..., said"][0])["speaker"] == "Alan Brooks"


def test_noun_cue_with_possessive_source():
    found = statements("The ministry rejected the union's claim that wages had fallen.")
    claim = next(s for s in found if s["cue"] == "claim")
    assert claim["source"] == "the union's" or claim["source"] == "the union"
    assert claim["content"] == ["that wages had fallen"]
    rejection = next(s for s in found if s["cue"] == "rejected")
    assert rejection["source"] == "The ministry"
    assert claim["nested_in"] == rejection["id"]


@pytest.mark.parametrize("verb", ["denied", "disputed", "rejected"])
def test_denial_verbs_are_cues(verb):
    s = only(f"The company {verb} that it had misled investors.")
    assert (s["cue"], s["source"], s["content"]) == (verb, "The company", ["that it had misled investors"])


def test_direct_quotation_with_cue_after():
    s = only("“We will not back down,” the governor said.")
    assert (s["kind"], s["content"], s["source"], s["cue"]) == ("direct", ["“We will not back down,”"], "the governor", "said")


def test_direct_quotation_with_cue_before_and_colon():
    s = only("The governor said: “We will not back down.”")
    assert (s["kind"], s["content"]) == ("direct", ["“We will not back down.”"])


def test_quotation_interrupted_by_its_cue_is_one_statement_in_two_fragments():
    s = only("“There were no talks,” Mr Ortiz said, “none at all.”")
    assert s["content"] == ["“There were no talks,”", "“none at all.”"]
    assert s["kind"] == "direct"


def test_mixed_statement_with_quoted_tail():
    s = only("Mr Ortiz said the proposal was unworkable, “or, to put it plainly, dead”.")
    assert s["kind"] == "mixed"
    assert s["content"] == ["the proposal was unworkable, “or, to put it plainly, dead”"]


def test_scare_quote_belongs_to_the_enclosing_statement():
    s = only("Mr Ortiz said the plan had an “air of panic” about it.")
    assert s["kind"] == "mixed"
    assert "“air of panic”" in s["content"][0]


def test_quote_only_paragraph_continues_the_speaker_before():
    s = only("Anna Ortiz, the health minister, said hospitals were full.\n\n“We have no beds left. None.”")
    assert s["speaker"] == "Anna Ortiz"
    assert s["content"][-1] == "“We have no beds left. None.”"


def test_quotation_running_over_paragraphs_british_style():
    s = only("Dr Hall said: “The virus is spreading.\n\n“We need more nurses.”")
    assert s["content"] == ["“The virus is spreading.", "“We need more nurses.”"]
    assert s["speaker"] == "Hall"


def test_nested_quotation_is_its_own_statement_attributed_to_the_quoted_person():
    found = statements("Mr Lee said: “The general told me: ‘We are ready to move tonight’, and then he left.”")
    outer = next(s for s in found if s["source"] == "Mr Lee")
    inner = next(s for s in found if s["content"] == ["‘We are ready to move tonight’"])
    assert inner["nested_in"] == outer["id"]
    assert inner["source"] == "The general"
    assert inner["kind"] == "direct"


def test_nested_reported_speech_links_to_its_reporter():
    found = statements("Mr Lee said that the general had said the troops were ready.")
    outer = next(s for s in found if s["source"] == "Mr Lee")
    inner = next(s for s in found if s["source"] == "the general")
    assert inner["nested_in"] == outer["id"]


def test_narration_without_speech_gives_nothing():
    assert statements("The bridge reopened in May after two years of repairs.") == []


def test_empty_text():
    assert statements("") == []


def test_quotation_signed_with_a_dash_and_a_name():
    s = only("\u201cThe schools here are failing our children.\u201d \u2015 Maria Gomez\n")
    assert (s["kind"], s["cue"], s["source"], s["speaker"]) == ("direct", "\u2015", "Maria Gomez", "Maria Gomez")


TRANSCRIPT = (
    "The governor spoke to the network on Sunday.\n\n"
    "WALLACE: Governor, will the candidate attend the debate on Monday?\n\n"
    "PENCE: He will be there, and he will win it.\n\n"
    "WALLACE: And the tweet?\n\n"
    "PENCE: The campaign said the tweet was a joke.\n"
)


def test_a_transcript_turn_is_the_statement_of_the_name_that_opens_it():
    found = statements(TRANSCRIPT)
    turns = [(s["source"], s["cue"], s["content"], s["kind"]) for s in found if s["cue"] == ":"]
    assert turns == [
        ("WALLACE", ":", ["Governor, will the candidate attend the debate on Monday?"], "direct"),
        ("PENCE", ":", ["He will be there, and he will win it"], "direct"),
        ("WALLACE", ":", ["And the tweet?"], "direct"),
        ("PENCE", ":", ["The campaign said the tweet was a joke"], "direct"),
    ]
    last_turn = next(s for s in reversed(found) if s["cue"] == ":")
    inner = next(s for s in found if s["cue"] == "said")
    assert (inner["source"], inner["nested_in"]) == ("The campaign", last_turn["id"])


def test_a_lone_capitalised_label_is_not_a_turn():
    assert statements("UPDATE: The vote was moved to Friday.\n\nThe council met on Monday.") == []


def test_no_statement_runs_across_turns_that_open_with_a_quotation_mark_never_closed():
    text = ("Pence told the network on Sunday:\n\n" + "\n\n".join(
        f"\u201c{line}" for line in ("WALLACE: Will he attend the debate?", "PENCE: He will be there, Chris.",
                                     "WALLACE: And the tweet about the debate?", "PENCE: It was a joke, Chris.")) + "\n")
    found = statements(text)
    turns = [s for s in found if s["cue"] == ":"]
    assert [(s["source"], len(s["content"])) for s in turns] == [("WALLACE", 1), ("PENCE", 1), ("WALLACE", 1), ("PENCE", 1)]
    assert all("\n" not in fragment for s in found for fragment in s["content"])


@pytest.mark.parametrize("text, content, source, cue", [
    ("Acts of protest, Mr. Obama said, are acts of patriotism.",
     ["Acts of protest", "are acts of patriotism"], "Mr. Obama", "said"),
    ("\u201cThat,\u201d he added, \u201cpromises to make life a lot more difficult for our children.\u201d",
     ["\u201cThat,\u201d", "\u201cpromises to make life a lot more difficult for our children.\u201d"], "he", "added"),
])
def test_a_content_never_holds_its_own_source_and_cue(text, content, source, cue):
    s = only(text)
    assert (s["content"], s["source"], s["cue"]) == (content, source, cue)


@pytest.mark.parametrize("text, content, source, cue", [
    ("The NAACP called for a moratorium on charter schools.",  # the preposition's object is the content
     ["a moratorium on charter schools"], "The NAACP", "called for"),
    ("The New York businessman says of Clinton, \u201cIf she gets the chance, she will sell the office.\u201d",
     ["\u201cIf she gets the chance, she will sell the office.\u201d"], "The New York businessman", "says"),
])
def test_a_preposition_belongs_to_the_cue_when_its_object_is_the_content(text, content, source, cue):
    s = only(text)
    assert (s["content"], s["source"], s["cue"]) == (content, source, cue)


@pytest.mark.parametrize("show", ["Fox News Sunday", "The Steve Harvey Morning Show"])
def test_one_cue_reports_one_thing_not_the_title_of_the_show_it_was_said_on(show):
    s = only(f"The senator said on \u201c{show},\u201d that the bill would pass.")
    assert (s["content"], s["cue"]) == (["that the bill would pass"], "said")
