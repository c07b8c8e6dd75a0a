"""Relations between statements, one construction per test, negatives included."""

import quotegraph


def relations(text, published="2023-01-31"):
    a = quotegraph.analyze(text, published=published)
    names = {e.id: e.name for e in a.entities}
    out = []
    for r in a.relations:
        src = a.statement(r.from_)
        dst = a.statement(r.to) if r.to else None
        out.append((r.type, names.get(src.speaker), names.get(dst.speaker) if dst else None,
                    dst.text if dst else None, r.evidence.text))
    return out


def test_rejecting_a_reported_assertion_disputes_it():
    rel = relations("The ministry rejected Anna Ortiz's assertion that the hospital had run out of beds.")
    assert ("disputes", "ministry", "Anna Ortiz", "that the hospital had run out of beds", "rejected") in rel


def test_disputing_the_claim_points_back_to_the_claim():
    text = ("Anna Ortiz said the hospital had run out of beds on Sunday. "
            "But the ministry disputed the claim.")
    (r,) = [x for x in relations(text) if x[0] == "disputes"]
    assert r[1:4] == ("ministry", "Anna Ortiz", "the hospital had run out of beds on Sunday")


def test_calling_an_account_untrue_disputes_the_persons_claim():
    text = ("Mayor Tom Green said the bridge had been inspected in March. "
            "The engineers' union said the mayor's account was untrue.")
    rel = [x for x in relations(text) if x[0] == "disputes"]
    assert rel and rel[0][2] == "Tom Green" and rel[0][4] == "untrue"


def test_a_flat_denial_sharing_the_claims_words_disputes_it():
    text = ("\u201cThey threatened me with a missile,\u201d Mr Green said. "
            "\u201cThere were no threats with missiles,\u201d Mr Brown said.")
    rel = [x for x in relations(text) if x[0] == "disputes"]
    assert [(r[1], r[2]) for r in rel] == [("Brown", "Green")]


def test_a_denial_repeated_by_two_speakers_of_one_side_links_each():
    text = ("Mr Green said the minister had threatened him with a lawsuit. "
            "The ministry said there were no threats of a lawsuit. Its spokesman, Tom Brown, said Mr Green's account was a lie.")
    rel = [x for x in relations(text) if x[0] == "disputes"]
    assert {r[1] for r in rel} >= {"ministry", "Tom Brown"}
    assert all(r[2] == "Green" for r in rel)


def test_confirming_supports():
    text = ("Mr Green said the factory would close in June. "
            "The company confirmed that the factory would close.")
    rel = [x for x in relations(text) if x[0] == "supports"]
    assert rel and rel[0][1:3] == ("company", "Green")


def test_another_version_of_what_the_same_person_said():
    text = ("Mr Green said: \u201cThe general told me: \u2018We will strike tonight\u2019.\u201d\n\n"
            "The army said Mr Green's account was untrue. \u201cThe general said that we would defend our borders,\u201d "
            "the army said.")
    rel = relations(text)
    assert any(r[0] == "alternative_account" for r in rel), rel


def test_declining_to_comment_points_at_nothing():
    for text in ["Downing Street said it would not be drawn on the matter.",
                 "A spokesman said: \u201cI can\u2019t get into specific threats.\u201d",
                 "The company declined to comment on the report.",
                 "The ministry said it did not respond to a request for comment."]:
        rel = relations(text)
        assert [r[0] for r in rel] == ["declines_comment"], (text, rel)
        assert rel[0][3] is None


def test_not_knowing_is_no_dispute():
    text = "Mr Green said the plant was safe. Mr Brown said he did not know whether it was."
    assert [r for r in relations(text) if r[0] == "disputes"] == []


def test_denied_entry_is_no_denial_of_a_statement():
    text = "Mr Green said the border was open. Officials denied entry to the reporters on Monday."
    assert [r for r in relations(text) if r[0] == "disputes"] == []


def test_a_decline_is_not_a_dispute():
    text = "Mr Green said the plant was unsafe. The company declined to comment on the claim."
    types = [r[0] for r in relations(text)]
    assert "disputes" not in types


def test_vague_falsity_with_no_one_named_makes_no_explicit_relation():
    # the rules tie "it was all lies" to no one; the learned model may, with a score of its own
    from quotegraph.stages.relations import relation_model

    text = "Mr Green said the plant was safe. Mr Brown said it was all lies."
    rule_score = relation_model().rule_precision["disputes"]
    assert all(r.score != rule_score for r in quotegraph.analyze(text).relations if r.type == "disputes")


def test_a_denied_clause_without_a_target_still_disputes():
    (r,) = relations("The company denied that it had misled investors.")
    assert (r[0], r[2]) == ("disputes", None)


def test_not_disputing_is_no_dispute():
    text = "Mr Green said the plant was safe. Mr Brown did not dispute that the plant was safe."
    assert [r for r in relations(text) if r[0] == "disputes"] == []


# Refusals to comment: a statement of their own, cut as annotators cut them (the refusing words are
# the cue, what went unsaid the content), and a declines_comment relation.

def declines(text):
    a = quotegraph.analyze(text)
    out = []
    for r in a.relations:
        if r.type == "declines_comment":
            s = a.statement(r.from_)
            out.append((s.source.text if s.source else None, s.cue.text if s.cue else None, s.text))
    return out


def test_did_not_respond_to_requests_for_comment():
    got = declines("The Lopez campaign did not immediately respond to requests for comment.")
    assert got == [("The Lopez campaign", "did not immediately respond", "to requests for comment")]


def test_declined_to_say_whether():
    got = declines("The senator declined to say whether she would back the bill.")
    assert got == [("The senator", "declined", "to say whether she would back the bill")]


def test_wouldnt_say_keeps_what_went_unsaid():
    got = declines("A Treasury spokesman wouldn't say when the payment would be made.")
    assert got == [("A Treasury spokesman", "wouldn't say", "when the payment would be made")]


def test_trailing_adjunct_is_left_out():
    got = declines("The governor refuses to discuss potential appointees, aside from saying he wants a diverse team.")
    assert got and got[0][2] == "to discuss potential appointees"


def test_a_reported_refusal_declines():
    got = declines("Mr Lovas said he cannot comment on the letter because he has not seen it.")
    assert got and got[0][0] == "Mr Lovas"


def test_refusing_to_act_is_no_refusal_to_comment():
    assert declines("The mayor refused to leave the building.") == []
    assert declines("The board declined the offer.") == []


def test_a_document_that_does_not_answer_is_no_refusal():
    assert declines("Police released a video. It does not answer whether the man had a gun, the police said.") == []


def test_said_with_a_no_in_the_quote_is_no_refusal():
    assert declines("\u201cAre we there? Probably not,\u201d Ms. Moore said.") == []


def test_every_relation_has_a_score_and_none_repeats():
    a = quotegraph.analyze("Anna Ortiz said the hospital had run out of beds on Sunday. "
                           "But the ministry disputed the claim. The ministry also denied the claim.")
    keys = [(r.type, r.from_, r.to) for r in a.relations]
    assert len(keys) == len(set(keys))
    assert all(0 < r.score <= 1 for r in a.relations)
