"""Claims across articles (store/claims.py), on both back ends: the reference article and two rewrites of
it by other outlets (tests/data/claims, written for these tests) give Johnson's missile claim once, with
three reports and the Kremlin's denials; decisions by hand survive analysing again; claims do not depend
on the order articles come in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import run_cli
import test_store
from test_store import EXAMPLE, assert_shape

from quotegraph.ingest import ingest
from quotegraph.store import Filters, Store, claim_queries, claims, queries
from quotegraph.store.claims import Report
from quotegraph.store.schema import claim_shingles, documents, schema_version, statements
from quotegraph.store.schema import claims as claims_table

db_url, store = test_store.db_url, test_store.store  # the store on both back ends (fixtures)
DATA = Path(__file__).parent / "data" / "claims"
# the reference article, a British outlet's rewrite the day before, an American one's the day after
OUTLETS = [(EXAMPLE, "2023-01-31"), (DATA / "british.txt", "2023-01-30"), (DATA / "american.txt", "2023-02-01")]
NAMED = ("Kremlin dismisses Johnson missile story\n\n"
         "The Kremlin on Tuesday denied Boris Johnson's claim that Vladimir Putin had threatened him with a "
         "missile and said it would only take a minute.\n")


def ingest_all(store, outlets=OUTLETS, **kw):
    for path, published in outlets:
        summary = ingest([str(path)], store, published=published, jobs=1, **kw)
        assert not summary.failed, summary


def partition(store) -> set[frozenset]:
    """Claims as sets of (document, statement id), whatever their ids."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(statements.c.claim_id, documents.c.name, statements.c.local_id)
                            .join_from(statements, documents, statements.c.document_id == documents.c.id))
        groups: dict[int, set] = {}
        for claim_id, doc, local in rows:
            assert claim_id is not None, f"{doc} {local} is in no claim"
            groups.setdefault(claim_id, set()).add((doc, local))
    return {frozenset(g) for g in groups.values()}


def claim_of(store, document: str, local_id: str) -> dict:
    with store.engine.connect() as conn:
        claim_id = conn.execute(sa.select(statements.c.claim_id).join_from(
            statements, documents, statements.c.document_id == documents.c.id).where(
            documents.c.name == document, statements.c.local_id == local_id)).scalar_one()
        return claim_queries.claim(conn, claim_id)


def missile_claim(store) -> dict:
    """The claim of Johnson's quotation in the reference article ("He sort of threatened me …")."""
    return claim_of(store, EXAMPLE.name, "s5")


# ---------------------------------------------------------------- the rules, statement against statement

def report(text, *, id=1, document=1, entity=1, kind="direct", nested=False, date="2023-01-31") -> Report:
    return Report(id, document, entity, kind, nested, date, text)


QUOTE = "“He sort of threatened me at one point and said: ‘Boris, I don’t want to hurt you’,” Johnson said."


@pytest.mark.parametrize("other, same", [
    # British marks, trimmed ends and an ellipsis: the same quotation
    ("'He sort of threatened me at one point and said: \"Boris...'", True),
    ("at one point and said: Boris, I don't want to hurt you", True),
    ("He sort of threatened me", False),  # too short to be sure: fewer than eight words in common
])
def test_the_same_words(other, same):
    assert claims.same_claim(report(QUOTE), report(other, id=2, document=2, entity=7)) is same


def test_a_common_phrase_is_not_one_claim_for_two_speakers():
    hannity = report("I'm not hiding the fact that I want Donald Trump to be the next president of the United States")
    johnson = report("You know how crazy this election is? I'm going to be the next president of the United States.",
                     id=2, document=2, entity=2)
    assert not claims.same_claim(hannity, johnson)
    assert claims.same_claim(hannity, report(johnson.text, id=2, document=2))  # one speaker: a run is enough


def test_words_inside_another_report_are_not_that_report():
    """Putin's words inside Johnson's account are Putin's claim, not Johnson's."""
    inner = report("Boris, I don't want to hurt you but with a missile, it would only take a minute", nested=True)
    outer = report("He sort of threatened me and said: Boris, I don't want to hurt you but with a missile, "
                   "it would only take a minute", id=2, document=2)
    assert not claims.same_claim(inner, outer)


def test_reported_speech_with_the_same_words_needs_the_same_speaker():
    a = report("the attack killed at least twenty people in the capital on Sunday", kind="indirect", entity=1)
    b = report("the attack killed at least twenty people in the capital on Sunday", id=2, document=2,
               kind="indirect", entity=2)
    assert not claims.same_claim(a, b)
    assert claims.same_claim(a, report(b.text, id=2, document=2, kind="indirect", entity=1))


@pytest.mark.parametrize("other, date, same", [
    ("the new tax on imported steel would cost American factories thousands of jobs", "2016-05-03", True),
    ("the new tax on imported steel would cost American factories thousands of jobs", "2016-07-01", False),
    ("the new tax on imported cars would please American factories", "2016-05-03", False),
    ("the new tax on imported steel would cost American factories 5,000 jobs", "2016-05-03", False),
])
def test_a_speaker_saying_it_again(other, date, same):
    said = report("a new tax on imported steel would cost US factories thousands of jobs", kind="indirect",
                  date="2016-05-01")
    assert claims.same_claim(said, report(other, id=2, document=2, kind="indirect", date=date)) is same



def test_content_words_leave_out_spacys_stop_words():
    # the package keeps a copy of spaCy's list so that the ingest writer need not import spaCy
    from spacy.lang.en.stop_words import STOP_WORDS

    assert claims._stop_words() == frozenset(STOP_WORDS)
    assert claims.terms(claims.words("They said the missile would only take a minute")) == {
        "said", "missile", "minute"}

# ---------------------------------------------------------------- across articles, both back ends

def test_one_claim_three_outlets(store):
    ingest_all(store)
    claim = missile_claim(store)
    assert len(claim["reports"]) == 3 and claim["documents"] == 3
    assert {r["document"]["id"] for r in claim["reports"]} == {p.name for p, _ in OUTLETS}
    assert {r["speaker"]["name"] for r in claim["reports"]} == {"Boris Johnson"}
    assert claim["speaker"]["name"] == "Boris Johnson"
    assert all("threatened me at one point" in r["text"] for r in claim["reports"])  # nothing else joined
    assert claim["text"].startswith("“He sort of threatened me")  # the fullest direct wording
    assert (claim["first_reported"], claim["last_reported"]) == ("2023-01-30", "2023-02-01")
    disputes = [r for r in claim["responses"] if r["type"] == "disputes"]
    assert {r["speaker"]["name"] for r in disputes} == {"Kremlin", "Dmitry Peskov"}
    assert len({r["document"]["id"] for r in disputes}) == 3  # a denial from every outlet
    assert_shape(claim, "claim")
    # Putin's words inside Johnson's are a claim of their own, in the same three articles
    inner = claim_of(store, EXAMPLE.name, "s6")
    assert inner["id"] != claim["id"] and inner["documents"] == 3


def test_a_denial_naming_the_claim_elsewhere_is_a_response_to_it(store, tmp_path):
    ingest_all(store)
    named = tmp_path / "named.txt"
    named.write_text(NAMED, encoding="utf-8")
    ingest_all(store, [(named, "2023-01-31")])
    claim = missile_claim(store)
    from_named = [r for r in claim["responses"] if r["document"]["id"] == "named.txt"]
    assert [r["type"] for r in from_named] == ["disputes"] and len(claim["reports"]) == 3


def test_claims_do_not_depend_on_the_order_of_articles(tmp_path):
    stores = []
    for name, order in (("forward", OUTLETS), ("backward", OUTLETS[::-1])):
        s = Store(f"sqlite:///{tmp_path / name}.db")
        ingest_all(s, order)
        stores.append(s)
    assert partition(stores[0]) == partition(stores[1])
    for s in stores:
        s.close()


def test_a_batch_of_articles_gives_the_claims_of_one_at_a_time(store, tmp_path):
    # store.write assigns a whole batch at once (ingest, load): the claims must be those of one by one
    from quotegraph import analyze
    from quotegraph.io import Document

    batch = [(Document(id=path.name, text=path.read_text("utf-8"), published=published),
              analyze(path.read_text("utf-8"), published=published, id=path.name)) for path, published in OUTLETS]
    store.write(batch)
    one_by_one = Store(f"sqlite:///{tmp_path / 'one.db'}")
    for pair in batch:
        one_by_one.write([pair])
    assert partition(store) == partition(one_by_one)
    assert len(missile_claim(store)["reports"]) == 3
    one_by_one.close()


def test_merge_and_split_survive_analysing_again(store):
    ingest_all(store)
    claim = missile_claim(store)
    british = next(r for r in claim["reports"] if r["document"]["id"] == "british.txt")
    headline = claim_of(store, "british.txt", "s1")  # "Putin threatened me with missile strike"
    with store.writing() as conn:
        new_id = claims.split(conn, claim["id"], statement_ids=[british["statement"]])
        claims.merge(conn, claim["id"], headline["id"])
    before = partition(store)
    ingest_all(store, reanalyze=True)  # every document analysed again: new statement rows
    assert partition(store) == before
    claim = missile_claim(store)
    assert {r["document"]["id"] for r in claim["reports"]} == {EXAMPLE.name, "american.txt", "british.txt"}
    assert len(claim["reports"]) == 3 and claim["pinned"]  # the headline, not the British quotation
    assert claim_of(store, "british.txt", "s5")["id"] == new_id
    with store.writing() as conn, pytest.raises(claims.ClaimEditError, match="every report"):
        claims.split(conn, new_id, statement_ids=[r["statement"] for r in claim_of(store, "british.txt", "s5")
                                                  ["reports"]])


def test_a_replaced_document_leaves_its_claims(store, tmp_path):
    ingest_all(store, OUTLETS[:2])
    feed = tmp_path / "feed.jsonl"
    article = {"id": "american", "url": "https://example.com/johnson", "published": "2023-02-01",
               "text": (DATA / "american.txt").read_text("utf-8")}
    feed.write_text(json.dumps(article) + "\n", encoding="utf-8")
    ingest_all(store, [(feed, None)])
    assert len(missile_claim(store)["reports"]) == 3
    article["text"] = article["text"].split("\n\n\"He sort")[0] + "\n"  # corrected: the quotation is gone
    feed.write_text(json.dumps(article) + "\n", encoding="utf-8")
    ingest_all(store, [(feed, None)])
    claim = missile_claim(store)
    assert {r["document"]["id"] for r in claim["reports"]} == {EXAMPLE.name, "british.txt"}
    assert len({r["document"]["id"] for r in claim["responses"]}) == 2  # its responses left with it


def test_an_old_store_gets_its_claims_when_opened(store):
    ingest_all(store)
    expected = partition(store)
    with store.engine.begin() as conn:  # back to what schema version 4 had
        conn.execute(statements.update().values(claim_id=None, about_claim=None))
        conn.execute(claims_table.delete())
        conn.execute(claim_shingles.delete())
        conn.execute(schema_version.delete().where(schema_version.c.version > 4))
    with Store(store.url) as reopened:
        assert partition(reopened) == expected


def test_filters_and_export(store):
    ingest_all(store)
    with store.engine.connect() as conn:
        johnson = missile_claim(store)["speaker"]["id"]
        spread = claim_queries.find_claims(conn, claim_queries.ClaimFilters(min_reports=3))
        disputed = claim_queries.find_claims(conn, claim_queries.ClaimFilters(disputed=True, entity=johnson))
        later = claim_queries.find_claims(conn, claim_queries.ClaimFilters(since="2023-02-02"))
        exported = list(queries.each_statement(conn, Filters(limit=None)))
    assert missile_claim(store)["id"] in {c["id"] for c in spread} and len(spread) <= 3
    assert disputed and all(c["responses"] for c in disputed)
    assert all(any(r["speaker"] and r["speaker"]["id"] == johnson for r in c["reports"]) for c in disputed)
    assert later == []
    assert all(isinstance(s["claim"], int) for s in exported)


def test_the_commands(tmp_path):
    db = tmp_path / "c.db"
    for path, published in OUTLETS:
        assert run_cli("ingest", path, "--published", published, "--db", db, "--quiet").returncode == 0
    listed = run_cli("claims", "--min-reports", "3", "--db", db, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    johnson = next(c for c in found if c["speaker"]["name"] == "Boris Johnson")
    shown = run_cli("claim", str(johnson["id"]), "--db", db, "--format", "table")
    assert shown.returncode == 0 and "3 reports in 3 articles" in shown.stdout and "DISPUTES" in shown.stdout
    assert run_cli("claim", "99999", "--db", db).returncode == 2
    split = run_cli("claims", "split", str(johnson["id"]), "--document", "british.txt", "--db", db)
    assert split.returncode == 0 and split.stdout.startswith("split #"), split.stderr
    new_id = split.stdout.split("#")[1].split()[0]
    merged = run_cli("claims", "merge", str(johnson["id"]), new_id, "--db", db)
    assert merged.returncode == 0, merged.stderr
    again = json.loads(run_cli("claim", str(johnson["id"]), "--db", db, "--format", "json").stdout)
    assert len(again["reports"]) == 3
