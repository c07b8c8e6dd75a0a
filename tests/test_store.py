"""The corpus store, on both back ends: SQLite always; PostgreSQL where QUOTEGRAPH_TEST_POSTGRES
names a server (.ci/postgres.sh starts one and prints its URL; CI sets it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from conftest import SCHEMA, assert_valid_document
from store_corpus import ARTICLES, FRENCH, HTML_PAGE, INDEX_PAGE, SCORED, numbered_articles, write_corpus

from quotegraph.ingest import ingest
from quotegraph.inputs import InputError
from quotegraph.store import Filters, Store, StoreError, database_url
from quotegraph.store import linking, queries
from quotegraph.store.migrations import SCHEMA_VERSION, SchemaTooNew
from quotegraph.store.schema import documents, relations, schema_version

POSTGRES = os.environ.get("QUOTEGRAPH_TEST_POSTGRES")
EXAMPLE = Path(__file__).parent.parent / "examples" / "kremlin-johnson-missile.txt"  # the reference article


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def empty_store_url(backend: str, path: Path) -> str:
    """A new SQLite file at ``path``, or the test PostgreSQL database emptied (skipped without one)."""
    if backend == "sqlite":
        return f"sqlite:///{path}"
    if not POSTGRES:
        pytest.skip("no PostgreSQL server: set QUOTEGRAPH_TEST_POSTGRES (see .ci/postgres.sh)")
    reset_postgres(POSTGRES)
    return POSTGRES


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    return empty_store_url(request.param, tmp_path / "store.db")


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


@pytest.fixture
def corpus(store, tmp_path):
    """The made-up corpus, ingested."""
    summary = ingest([str(write_corpus(tmp_path / "in"))], store, jobs=1)
    assert summary.new == len(ARTICLES) and not summary.failed, summary
    return store


def entity_named(conn, name: str) -> dict:
    found = queries.find_entities(conn, name)
    assert found, f"no entity {name!r}"
    return found[0]


# ---------------------------------------------------------------- ingest and idempotency

def test_ingest_stores_every_document_and_statement(corpus):
    counts = corpus.counts()
    assert counts["documents"] == len(ARTICLES)
    assert counts["statements"] >= 9
    with corpus.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(documents.c.name, documents.c.statement_count)).all())
        per_doc = dict(conn.execute(sa.text(
            "SELECT d.name, count(s.id) FROM documents d LEFT JOIN statements s ON s.document_id = d.id "
            "GROUP BY d.name")).all())
    assert stored == per_doc


def test_ingesting_again_adds_nothing(corpus, tmp_path):
    before = corpus.counts()
    summary = ingest([str(write_corpus(tmp_path / "again"))], corpus, jobs=1)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, len(ARTICLES))
    assert corpus.counts() == before


def test_reanalyze_replaces_without_adding(corpus, tmp_path):
    before = corpus.counts()
    summary = ingest([str(write_corpus(tmp_path / "again"))], corpus, jobs=1, reanalyze=True)
    assert summary.updated == len(ARTICLES) and summary.new == 0
    assert corpus.counts() == before


def test_a_changed_text_under_the_same_url_replaces_the_old(corpus, tmp_path):
    changed = dict(ARTICLES[2], text="Dmitry Peskov said the grain talks had been cancelled.")
    summary = ingest([str(write_corpus(tmp_path / "changed", [changed]))], corpus, jobs=1)
    assert summary.updated == 1
    with corpus.engine.connect() as conn:
        texts = [s["text"] for s in queries.search(conn, Filters(query="grain"))]
    assert texts == ["the grain talks had been cancelled"]


def test_documents_without_url_are_keyed_by_their_text(store, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(ARTICLES[3]["text"], encoding="utf-8")
    b = tmp_path / "copy-of-a.txt"
    b.write_text(ARTICLES[3]["text"], encoding="utf-8")
    summary = ingest([str(a), str(b)], store, jobs=1)
    assert (summary.new, summary.unchanged) == (1, 1)


def test_work_is_committed_in_batches(store, tmp_path, monkeypatch):
    calls = []
    real = Store.write
    monkeypatch.setattr(Store, "write", lambda self, batch: calls.append(len(batch)) or real(self, batch))
    ingest([str(write_corpus(tmp_path / "in", numbered_articles(5)))], store, jobs=1, batch_size=2)
    assert calls == [2, 2, 1]


# ---------------------------------------------------------------- bad input

def test_bad_input_is_reported_and_skipped_and_nothing_stored_is_lost(corpus, tmp_path):
    before = corpus.counts()
    d = tmp_path / "bad"
    d.mkdir()
    (d / "index.html").write_text(INDEX_PAGE, encoding="utf-8")
    (d / "french.txt").write_text(FRENCH, encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (d / "lines.jsonl").write_text('{"id": "ok", "text": "Police said two people were arrested."}\n'
                                   '{"id": "broken", "text": \n', encoding="utf-8")
    with open(d / "huge.txt", "wb") as f:  # 50 MB
        f.write(b"The council said the road would close. " * (50 * 2**20 // 39 + 1))
    summary = ingest([str(d), str(d / "missing.txt")], corpus, jobs=1)
    reasons = {f.id.split("/")[-1]: f.reason for f in summary.failed}
    assert "no article text" in reasons["index.html"]
    assert "English" in reasons["french.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "malformed JSON" in reasons["lines.jsonl:2"]
    assert "limit" in reasons["huge.txt"]
    assert "no such file" in reasons["missing.txt"]
    assert summary.new == 1
    after = corpus.counts()
    assert after["documents"] == before["documents"] + 1
    assert after["statements"] > before["statements"]


def test_html_pages_give_text_and_metadata(store, tmp_path):
    page = tmp_path / "strike.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    summary = ingest([str(page)], store, jobs=1)
    assert summary.new == 1, summary
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(documents)).one()
    assert row.url == "https://herald.example/politics/strike-claims"
    assert row.key == row.url
    assert row.author == "Jane Doe" and row.published == "2023-04-12"
    assert "Minister rejects strike claims" in row.title
    assert "Copyright" not in row.text and "Sport" not in row.text
    assert row.statement_count >= 2


def test_gzipped_jsonl_and_globs(store, tmp_path):
    import gzip

    plain = write_corpus(tmp_path / "in", numbered_articles(2))
    with gzip.open(tmp_path / "in" / "more.jsonl.gz", "wt", encoding="utf-8") as f:
        for a in numbered_articles(2, start=2):
            f.write(json.dumps(a) + "\n")
    summary = ingest([str(tmp_path / "in" / "*.jsonl*")], store, jobs=1)
    assert summary.new == 4 and plain.exists()


# ---------------------------------------------------------------- speakers across articles

def test_one_person_across_articles(corpus):
    with corpus.engine.connect() as conn:
        peskov = entity_named(conn, "Dmitry Peskov")
        # "Kremlin spokesman Peskov" (kremlin-2) joins through surname + descriptor; "Dmitry Peskov"
        # with no descriptor (talks) through the full name
        assert peskov["statements"] == 4
        details = queries.entity(conn, peskov["id"])
        assert {a["name"] for a in details["aliases"]} == {"Dmitry Peskov", "Peskov"}
        assert details["documents"] == 3
        assert {"Kremlin spokesman"} <= {d["name"] for d in details["descriptors"]}
        said = queries.said(conn, peskov["id"])
    assert [s["document"]["id"] for s in said] == ["kremlin-1", "kremlin-1", "kremlin-2", "talks"]
    assert [s["date"] for s in said] == sorted(s["date"] for s in said)


def test_people_sharing_only_a_surname_stay_apart(corpus):
    with corpus.engine.connect() as conn:
        named = queries.top_entities(conn, 100)["named"]
        exact = queries.find_entities(conn, "Smith")  # exact names first: the two Mr Smiths
    names = sorted(e["name"] for e in named if "Smith" in e["name"])
    assert [e["name"] for e in exact] == ["Smith", "Smith"]
    # the farmer and the headteacher are two people; John and Mary Smith, both "spokesman", too
    assert names == ["John Smith", "Mary Smith", "Smith", "Smith"]


def test_unnamed_sources_stay_in_their_article_grouped_by_affiliation(corpus):
    with corpus.engine.connect() as conn:
        spokesmen = [e for e in queries.find_entities(conn, "Downing Street spokesman") if e["unnamed"]]
        top = queries.top_entities(conn, 10)
    assert len(spokesmen) == 2
    assert {"affiliation": "Downing Street", "statements": 2, "documents": 2} in top["unnamed"]
    assert all(not e.get("unnamed") for e in top["named"])


def test_merge_and_split_by_hand_hold_for_later_articles(corpus, tmp_path):
    with corpus.engine.begin() as conn:
        farmer, head = sorted((e for e in queries.find_entities(conn, "Smith") if e["name"] == "Smith"),
                              key=lambda e: e["id"])
        linking.merge(conn, farmer["id"], head["id"])
        assert queries.entity(conn, farmer["id"])["statements"] == 2
        assert queries.entity(conn, head["id"]) is None
    later = {"id": "later", "published": "2023-04-01",
             "text": "\"The new term went well,\" Mr Smith, the headteacher, said."}
    ingest([str(write_corpus(tmp_path / "later", [later]))], corpus, jobs=1)
    with corpus.engine.begin() as conn:
        assert queries.entity(conn, farmer["id"])["statements"] == 3  # the merge holds
        school = conn.execute(sa.select(documents.c.id).where(documents.c.name == "school")).scalar()
        new_id = linking.split(conn, farmer["id"], document_id=school)
        assert queries.entity(conn, new_id)["statements"] == 1
        assert queries.entity(conn, farmer["id"])["statements"] == 2


def test_split_by_name(corpus):
    with corpus.engine.begin() as conn:
        peskov = entity_named(conn, "Dmitry Peskov")
        new_id = linking.split(conn, peskov["id"], name="Peskov")
        assert queries.entity(conn, new_id)["aliases"] == [{"name": "Peskov", "count": 1}]
        assert queries.entity(conn, peskov["id"])["statements"] == 3
        with pytest.raises(linking.EntityEditError):
            linking.split(conn, peskov["id"], name="Dmitry Peskov")  # nothing would be left
        with pytest.raises(linking.EntityEditError):
            linking.merge(conn, new_id, new_id)


@pytest.mark.parametrize("name, type_, descriptors, strong, weak", [
    ("Mr Dmitry Peskov", "PERSON", ["Kremlin spokesman"], "person:dmitry peskov",
     ("person-descriptor:peskov|kremlin spokesman",)),
    ("Mr Smith", "PERSON", [], None, ()),
    ("Downing Street", "ORG", ["No 10"], "named:downing street", ()),
])
def test_linking_keys(name, type_, descriptors, strong, weak):
    keys = linking.keys_of(name, type_, descriptors, unnamed=False)
    assert (keys.strong, keys.weak) == (strong, weak)
    assert linking.keys_of(name, type_, descriptors, unnamed=True) == linking.Keys(None, ())


# ---------------------------------------------------------------- queries

def test_search_with_filters(corpus):
    with corpus.engine.connect() as conn:
        peskov = entity_named(conn, "Dmitry Peskov")["id"]
        hits = lambda **kw: [s["text"] for s in queries.search(conn, Filters(**kw))]  # noqa: E731
        assert len(hits(query="missiles")) == 2  # "missiles" and, stemmed, "missile"
        assert hits(query='"no threats"') == ["that there had been no threats with missiles"]
        assert len(hits(query="talks")) == 2  # the grain talks, the talks with the buyers
        assert hits(query="talks", speaker=peskov) == ["the talks on grain exports would continue next week"]
        assert hits(query="talks", since="2023-02-05") == ["the talks on grain exports would continue next week"]
        assert hits(query="talks", until="2023-02") == hits(query="talks")
        assert hits(query="talks", until="2023-02-02") == ["talks with the buyers had failed"]
        assert all(s["kind"] == "direct" for s in queries.search(conn, Filters(query="harvest OR classes",
                                                                              kind="direct")))
        assert len(hits(query="harvest OR classes")) == 2
        assert hits(query="repai*") == ["schools would get more money for repairs"]
        newest_first = [s["date"] for s in queries.search(conn, Filters(query="said OR talks OR spokesman"))]
        assert newest_first == sorted(newest_first, reverse=True)


@pytest.mark.parametrize("query", ['"', 'talks"', "AND", "NEAR(", "a OR", "OR", "*", "-talks", "col:talks",
                                   "'; DROP TABLE statements; --", "(((", "\\"])
def test_search_never_fails_on_odd_queries(corpus, query):
    """An answer, or (for a query with no word to find) one clear InputError; never an SQL error."""
    with corpus.engine.connect() as conn:
        try:
            queries.search(conn, Filters(query=query))
        except InputError as e:
            assert str(e).startswith("give ")
    assert corpus.counts()["statements"] > 0


def test_disputes_side_by_side(store, tmp_path):
    ingest([str(EXAMPLE)], store, published="2023-01-31", jobs=1)
    with store.engine.connect() as conn:
        found = queries.disputes(conn)
        assert found and all(d["type"] == "disputes" and 0 <= d["score"] <= 1 for d in found)
        pairs = {(d["statement"]["entity"]["name"], (d["claim"] or {}).get("entity", {}).get("name"))
                 for d in found}
        assert ("Dmitry Peskov", "Boris Johnson") in pairs
        johnson = entity_named(conn, "Boris Johnson")["id"]
        assert queries.disputes(conn, johnson) == [d for d in found if d["claim"]
                                                   and d["claim"]["entity"]["id"] == johnson]
        assert queries.disputes(conn, entity_named(conn, "Rishi Sunak")["id"]) == []


# ---------------------------------------------------------------- relation scores and claims

def assert_shape(record, definition: str) -> None:
    validator = Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]})
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]
    assert not errors, errors


@pytest.fixture
def scored(store):
    """The hand-written analyses with scored relations (store_corpus.SCORED), stored."""
    store.write(SCORED)
    return store


def written_scores() -> dict:
    return {(doc.id, r["type"], r["from"], r["to"]): r["score"] for doc, c in SCORED for r in c["relations"]}


def test_scores_round_trip_through_the_store_and_export(scored, tmp_path):
    from quotegraph import export

    with scored.engine.connect() as conn:
        exported = {(d["id"], r["type"], r["from"], r["to"]): r["score"]
                    for d in queries.document_records(conn) for r in d["relations"]}
        made = list(queries.each_statement(conn, Filters(limit=None)))
    assert exported == written_scores()
    per_statement = {(s["document"]["id"], r["type"], r["from"], r["to"]): r["score"]
                     for s in made for r in s["relations"]}
    assert per_statement == written_scores()
    for s in made:
        assert_shape(s, "stored_statement")
    with open(tmp_path / "out.csv", "w", encoding="utf-8", newline="") as out:
        export.write_csv(made, out)
    export.write_parquet(made, str(tmp_path / "out.parquet"))
    import csv

    import pyarrow.parquet as pq

    for rows in (list(csv.DictReader(open(tmp_path / "out.csv", encoding="utf-8"))),
                 pq.read_table(tmp_path / "out.parquet").to_pylist()):
        flat = {(row["document_id"], r["type"], r["from"], r["to"]): r["score"]
                for row in rows for r in json.loads(row["relations"])}
        assert flat == written_scores()


def test_ingested_scores_reach_the_export(store):
    """The reference article, analysed: whatever the relation model scores, the store keeps it."""
    ingest([str(EXAMPLE)], store, published="2023-01-31", jobs=1)
    with store.engine.connect() as conn:
        [record] = list(queries.document_records(conn))
        made = {(r["type"], r["from"], r["to"]): r["score"]
                for s in queries.each_statement(conn, Filters(limit=None)) for r in s["relations"]}
    assert record["relations"] and all(0 <= r["score"] <= 1 for r in record["relations"])
    assert made == {(r["type"], r["from"], r["to"]): r["score"] for r in record["relations"]}


def test_min_score_filters_relations(scored):
    with scored.engine.connect() as conn:
        every = queries.disputes(conn, limit=None)
        strong = queries.disputes(conn, limit=None, min_score=0.5)
        groups = queries.claim_groups(conn, queries.RelationFilters(min_score=0.5), limit=None)
    assert sorted(d["score"] for d in every) == [0.35, 0.7, 0.9]
    assert sorted(d["score"] for d in strong) == [0.7, 0.9]
    assert all(r["score"] >= 0.5 for g in groups for r in g["responses"])
    assert "Kremlin" not in {r["statement"]["entity"]["name"] for g in groups for r in g["responses"]}


def test_responses_are_grouped_by_claim_newest_first(scored):
    with scored.engine.connect() as conn:
        groups = queries.claim_groups(conn, queries.RelationFilters(), limit=None)
        kremlin = entity_named(conn, "Kremlin")["id"]
        of_kremlin = queries.claim_groups(conn, queries.RelationFilters(entity=kremlin), limit=None)
        first = queries.claim_groups(conn, queries.RelationFilters(), limit=1)
        declines = queries.claim_groups(conn, queries.RelationFilters(types=("declines_comment",)), limit=None)
    for g in groups:
        assert_shape(g, "claim_group")
    assert groups[0]["claim"]["text"] == "the talks had failed"  # the newest claim
    johnson = [g for g in groups if g["claim"] and g["claim"]["entity"]["name"] == "Boris Johnson"]
    assert len(johnson) == 1
    assert [(r["statement"]["entity"]["name"], r["type"], r["score"]) for r in johnson[0]["responses"]] == [
        ("Dmitry Peskov", "disputes", 0.9), ("Kremlin", "disputes", 0.35)]
    unclaimed = [g for g in groups if g["claim"] is None]
    assert [[(r["statement"]["entity"]["name"], r["type"]) for r in g["responses"]] for g in unclaimed] == [
        [("Downing Street", "declines_comment")]]
    assert unclaimed[0]["responses"][0]["evidence"]["text"] == "would not be drawn"
    assert len(groups) == 3 and sum(len(g["responses"]) for g in groups) == 4  # nothing lost
    assert [[r["statement"]["entity"]["name"] for r in g["responses"]] for g in of_kremlin] == [["Kremlin"]]
    assert first == groups[:1]  # the limit counts claims, not responses
    assert [g["claim"] for g in declines] == [None]


def test_an_old_store_gets_scores_when_opened(scored):
    """A store written before relations had scores (schema version 1) is migrated on opening: its
    relations score 1.0, what the rule-based extractor that found them meant."""
    with scored.engine.begin() as conn:  # turn the store back into what version 1 wrote
        conn.exec_driver_sql("ALTER TABLE relations DROP COLUMN score")
        conn.execute(schema_version.delete().where(schema_version.c.version > 1))
        for doc_id, analysis in conn.execute(sa.select(documents.c.id, documents.c.analysis)).all():
            old = json.loads(analysis)
            for r in old["relations"]:
                del r["score"]
            conn.execute(documents.update().where(documents.c.id == doc_id).values(analysis=json.dumps(old)))
    with Store(scored.url) as reopened, reopened.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() == SCHEMA_VERSION
        assert set(conn.execute(sa.select(relations.c.score)).scalars()) == {1.0}
        records = list(queries.document_records(conn))
        groups = queries.claim_groups(conn, queries.RelationFilters(min_score=1.0), limit=None)
    for record, (doc, _) in zip(records, SCORED):
        assert_valid_document(record, doc.text)
        assert {r["score"] for r in record["relations"]} == {1.0}
    assert sum(len(g["responses"]) for g in groups) == 4


def test_entities_top(corpus):
    with corpus.engine.connect() as conn:
        top = queries.top_entities(conn, 2)
    assert [e["name"] for e in top["named"]] == ["Dmitry Peskov", "Boris Johnson"]
    assert top["named"][0]["statements"] == 4 and top["named"][0]["documents"] == 3


def test_export_documents_keep_the_contract(corpus):
    with corpus.engine.connect() as conn:
        records = list(queries.document_records(conn, page=2))
    assert [r["id"] for r in records] == [a["id"] for a in ARTICLES]
    for record, article in zip(records, ARTICLES):
        assert_valid_document(record, article["text"])
        assert record["text"] == article["text"]
        assert all(isinstance(e["canonical"], int) for e in record["entities"])


def test_each_statement_pages_and_limits(corpus):
    with corpus.engine.connect() as conn:
        every = list(queries.each_statement(conn, Filters(limit=None), page=3))
        assert len(every) == corpus.counts()["statements"]
        assert len(list(queries.each_statement(conn, Filters(limit=4), page=3))) == 4
        assert [s["id"] for s in every] != [] and all("document" in s for s in every)


# ---------------------------------------------------------------- the schema

def test_schema_is_versioned(store):
    with store.engine.connect() as conn:
        # every migration step is recorded as it is applied
        assert sorted(conn.execute(sa.select(schema_version.c.version)).scalars()) == list(range(1, SCHEMA_VERSION + 1))
    Store(store.url).close()  # opening again migrates nothing
    with store.engine.begin() as conn:
        conn.execute(schema_version.insert().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(SchemaTooNew, match="upgrade quotegraph"):
        Store(store.url)


def test_unusable_database_urls():
    with pytest.raises(StoreError, match="not supported|cannot use"):
        Store("mysql://localhost/x")
    with pytest.raises(StoreError, match="cannot open"):
        Store("sqlite:////no/such/folder/store.db")


def test_database_url_forms(monkeypatch):
    monkeypatch.delenv("QUOTEGRAPH_DB", raising=False)
    assert database_url(None) == "sqlite:///quotegraph.db"
    assert database_url("corpus.db") == "sqlite:///corpus.db"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("QUOTEGRAPH_DB", "/data/news.db")
    assert database_url(None) == "sqlite:////data/news.db"
