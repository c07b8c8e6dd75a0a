"""The web app against careless and hostile clients (issue 13): integers no store can hold, analysis
without the token (length, time and memory bounds, a client that leaves), log-ins, the login cookie,
re-posted documents. On both back ends where the store is involved."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from store_corpus import ARTICLES, write_corpus
from test_store import empty_store_url
from test_web_api import free_port, served

from quotegraph.ingest import ingest
from quotegraph.store import Store
from quotegraph.web import create_app
from quotegraph.web.analysis import OpenLimits
from quotegraph.store.queries import MAX_COUNT, MAX_ID
from quotegraph.web.security import ConfigError

TOKEN = "s3cret-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
HTML = {"accept": "text/html"}
# The quote-dense sentence: every 107 characters, two statements and a dispute.
DENSE = '"The plan is working," the minister said on Monday. Critics disputed that claim, saying it was "nonsense". '


def dense(chars: int) -> str:
    return (DENSE * (chars // len(DENSE) + 1))[:chars]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory):
    """A store holding two of the made-up articles, on each back end."""
    url = empty_store_url(request.param, tmp_path_factory.mktemp("hardening") / "store.db")
    with Store(url) as store:
        ingest([str(write_corpus(tmp_path_factory.mktemp("in"), ARTICLES[:2]))], store, jobs=1)
    return url


@pytest.fixture(scope="module")
def client(store_url):
    return TestClient(create_app(store_url, token=TOKEN), raise_server_exceptions=False)


# ---------------------------------------------------------------- integers no store can hold

def integer_parameters(client) -> list[tuple[str, str, str, str, int | None]]:
    """(method, path, name, where, maximum) for every integer path and query parameter of every route,
    API and pages alike, as the OpenAPI description lists them: a route added later is covered too."""
    found = []
    for path, operations in client.get("/api/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for p in operation.get("parameters", []):
                schema = next((s for s in [p["schema"], *p["schema"].get("anyOf", [])] if s.get("type") == "integer"),
                              None)
                if schema:
                    found.append((method, path, p["name"], p["in"], schema.get("maximum")))
    return found


def ask(client, method: str, path: str, name: str, where: str, value: int):
    """One request with ``value`` in parameter ``name``, and harmless values everywhere else."""
    path = path.replace("{" + name + "}", str(value)) if where == "path" else path
    path = path.replace("{document_id}", "1").replace("{entity_id}", "1")
    params = {"q": "missile"} | ({name: value} if where == "query" else {})
    body = {"merge": {"other": 2}, "split": {"name": "Peskov"}}.get(path.rsplit("/", 1)[-1])
    return client.request(method, path, params=params, json=body, headers=AUTH | HTML)


def test_every_integer_parameter_is_bounded(client):
    listed = integer_parameters(client)
    assert {(m, p) for m, p, *_ in listed} >= {("get", "/documents/{document_id}"), ("get", "/api/search"),
                                              ("post", "/api/entities/{entity_id}/merge")}
    unbounded = [f"{m} {p} {name}" for m, p, name, _, most in listed if most is None or most > MAX_COUNT]
    assert not unbounded, f"no maximum the store can hold: {unbounded}"
    wrong = []
    for method, path, name, where, most in listed:
        for value in [most + 1, 10**23, -1, 0, most]:  # the maximum itself must work on either back end
            r = ask(client, method, path, name, where, value)
            refused = r.status_code == 404 or (r.status_code == 422 and name in r.text)
            if r.status_code >= 500 or (value > most and not refused):
                wrong.append(f"{method} {path} {name}={value}: {r.status_code} {r.text[:120]}")
    assert not wrong, "\n".join(wrong)


def test_integers_in_bodies_are_bounded(client):
    for path, body in [("/api/entities/1/merge", {"other": 10**23}), ("/api/entities/1/split", {"document": 10**23}),
                       ("/api/entities/1/split", {"document": -1})]:
        r = client.post(path, json=body, headers=AUTH)
        assert r.status_code == 422 and next(iter(body)) in r.json()["error"], (path, body, r.text)


@pytest.mark.parametrize("path", ["/api/entities?name=%23{}", "/disputes?entity=%23{}", "/search?q=said&speaker=%23{}",
                                  "/search?q=said&speaker={}", "/search?q=said&speaker=%C2%B2"])
@pytest.mark.parametrize("number", [MAX_ID + 1, 10**23])
def test_an_entity_id_no_store_can_hold_matches_nothing(client, path, number):
    r = client.get(path.format(number), headers=HTML)
    assert r.status_code == 200, r.text[:300]
    assert '"matches":[]' in r.text or "No entity matches" in r.text or "no speaker matches" in r.text


# ---------------------------------------------------------------- writing, the login cookie, log-ins

def test_an_unchanged_document_is_200_a_new_one_201(client):
    doc = {"text": "Police said two people were arrested after the match on Saturday.",
           "url": "https://news.example/hardening-match", "published": "2024-02-03"}
    first = client.post("/api/documents", json=doc, headers=AUTH)
    assert (first.status_code, first.json()["status"]) == (201, "new")
    again = client.post("/api/documents", json=doc, headers=AUTH)
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    changed = client.post("/api/documents", json=doc | {"text": doc["text"] + " Nobody was hurt."}, headers=AUTH)
    assert (changed.status_code, changed.json()["status"]) == (200, "updated")


@pytest.mark.parametrize("q", ["NOT", "-council", "OR AND", 'a ' * 5_001])
def test_a_search_with_nothing_to_find_is_a_422_with_the_reason(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 422, r.text
    assert r.json()["error"]


def test_the_login_cookie_reads_but_does_not_write(store_url):
    browser = TestClient(create_app(store_url, token=TOKEN, private=True), raise_server_exceptions=False)
    assert browser.post("/login", data={"token": TOKEN}, follow_redirects=False).status_code == 303
    assert browser.get("/api/documents").status_code == 200
    doc = {"text": "The mayor said the bridge would reopen in May.", "url": "https://news.example/cookie"}
    refused = browser.post("/api/documents", json=doc)
    assert refused.status_code == 401 and "cookie" in refused.json()["error"]
    assert browser.post("/api/entities/1/merge", json={"other": 2}).status_code == 401


def test_failed_log_ins_are_limited(tmp_path):
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'x.db'}", token=TOKEN), raise_server_exceptions=False)
    for _ in range(10):
        assert client.post("/login", data={"token": "guess"}).status_code == 200  # the form, "not right"
    locked = client.post("/login", data={"token": TOKEN}, headers=HTML)  # even the right one, for now
    assert locked.status_code == 429 and "try again in" in locked.text and int(locked.headers["retry-after"]) <= 60


def test_failed_log_ins_are_forgotten_after_a_minute():
    from quotegraph.web.security import LoginThrottle

    now = [1000.0]
    throttle = LoginThrottle(attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == 60 and throttle.wait("10.0.0.2") == 0
    now[0] += 59.5
    assert throttle.wait("10.0.0.1") == 1
    now[0] += 1
    assert throttle.wait("10.0.0.1") == 0


def test_a_private_server_needs_a_token(tmp_path):
    with pytest.raises(ConfigError, match="QUOTEGRAPH_TOKEN"):
        create_app(f"sqlite:///{tmp_path / 'x.db'}", private=True)
    env = {k: v for k, v in os.environ.items() if k != "QUOTEGRAPH_TOKEN"}
    run = subprocess.run([sys.executable, "-m", "quotegraph.cli", "serve", "--private", "--db",
                          f"sqlite:///{tmp_path / 'x.db'}", "--port", str(free_port())],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "QUOTEGRAPH_TOKEN" in run.stderr, run.stderr


# ---------------------------------------------------------------- analysis without the token

@pytest.fixture(scope="module")
def open_client(tmp_path_factory):
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('open') / 'x.db'}", token=TOKEN,
                     open_limits=OpenLimits(seconds=0.2))
    yield TestClient(app, raise_server_exceptions=False)
    app.app.state.analysis_workers.close()


def test_a_long_text_without_the_token_is_refused_at_once(client):
    started = time.monotonic()
    r = client.post("/api/analyze", json={"text": dense(2**20)})
    assert r.status_code == 413 and "100,000 characters" in r.json()["error"]
    page = client.post("/analyse", data={"text": dense(200_000)}, headers=HTML)  # Starlette stops forms at 1 MB
    assert page.status_code == 413 and "100,000 characters" in page.text and "<form" in page.text
    assert time.monotonic() - started < 10


def test_the_token_lifts_the_open_limits(tmp_path):
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'x.db'}", token=TOKEN, open_limits=OpenLimits(chars=100)))
    text = "“We will not back down,” Finance Minister Clara Voss said on Tuesday. " * 2  # 144 characters
    refused = client.post("/api/analyze", json={"text": text})
    assert refused.status_code == 413 and "up to 100 characters" in refused.json()["error"]
    r = client.post("/api/analyze", json={"text": text}, headers=AUTH)
    assert r.status_code == 200 and len(r.json()["statements"]) == 2


def test_an_analysis_without_the_token_has_a_time_limit(open_client):
    slow = open_client.post("/api/analyze", json={"text": dense(50_000)})  # about 2 s of analysis
    assert slow.status_code == 503 and "longer than 0.2 s" in slow.json()["error"]
    # the worker that ran out of time was replaced: the next text is analysed
    text = "“We will not back down,” Finance Minister Clara Voss said on Tuesday."
    quick = open_client.post("/api/analyze", json={"text": text, "published": "2024-03-13"})
    assert quick.status_code == 200 and quick.json()["statements"][0]["said_on"] == "2024-03-12"


def test_what_cannot_be_analysed_is_said_as_before(open_client):
    r = open_client.post("/api/analyze", json={"text": "A said B.", "published": "yesterday"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["error"]


# ---------------------------------------------------------------- a real server: a client that leaves, memory

class TreeMemory(threading.Thread):
    """Samples the resident memory of a process and its children every 20 ms; ``peak`` in bytes."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.process, self.peak, self.running = psutil.Process(pid), 0, True

    def total(self) -> int:
        import psutil

        total = 0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.total())
            time.sleep(0.02)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("psutil")
    with served(f"sqlite:///{tmp_path_factory.mktemp('served') / 'x.db'}") as (base, proc):
        memory = TreeMemory(proc.pid)
        memory.start()
        yield {"base": base, "pid": proc.pid, "memory": memory}
        memory.running = False


def _workers(server) -> set[int]:
    """The server's running analysis workers (not multiprocessing's resource tracker, nor one killed a
    moment ago and not yet reaped)."""
    import psutil

    def is_worker(p) -> bool:
        try:
            return p.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(p.cmdline())
        except psutil.Error:  # gone, or a zombie, between the listing and the look
            return False

    return {p.pid for p in psutil.Process(server["pid"]).children() if is_worker(p)}


@pytest.mark.slow
def test_a_megabyte_without_the_token_is_refused_quickly_and_memory_stays_small(server):
    import httpx

    started = time.monotonic()
    r = httpx.post(server["base"] + "/api/analyze", json={"text": dense(2**20)}, timeout=60)
    assert r.status_code == 413 and "100,000" in r.json()["error"] and time.monotonic() - started < 10
    # the longest text allowed, at its most quote-dense, is analysed within the limits
    r = httpx.post(server["base"] + "/api/analyze", json={"text": dense(100_000)}, timeout=120)
    assert r.status_code == 200 and len(r.json()["statements"]) > 2500
    assert server["memory"].peak < 2**30, f"the server used {server['memory'].peak / 2**20:.0f} MB"


def test_an_analysis_is_abandoned_when_its_client_leaves(server):
    import httpx

    assert httpx.post(server["base"] + "/api/analyze", json={"text": "“Yes,” he said."}, timeout=60).status_code == 200
    before = _workers(server)
    assert len(before) == 1
    with pytest.raises(httpx.TimeoutException):  # the client gives up long before the analysis ends
        httpx.post(server["base"] + "/api/analyze", json={"text": dense(100_000)}, timeout=0.5)
    deadline = time.monotonic() + 3
    while before & _workers(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not before & _workers(server), "the worker analysing for a client that left was not stopped"
    assert server["memory"].peak < 2**30
