"""The HTTP API and the pages through FastAPI's test client: every endpoint, bad and hostile input."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from conftest import SCHEMA, assert_valid_document
from store_corpus import scored_store, write_corpus

from quotegraph.ingest import ingest
from quotegraph.store import Store
from quotegraph.web import create_app

EXAMPLE = Path(__file__).parent.parent / "examples" / "kremlin-johnson-missile.txt"
TOKEN = "s3cret-token"

HOSTILE = {
    "id": "hostile", "published": "2023-05-01", "url": "javascript:alert(document.cookie)",
    "title": "<script>window.__pwned = 1</script>Headline",
    "text": "<script>window.__pwned = 1</script>\n"
            "\"<img src=x onerror=\"window.__pwned=1\">It was a lie,\" said Mr <b onmouseover=alert(1)>Peskov</b>.\n"
            "The minister said <a href=\"javascript:alert(1)\">the report</a> was false.",
}


def valid(record, definition: str) -> None:
    validator = Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]})
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]
    assert not errors, errors


def web_store(folder: Path) -> str:
    """A SQLite store in ``folder`` holding the reference article and the hostile one; its URL."""
    url = f"sqlite:///{folder / 'web.db'}"
    with Store(url) as store:
        ingest([str(EXAMPLE)], store, published="2023-01-31", jobs=1)
        ingest([str(write_corpus(folder / "in", [HOSTILE]))], store, jobs=1)
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(url: str):
    """`quotegraph serve` over the store at ``url`` on a free loopback port: (its base URL, its process)."""
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "quotegraph.cli", "serve", "--db", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/api/documents", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("quotegraph serve did not start")
            time.sleep(0.2)
    try:
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return web_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(db):
    return TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def ids(client):
    docs = {d["name"]: d["id"] for d in client.get("/api/documents").json()}
    top = client.get("/api/entities").json()["named"]
    return {"seed": docs["kremlin-johnson-missile.txt"], "hostile": docs["hostile"],
            **{e["name"]: e["id"] for e in top}}


AUTH = {"authorization": f"Bearer {TOKEN}"}


# ---------------------------------------------------------------- reading

def test_documents(client, ids):
    listed = client.get("/api/documents").json()
    assert {d["name"] for d in listed} == {"kremlin-johnson-missile.txt", "hostile"}
    one = client.get(f"/api/documents/{ids['seed']}").json()
    assert_valid_document(one, EXAMPLE.read_text(encoding="utf-8"))
    assert len(one["statements"]) >= 16 and one["text"].startswith(EXAMPLE.read_text(encoding="utf-8")[:40])


def test_entities(client, ids):
    top = client.get("/api/entities", params={"top": 3}).json()
    assert top["named"][0]["name"] == "Boris Johnson" and len(top["named"]) == 3
    peskov = client.get(f"/api/entities/{ids['Dmitry Peskov']}").json()
    assert peskov["aliases"][0]["name"] == "Dmitry Peskov"
    said = client.get(f"/api/entities/{ids['Dmitry Peskov']}/statements").json()
    assert len(said) == peskov["statements"] >= 4
    for s in said:
        valid(s, "stored_statement")
    assert client.get("/api/entities", params={"name": "Peskov"}).json()["matches"][0]["id"] == ids["Dmitry Peskov"]


def test_disputes_and_search(client, ids):
    disputes = client.get("/api/disputes").json()
    assert disputes and all(valid(d, "dispute") is None for d in disputes)
    claims = client.get("/api/disputes/claims", params={"entity": ids["Boris Johnson"]}).json()
    assert claims and all(valid(g, "claim_group") is None for g in claims)
    assert ("Kremlin", "disputes") in {(r["statement"]["entity"]["name"], r["type"])
                                       for g in claims for r in g["responses"]}
    against_johnson = client.get("/api/disputes", params={"entity": ids["Boris Johnson"]}).json()
    assert {d["statement"]["entity"]["name"] for d in against_johnson} >= {"Dmitry Peskov", "Kremlin"}
    hits = client.get("/api/search", params={"q": "missiles", "speaker": ids["Dmitry Peskov"]}).json()
    assert hits and all(h["entity"]["name"] == "Dmitry Peskov" for h in hits)
    assert client.get("/api/search", params={"q": "missiles", "since": "2024"}).json() == []


@pytest.mark.parametrize("path, status", [
    ("/api/documents/999", 404), ("/api/entities/999", 404), ("/api/entities/999/statements", 404),
    ("/api/nothing-here", 404), ("/api/search", 422), ("/api/search?q=x&since=yesterday", 422),
    ("/api/documents?limit=0", 422), ("/api/search?q=x&kind=rumour", 422),
    ("/api/disputes?min_score=1.5", 422), ("/api/disputes/claims?min_score=high", 422),
    ("/api/disputes/claims?type=rumour", 422),
])
def test_errors_are_json_with_a_message(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text


def test_openapi_describes_every_endpoint(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ["/api/documents", "/api/documents/{document_id}", "/api/entities", "/api/entities/{entity_id}",
                 "/api/entities/{entity_id}/statements", "/api/disputes", "/api/disputes/claims", "/api/search",
                 "/api/claims", "/api/claims/{claim_id}",
                 "/api/analyze",
                 "/api/entities/{entity_id}/merge", "/api/entities/{entity_id}/split"]:
        assert path in paths, path
    assert client.get("/docs").status_code == 404  # the Swagger page would load scripts from a CDN


# ---------------------------------------------------------------- analysing and writing

def test_analyze_stores_nothing(client):
    before = client.get("/api/documents").json()
    text = "“We will not back down,” Finance Minister Clara Voss said on Tuesday."
    r = client.post("/api/analyze", json={"text": text, "published": "2024-03-12"})
    assert r.status_code == 200
    assert_valid_document(r.json(), text)
    assert r.json()["statements"][0]["said_on"] == "2024-03-12"
    assert client.get("/api/documents").json() == before


@pytest.mark.parametrize("body, says", [
    (b"{not json", "not valid JSON"),
    (b'{"published": "2024-01-01"}', "text: Field required"),
    (b'{"text": 42}', "text"),
    (b'{"text": "A said B.", "published": "yesterday"}', "YYYY-MM-DD"),
    (b"[]", "body"),
])
def test_malformed_requests_get_422_with_a_clear_message(client, body, says):
    r = client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert says in r.json()["error"], r.json()


def test_bodies_over_the_limit_get_413(db):
    small = TestClient(create_app(db, token=TOKEN, max_body=1000), raise_server_exceptions=False)
    big = json.dumps({"text": "x" * 2000})
    assert small.post("/api/analyze", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: counted while read
        for _ in range(5):
            yield b" " * 400

    r = small.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["error"]


def test_writing_needs_the_token(db, tmp_path):
    doc = {"text": "Police said two people were arrested after the match on Saturday.",
           "url": "https://news.example/match", "published": "2024-02-03", "title": "Two arrested"}
    client = TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False)
    assert client.post("/api/documents", json=doc).status_code == 401
    assert client.post("/api/documents", json=doc, headers={"authorization": "Bearer wrong"}).status_code == 401
    closed = TestClient(create_app(db), raise_server_exceptions=False)  # no token configured: no writing
    assert closed.post("/api/documents", json=doc, headers=AUTH).status_code == 403

    first = client.post("/api/documents", json=doc, headers=AUTH)
    assert first.status_code == 201 and first.json()["status"] == "new"
    count = len(client.get("/api/documents").json())
    again = client.post("/api/documents", json=doc, headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert len(client.get("/api/documents").json()) == count
    stored = client.get(f"/api/documents/{again.json()['id']}").json()
    assert stored["title"] == "Two arrested" and stored["key"] == doc["url"]


def test_merge_and_split_need_the_token(db, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(db.removeprefix("sqlite:///")).read_bytes())
    client = TestClient(create_app(f"sqlite:///{copy}", token=TOKEN), raise_server_exceptions=False)
    top = {e["name"]: e["id"] for e in client.get("/api/entities", params={"top": 50}).json()["named"]}
    a, b = top["Kremlin"], top["Dmitry Peskov"]
    assert client.post(f"/api/entities/{a}/merge", json={"other": b}).status_code == 401
    merged = client.post(f"/api/entities/{a}/merge", json={"other": b}, headers=AUTH)
    assert merged.status_code == 200 and {x["name"] for x in merged.json()["aliases"]} >= {"Kremlin", "Dmitry Peskov"}
    split = client.post(f"/api/entities/{a}/split", json={"name": "Dmitry Peskov"}, headers=AUTH)
    assert split.status_code == 200 and split.json()["name"] == "Dmitry Peskov"
    assert client.post(f"/api/entities/{a}/split", json={}, headers=AUTH).status_code == 422
    assert client.post(f"/api/entities/{a}/merge", json={"other": a}, headers=AUTH).status_code == 422


def test_private_server_needs_the_token_to_read(db):
    client = TestClient(create_app(db, token=TOKEN, private=True), raise_server_exceptions=False)
    assert client.get("/api/documents").status_code == 401
    assert client.get("/", headers={"accept": "text/html"}).status_code == 401
    assert client.get("/api/documents", headers=AUTH).status_code == 200
    assert client.post("/login", data={"token": "nope"}).status_code == 200  # the form again, with a message
    r = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
    assert client.get("/", headers={"accept": "text/html"}).status_code == 200  # the cookie now


def test_no_endpoint_returns_a_stack_trace(db, monkeypatch):
    from quotegraph.store import queries

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(queries, "list_documents", broken)
    client = TestClient(create_app(db), raise_server_exceptions=False)
    for accept in ("application/json", "text/html"):
        for path in ("/api/documents", "/"):
            r = client.get(path, headers={"accept": accept})
            assert r.status_code == 500
            assert "secret internals" not in r.text and "Traceback" not in r.text


# ---------------------------------------------------------------- pages

@pytest.mark.parametrize("path", ["/", "/documents/{seed}", "/entities/{Dmitry Peskov}", "/disputes",
                                  "/disputes?entity=Johnson", "/search?q=missiles&speaker=Peskov", "/analyse"])
def test_pages_render(client, ids, path):
    r = client.get(path.format(**ids), headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "<script src=\"/static/app.js\"" in r.text
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text), "a page must load nothing from elsewhere"


def test_article_page_highlights_every_statement(client, ids):
    doc = client.get(f"/api/documents/{ids['seed']}").json()
    page = client.get(f"/documents/{ids['seed']}").text
    marked = set(re.findall(r'<mark id="(s\d+)"', page))
    assert marked == {s["id"] for s in doc["statements"]}
    details = json.loads(re.search(r'<script type="application/json" id="statement-details">(.*?)</script>',
                                   page, re.S).group(1))
    assert details["s10"]["speaker"] == "Dmitry Peskov" and details["s10"]["cue"] == "said"
    assert any("disputes" in r for r in details["s10"]["relations"])


# ---------------------------------------------------------------- relation scores and claims

@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """A client over store_corpus.SCORED: Johnson's claim disputed by Peskov (0.9) and the Kremlin
    (0.35), Downing Street declining with no claim quoted (0.8), Ortiz's later claim disputed (0.7)."""
    url = scored_store(f"sqlite:///{tmp_path_factory.mktemp('scored') / 'scored.db'}")
    return TestClient(create_app(url), raise_server_exceptions=False)


def responders(groups) -> list[list[tuple]]:
    return [[(r["statement"]["entity"]["name"], r["score"]) for r in g["responses"]] for g in groups]


def test_api_disputes_carry_scores_and_take_min_score(scored):
    assert sorted(d["score"] for d in scored.get("/api/disputes").json()) == [0.35, 0.7, 0.9]
    strong = scored.get("/api/disputes", params={"min_score": 0.5}).json()
    assert sorted(d["score"] for d in strong) == [0.7, 0.9] and all(valid(d, "dispute") is None for d in strong)
    groups = scored.get("/api/disputes/claims").json()
    assert [g["claim"]["text"] if g["claim"] else None for g in groups][0] == "the talks had failed"
    assert [("Dmitry Peskov", 0.9), ("Kremlin", 0.35)] in responders(groups)
    assert [("Downing Street", 0.8)] in responders(g for g in groups if g["claim"] is None)
    assert sorted(responders(scored.get("/api/disputes/claims", params={"min_score": 0.5}).json())) == [
        [("Dmitry Peskov", 0.9)], [("Downing Street", 0.8)], [("Marcus Bell", 0.7)]]


def test_disputes_page_groups_by_claim_with_scores(scored):
    page = scored.get("/disputes").text
    groups = re.findall(r'<li class="claim-group">(.*?)</ul>\s*</li>', page, re.S)
    johnson = [g for g in groups if "Putin had threatened him" in g]
    assert len(groups) == 3 and len(johnson) == 1
    assert johnson[0].count('class="response rel-disputes"') == 2
    assert "score 0.90" in johnson[0] and "score 0.35" in johnson[0] and "a lie" in johnson[0]
    assert any("No claim quoted" in g and "Downing Street" in g and "declines to comment" in g for g in groups)
    assert 'class="edge' in page  # the graph of who disputes whom stays
    strong = scored.get("/disputes", params={"min_score": "0.5"}).text
    assert "score 0.90" in strong and "score 0.35" not in strong and 'value="0.5"' in strong
    kremlin = scored.get("/disputes", params={"entity": "Kremlin", "min_score": "0.3"}).text
    assert kremlin.count('class="claim-group"') == 1 and "score 0.35" in kremlin
    bad = scored.get("/disputes", params={"min_score": "very"})
    assert bad.status_code == 200 and "is not a score" in bad.text and 'class="claim-group"' not in bad.text


def test_article_page_shows_scores(scored):
    missile = next(d["id"] for d in scored.get("/api/documents").json() if d["name"] == "missile")
    page = scored.get(f"/documents/{missile}").text
    band = page[page.index('class="band"'):]
    assert "(0.90)" in band and "(0.35)" in band and "(0.80)" in band
    details = json.loads(re.search(r'id="statement-details">(.*?)</script>', page, re.S).group(1))
    assert details["s2"]["relations"] == ["disputes: Putin had threatened him with a missile (score 0.90)"]


def test_hostile_article_is_shown_as_text(client, ids):
    page = client.get(f"/documents/{ids['hostile']}").text
    assert "window.__pwned" in page  # the text is there ...
    assert "<script>window" not in page and "&lt;script&gt;window.__pwned" in page  # ... as text
    assert "<img" not in page and "<b onmouseover" not in page
    assert 'href="javascript:' not in page.lower()
    assert "javascript:alert(document.cookie)" in page  # the document's URL, shown, not linked
    analysed = client.post("/analyse", data={"text": HOSTILE["text"], "published": ""}).text
    assert "<script>window" not in analysed and "<img" not in analysed


def test_analyse_form(client):
    r = client.post("/analyse", data={"text": "“It was a lie,” Dmitry Peskov said.", "published": "2023-01-30"})
    assert r.status_code == 200 and '<mark id="s1"' in r.text and "not stored" in r.text
    bad = client.post("/analyse", data={"text": "x", "published": "30/01/2023"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text


def test_missing_pages_are_html_for_browsers(client):
    r = client.get("/documents/999", headers={"accept": "text/html"})
    assert r.status_code == 404 and "<h1>404</h1>" in r.text


def test_stylesheet_has_every_speaker_colour():
    from quotegraph.web.render import swatch_css

    css = (Path(__file__).parent.parent / "quotegraph" / "web" / "static" / "app.css").read_text(encoding="utf-8")
    assert swatch_css() in css
