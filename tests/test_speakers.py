"""Speakers: each article's mentions clustered into entities, construction by construction."""

import quotegraph


def analyse(text):
    a = quotegraph.analyze(text)
    names = {e.id: e for e in a.entities}
    return a, names


def speaker_of(text, fragment, analysis=None):
    a, names = analysis or analyse(text)
    for s in a.statements:
        if fragment in s.text:
            return names[s.speaker] if s.speaker else None
    raise AssertionError(f"no statement holds {fragment!r}: {[s.text for s in a.statements]}")


def test_full_name_and_surname_with_title_are_one_entity():
    text = ("Dmitry Peskov said the talks were over. \u201cThere is nothing to discuss,\u201d Mr Peskov said.")
    both = analyse(text)
    first = speaker_of(text, "talks were over", both)
    second = speaker_of(text, "nothing to discuss", both)
    assert first.id == second.id
    assert first.name == "Dmitry Peskov"
    assert {"Dmitry Peskov", "Mr Peskov"} <= {m.text for m in first.mentions}


def test_pre_modifying_role_becomes_a_descriptor():
    text = "Kremlin spokesman Dmitry Peskov said the account was untrue."
    e = speaker_of(text, "account was untrue")
    assert e.name == "Dmitry Peskov"
    assert any("spokesman" in d for d in e.descriptors)


def test_pronoun_source_resolves_to_the_person_before():
    text = "Anna Ortiz visited the hospital on Monday. She said the wards were full."
    assert speaker_of(text, "wards were full").name == "Anna Ortiz"


def test_pronoun_agrees_with_title_gender():
    text = ("Mrs Ortiz met Mr Lee in Paris. He said the deal was done.")
    assert speaker_of(text, "deal was done").name == "Lee"


def test_pronoun_inside_a_quotation_is_not_the_person_quoted():
    text = ("Mr Johnson spoke about a call with Vladimir Putin. "
            "\u201cHe told me that the missiles were ready,\u201d Mr Johnson said.")
    a, names = analyse(text)
    nested = next(s for s in a.statements if s.source and s.source.text == "He")
    assert names[nested.speaker].name == "Vladimir Putin"


def test_definite_description_resolves_by_shared_descriptor():
    text = ("Russian President Vladimir Putin met the envoy. Boris Johnson spoke later. "
            "The Russian leader said the meeting went well.")
    assert speaker_of(text, "meeting went well").name == "Vladimir Putin"


def test_organisations_speak():
    text = ("The Kremlin said there were no threats. Downing Street said it would not comment. "
            "No 10 said the matter was closed.")
    once = analyse(text)
    kremlin = speaker_of(text, "no threats", once)
    downing = speaker_of(text, "would not comment", once)
    no10 = speaker_of(text, "matter was closed", once)
    assert (kremlin.name, kremlin.type) == ("Kremlin", "ORG")
    assert downing.name == "Downing Street" and downing.type == "ORG"
    assert no10.id == downing.id


def test_unnamed_source_keeps_its_affiliation_and_is_not_the_person_named():
    text = ("Rishi Sunak left London on Monday. Mr Sunak's official spokesman said: "
            "\u201cWe are clear about the risks.\u201d")
    e = speaker_of(text, "clear about the risks")
    assert e.unnamed
    assert e.name == "Mr Sunak's official spokesman"
    assert e.affiliation == "Mr Sunak"


def test_anonymous_sources_are_unnamed_entities():
    text = "A senior source said the plan had been dropped."
    e = speaker_of(text, "plan had been dropped")
    assert e.unnamed


def test_relative_pronoun_source_is_what_the_clause_describes():
    text = "The plan was backed by Maria Lopez, who said it would save money."
    assert speaker_of(text, "save money").name == "Maria Lopez"


def test_people_with_the_same_surname_but_different_first_names_stay_apart():
    text = "Hillary Clinton said the plan works. Chelsea Clinton said the plan fails."
    once = analyse(text)
    assert speaker_of(text, "plan works", once).id != speaker_of(text, "plan fails", once).id


def test_apposition_becomes_a_descriptor():
    e = speaker_of("Anna Ortiz, the health minister, said hospitals were full.", "hospitals were full")
    assert e.name == "Anna Ortiz"
    assert "health minister" in e.descriptors
