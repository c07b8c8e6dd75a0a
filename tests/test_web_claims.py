"""Claims across articles in the web app, on both back ends: GET /api/claims and /api/claims/{id}, the
claims page, a claim's page with its timeline, the entity page's claims, and every statement linking to
its claim. The store holds the reference article and two rewrites of it by other outlets
(tests/data/claims), which give Johnson's missile claim three reports in three articles, disputed."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from html import escape
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from test_store import EXAMPLE, empty_store_url
from test_web_api import valid

from quotegraph.ingest import ingest
from quotegraph.store import Store
from quotegraph.store.queries import MAX_ID
from quotegraph.web import create_app

DATA = Path(__file__).parent / "data" / "claims"
# the reference article, a British outlet's rewrite the day before, an American one's the day after
OUTLETS = [(EXAMPLE, "2023-01-31"), (DATA / "british.txt", "2023-01-30"), (DATA / "american.txt", "2023-02-01")]
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request, tmp_path_factory):
    url = empty_store_url(request.param, tmp_path_factory.mktemp("claims") / "store.db")
    with Store(url) as store:
        for path, published in OUTLETS:
            assert not ingest([str(path)], store, published=published, jobs=1).failed
    return TestClient(create_app(url), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def ids(client):
    docs = {d["name"]: d["id"] for d in client.get("/api/documents").json()}
    people = {e["name"]: e["id"] for e in client.get("/api/entities", params={"top": 50}).json()["named"]}
    listed = client.get("/api/claims", params={"limit": 0}).json()
    missile = next(c for c in listed if c["text"].startswith("“He sort of threatened me"))
    return {"seed": docs[EXAMPLE.name], "missile": missile["id"], **people}


def claim_ids(client, **params) -> list[int]:
    r = client.get("/api/claims", params={"limit": 0} | params)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()]


# ---------------------------------------------------------------- the API

def test_the_api_lists_claims_the_most_reported_first(client, ids):
    listed = client.get("/api/claims").json()
    assert listed and all(valid(c, "claim") is None for c in listed)
    counts = [len(c["reports"]) for c in listed]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    assert ids["missile"] in [c["id"] for c in listed if len(c["reports"]) == 3]


def test_the_api_gives_one_claim_with_its_reports_and_responses(client, ids):
    claim = client.get(f"/api/claims/{ids['missile']}").json()
    valid(claim, "claim")
    assert claim["speaker"]["name"] == "Boris Johnson" and claim["documents"] == 3 and len(claim["reports"]) == 3
    assert {r["document"]["id"] for r in claim["reports"]} == {path.name for path, _ in OUTLETS}
    assert (claim["first_reported"], claim["last_reported"]) == ("2023-01-30", "2023-02-01")
    assert {r["speaker"]["name"] for r in claim["responses"] if r["type"] == "disputes"} == {"Kremlin", "Dmitry Peskov"}
    listed = next(c for c in client.get("/api/claims", params={"limit": 0}).json() if c["id"] == ids["missile"])
    assert listed == claim


def test_the_api_filters(client, ids):
    johnson = claim_ids(client, entity=ids["Boris Johnson"])
    assert ids["missile"] in johnson
    for c in client.get("/api/claims", params={"entity": ids["Boris Johnson"], "limit": 0}).json():
        assert ids["Boris Johnson"] in {s["id"] for s in c["speakers"]}
    assert ids["missile"] not in claim_ids(client, entity=ids["Dmitry Peskov"])  # he answers it; he does not make it
    disputed = client.get("/api/claims", params={"disputed": True, "limit": 0}).json()
    assert ids["missile"] in [c["id"] for c in disputed]
    assert all(any(r["type"] == "disputes" for r in c["responses"]) for c in disputed)
    assert len(disputed) < len(claim_ids(client))
    spread = client.get("/api/claims", params={"min_reports": 3, "limit": 0}).json()
    assert ids["missile"] in [c["id"] for c in spread] and all(len(c["reports"]) >= 3 for c in spread)
    assert ids["missile"] in claim_ids(client, since="2023-02") and claim_ids(client, since="2023-02-02") == []
    assert set(claim_ids(client, since="2023")) == set(claim_ids(client))
    assert client.get("/api/claims", params={"limit": 1}).json()[0]["id"] == claim_ids(client)[0]


def test_a_missing_claim_is_a_404_with_a_message(client):
    r = client.get("/api/claims/999999")
    assert r.status_code == 404 and r.json()["error"] == "no claim #999999"
    page = client.get("/claims/999999", headers=HTML)
    assert page.status_code == 404 and "no claim #999999" in page.text and "<h1>404</h1>" in page.text


@pytest.mark.parametrize("path, names", [
    ("/api/claims?since=yesterday", "since"), ("/api/claims?since=2023-13", "since"),
    ("/api/claims?min_reports=0", "min_reports"), (f"/api/claims?min_reports={MAX_ID + 1}", "min_reports"),
    ("/api/claims?min_reports=many", "min_reports"), ("/api/claims?limit=-1", "limit"),
    ("/api/claims?limit=100000000000000000000", "limit"), ("/api/claims?entity=0", "entity"),
    (f"/api/claims?entity={MAX_ID + 1}", "entity"), ("/api/claims?disputed=maybe", "disputed"),
    ("/api/claims/0", "claim_id"), (f"/api/claims/{MAX_ID + 1}", "claim_id"), ("/api/claims/five", "claim_id"),
    ("/claims?min_reports=0", "min_reports"), (f"/claims/{10**23}", "claim_id"), ("/claims?entity=-1", "entity"),
])
def test_bad_parameters_are_a_422_naming_them(client, path, names):
    r = client.get(path)
    assert r.status_code == 422, r.text
    assert names in r.json()["error"] and "Traceback" not in r.text


def test_the_largest_numbers_find_nothing_without_failing(client):
    assert client.get(f"/api/claims/{MAX_ID}").status_code == 404
    assert client.get("/api/claims", params={"min_reports": MAX_ID}).json() == []
    assert client.get("/api/claims", params={"entity": MAX_ID}).json() == []


# ---------------------------------------------------------------- the pages

def events(page: str) -> list[str]:
    return re.findall(r'<li class="event (?:report|response rel-\w+)">(.*?)</li>', page, re.S)


def test_the_claim_page_shows_the_claim_and_its_timeline(client, ids):
    claim = client.get(f"/api/claims/{ids['missile']}").json()
    r = client.get(f"/claims/{ids['missile']}", headers=HTML)
    assert r.status_code == 200 and "default-src 'self'" in r.headers["content-security-policy"]
    page = r.text
    assert f"<h1>Claim #{claim['id']}</h1>" in page and escape(claim["text"]) in page
    assert f'<a href="/entities/{ids["Boris Johnson"]}">Boris Johnson</a>' in page
    assert "3 reports in 3 articles" in page and "2023-01-30" in page and "2023-02-01" in page
    outlets = re.search(r'<ul class="outlets">(.*?)</ul>', page, re.S).group(1)
    for report in claim["reports"]:  # every outlet, linked to its report
        assert f'href="/documents/{report["document"]["stored_id"]}#{report["local_id"]}"' in outlets
        assert report["document"]["id"] in outlets
    shown = events(page)
    assert len(shown) == len(claim["reports"]) + len(claim["responses"])
    dates = [re.search(r'<span class="when">(.*?)</span>', e).group(1) for e in shown]
    assert dates == sorted(dates)  # by date: all dated here
    disputes = [e for e in shown if ">disputes</strong>" in e]
    assert len(disputes) == sum(r["type"] == "disputes" for r in claim["responses"])
    assert all("score 0." in e and "evidence: “" in e for e in disputes)
    assert sum(">said</strong>" in e for e in shown) == 3
    for event in [*claim["reports"], *claim["responses"]]:  # each links to its article
        assert f'href="/documents/{event["document"]["stored_id"]}#{event["local_id"]}"' in page
    assert any(">Dmitry Peskov</a>" in e for e in disputes) and any(">Kremlin</a>" in e for e in disputes)


def test_the_claims_page_lists_the_most_reported_first(client, ids):
    page = client.get("/claims", headers=HTML).text
    assert '<a href="/claims">Claims</a>' in page  # in the navigation
    listed = [int(i) for i in re.findall(r'<a class="claim-text" href="/claims/(\d+)">', page)]
    assert listed == claim_ids(client, limit=100)
    disputed = client.get("/claims", params={"disputed": "1"}, headers=HTML).text
    assert [int(i) for i in re.findall(r'<a class="claim-text" href="/claims/(\d+)">', disputed)] == claim_ids(
        client, disputed=True, limit=100)
    assert 'name="disputed" value="1" checked' in disputed and "7 disputes" in disputed
    spread = client.get("/claims", params={"min_reports": 3, "entity": ids["Boris Johnson"]}, headers=HTML).text
    assert [int(i) for i in re.findall(r'href="/claims/(\d+)"', spread)] == claim_ids(
        client, min_reports=3, entity=ids["Boris Johnson"])
    assert '<option value="3" selected>' in spread
    assert client.get("/claims", params={"entity": MAX_ID}, headers=HTML).status_code == 404


def test_the_entity_page_lists_its_claims(client, ids):
    page = client.get(f"/entities/{ids['Boris Johnson']}", headers=HTML).text
    section = page[page.index('id="claims-h"'):page.index('id="timeline-h"')]
    listed = [int(i) for i in re.findall(r'<a class="claim-text" href="/claims/(\d+)">', section)]
    assert listed == claim_ids(client, entity=ids["Boris Johnson"], limit=20)
    assert listed[:2].count(ids["missile"]) == 1 and "3 reports in 3 articles" in section


def test_a_statement_on_the_article_page_links_to_its_claim(client, ids):
    page = client.get(f"/documents/{ids['seed']}", headers=HTML).text
    details = json.loads(re.search(r'id="statement-details">(.*?)</script>', page, re.S).group(1))
    assert details["s5"]["claim"] == {"id": ids["missile"], "reports": 3, "documents": 3}
    assert all(d["claim"] and d["claim"]["id"] >= 1 for d in details.values())  # every stored statement has one
    assert 'data-field="claim"' in page
    band = page[page.index('id="shared-h"'):]  # the claims other articles report too, linked
    assert '<a href="#s5">Boris Johnson</a>' in band
    assert f'<a class="claim-link" href="/claims/{ids["missile"]}">claim #{ids["missile"]} · 3 reports in 3 articles</a>' in band
    pasted = client.post("/analyse", data={"text": "“It was a lie,” Dmitry Peskov said.", "published": ""}).text
    assert 'data-field="claim"' not in pasted and 'id="shared-h"' not in pasted  # nothing stored, no claim


def claim_links(page: str) -> list[str]:
    return re.findall(r'<a class="claim-link" href="/claims/\d+">[^<]*</a>', page)


def test_every_listed_statement_links_to_its_claim(client, ids):
    results = client.get("/api/search", params={"q": "threatened", "limit": 100}).json()
    page = client.get("/search", params={"q": "threatened"}, headers=HTML).text
    assert len(claim_links(page)) == len(results) >= 3
    missile = f'<a class="claim-link" href="/claims/{ids["missile"]}">claim #{ids["missile"]} · 3 reports</a>'
    assert missile in claim_links(page)
    entity = client.get(f"/entities/{ids['Boris Johnson']}", headers=HTML).text
    said = entity[entity.index('id="timeline-h"'):entity.index("</ol>", entity.index('id="timeline-h"'))]
    assert missile in said and len(claim_links(said)) == len(client.get(
        f"/api/entities/{ids['Boris Johnson']}/statements").json())
    assert missile in entity[entity.index("<aside>"):]  # beside those who dispute it
    disputes = client.get("/disputes", headers=HTML).text
    assert missile in disputes and any(" · 2 reports" in link for link in claim_links(disputes))


@contextmanager
def counted_queries():
    """How many SQL statements the code inside runs, on any engine."""
    ran = []

    def count(*args):
        ran.append(1)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


@pytest.mark.parametrize("few, many", [("Zelensky", "missile")])
def test_claim_links_cost_one_query_a_page_not_one_a_statement(client, few, many):
    sizes, queries = [], []
    for q in (few, many):
        sizes.append(len(client.get("/api/search", params={"q": q, "limit": 100}).json()))
        with counted_queries() as ran:
            assert client.get("/search", params={"q": q}, headers=HTML).status_code == 200
        queries.append(len(ran))
    assert sizes[0] < sizes[1] and queries[0] == queries[1], (sizes, queries)
