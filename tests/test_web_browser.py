"""The pages in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), against
`quotegraph serve` on a free loopback port with a temporary SQLite store holding the reference article
and a hostile one. Screenshots of every page go to test-artifacts/ (not committed).

Skipped where Chromium or Playwright is missing; .ci/run installs both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from store_corpus import write_corpus  # noqa: E402
from test_web_api import HOSTILE, served, web_store  # noqa: E402

from quotegraph.ingest import ingest  # noqa: E402
from quotegraph.store import Store  # noqa: E402

CHROMIUM = os.environ.get("QUOTEGRAPH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("QUOTEGRAPH_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))
# Flags for a machine with no network and no sandbox for root (see the environment notes).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")

# A document that no line can hold: a 20,000-character word in statements that are disputed, a
# <script> title with a long word, and a long URL that is shown as text.
LONG_WORD = "x" * 20_000
WIDE = {"id": "wide", "published": "2023-05-02", "url": "javascript:" + "u" * 500,
        "title": HOSTILE["title"] + " " + "T" * 300,
        "text": f"Boris Johnson said Putin had threatened him with a {LONG_WORD} missile.\n"
                "The Kremlin denied the claim, saying it was a lie.\n"
                f"\"It was a {LONG_WORD} lie,\" Sergei Lavrov told reporters."}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import httpx

    folder = tmp_path_factory.mktemp("browser")
    url = web_store(folder)
    with Store(url) as store:
        ingest([str(write_corpus(folder / "wide", [WIDE]))], store, jobs=1)
    with served(url) as (base, _):
        documents = {d["name"]: d["id"] for d in httpx.get(base + "/api/documents").json()}
        yield {"base": base, "seed": documents["kremlin-johnson-missile.txt"], "hostile": documents["hostile"],
               "wide": documents["wide"]}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert page.errors == [], page.errors


def test_article_page(page, server):
    import httpx

    statements = httpx.get(f"{server['base']}/api/documents/{server['seed']}").json()["statements"]
    page.goto(f"{server['base']}/documents/{server['seed']}")
    assert page.locator("mark.st[id]").count() == len(statements)
    # one colour per speaker: the most quoted speakers' highlights differ in colour
    colours = page.evaluate("""() => [...document.querySelectorAll('.speakers .swatch')].slice(0, 6)
        .map(s => getComputedStyle(s).borderBottomColor)""")
    assert len(colours) == 6 and len(set(colours)) == 6, colours
    assert page.locator(".speakers li").first.inner_text().strip().startswith("Boris Johnson")
    # nested statements sit inside the statement that reports them
    assert page.evaluate("() => document.getElementById('s2').parentElement.closest('mark').id") == "s1"
    # hovering a statement shows its details
    page.hover("mark#s10")
    details = page.locator("#details")
    assert details.locator('[data-field="speaker"]').inner_text() == "Dmitry Peskov"
    assert details.locator('[data-field="cue"]').inner_text() == "said"
    assert "disputes" in details.locator('[data-field="relations"]').inner_text()
    assert details.locator('[data-field="said_on"]').inner_text() == "2023-01-30"
    # and so does reaching one with the keyboard
    page.focus("mark#s19")
    assert "Downing Street" in details.locator('[data-field="speaker"]').inner_text()
    assert "declines to comment" in details.locator('[data-field="relations"]').inner_text()
    assert page.locator(".band li").count() >= 8  # the disputes band


def test_article_page_at_phone_width(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{server['base']}/documents/{server['seed']}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 392
    page.focus("mark#s5")
    assert page.locator('#details [data-field="speaker"]').inner_text() == "Boris Johnson"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_article_page_at_phone_width.png"))
    context.close()


def test_entity_page(page, server):
    page.goto(f"{server['base']}/")
    page.click("text=Dmitry Peskov")
    assert page.locator("h1").inner_text() == "Dmitry Peskov"
    assert page.locator("ol.timeline li").count() >= 4
    assert page.locator("ul.disputes li.dispute").count() >= 1


def test_disputes_page(page, server):
    page.goto(f"{server['base']}/disputes")
    assert page.locator("li.claim-group li.response").count() >= 4
    claims = page.locator("li.claim-group > .claim .who").all_inner_texts()
    assert "Boris Johnson" in claims  # each claim once, its responses beneath it
    johnson = page.locator("li.claim-group").filter(has=page.locator(".claim .who", has_text="Boris Johnson"))
    # Johnson makes several claims; the Kremlin answers one of them
    assert "Kremlin" in johnson.locator("li.response .who").all_inner_texts()
    assert johnson.locator("li.response .score").first.inner_text().startswith("score ")
    assert page.locator("svg.graph line.edge").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_disputes_page_all.png"), full_page=True)
    page.fill("#entity", "Kremlin")
    page.press("#entity", "Enter")
    page.wait_for_url("**/disputes?entity=Kremlin*")
    groups = page.locator("li.claim-group").all()
    assert groups and all("Kremlin" in g.locator(".claim").inner_text() or
                          all("Kremlin" in who for who in g.locator("li.response .who").all_inner_texts())
                          for g in groups)
    page.fill("#min_score", "1")
    page.press("#min_score", "Enter")
    page.wait_for_url("**min_score=1*")
    assert all(float(t.split()[-1]) >= 1 for t in page.locator("li.response .score").all_inner_texts())


def test_search_page(page, server):
    page.goto(f"{server['base']}/search")
    page.fill("#q", "missiles")
    page.fill("#speaker", "Peskov")
    page.click("button[type=submit]")
    page.wait_for_selector("ol.results li")
    results = page.locator("ol.results li")
    assert results.count() >= 1
    assert all("missile" in t.lower() for t in results.all_inner_texts())


def test_claim_pages(page, server):
    page.goto(f"{server['base']}/")
    page.click("nav >> text=Claims")
    page.wait_for_url("**/claims")
    page.locator("li.claim-summary a.claim-text").first.click()
    page.wait_for_url("**/claims/*")
    assert page.locator("h1").inner_text().startswith("Claim #")
    assert page.locator("ol.events li.event").count() >= 1
    # a statement's details on its article page link to its claim
    page.goto(f"{server['base']}/documents/{server['seed']}")
    page.hover("mark#s10")
    link = page.locator('#details [data-field="claim"] a')
    assert link.inner_text().startswith("claim #")
    link.click()
    page.wait_for_url("**/claims/*")
    assert "Dmitry Peskov" in page.locator("dd.speakers").inner_text()
    page.locator("li.event a.where").first.click()  # and the claim's timeline back to the article
    page.wait_for_url(f"**/documents/{server['seed']}#s10")


def test_analyse_form(page, server):
    page.goto(f"{server['base']}/analyse")
    page.fill("#text", "“We have made a fair offer,” the transport minister, Helen Ortiz, said on Wednesday.\n"
                       "The union disputed her account, saying no offer had been made.")
    page.fill("#published", "2024-03-13")
    page.click("button[type=submit]")
    page.wait_for_selector("mark.st")
    assert "not stored" in page.locator(".meta").first.inner_text()
    page.hover("mark#s1")
    assert page.locator('#details [data-field="speaker"]').inner_text() == "Helen Ortiz"
    assert page.locator('#details [data-field="said_on"]').inner_text() == "2024-03-13"


def test_hostile_article_runs_nothing(page, server):
    page.goto(f"{server['base']}/documents/{server['hostile']}")
    for mark in page.locator("mark.st").all():
        mark.hover()
    page.locator("text=the report").first.click()
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    assert "<script>window.__pwned = 1</script>" in page.locator("#text").inner_text()
    assert page.locator("#text img, #text a, #text b, #text script").count() == 0
    assert page.url.startswith(server["base"])


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_scrolls_sideways(browser, server, width):
    import httpx

    base = server["base"]
    johnson = httpx.get(f"{base}/api/entities", params={"name": "Boris Johnson"}).json()["matches"][0]["id"]
    claims = httpx.get(f"{base}/api/claims", params={"limit": 0}).json()
    wide_claims = [c["id"] for c in claims if LONG_WORD[:100] in c["text"]]  # the 20,000-character word's
    assert wide_claims
    paths = ["/", *(f"/documents/{server[d]}" for d in ("seed", "hostile", "wide")), f"/entities/{johnson}",
             "/disputes", "/disputes?entity=Kremlin", "/search?q=threatened", "/analyse", "/login", "/documents/999999",
             "/claims", "/claims?disputed=1", f"/claims/{claims[0]['id']}", *(f"/claims/{i}" for i in wide_claims)]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    wide = {}
    for path in paths:
        page.goto(base + path)
        wide[path] = page.evaluate("() => document.documentElement.scrollWidth")
    page.goto(base + "/analyse")  # a pasted article: the analyse form's answer
    page.fill("#text", WIDE["text"])
    page.click("button[type=submit]")
    page.wait_for_selector("mark.st")
    wide["/analyse (answer)"] = page.evaluate("() => document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/documents/{server['wide']}")
    page.screenshot(path=str(ARTIFACTS / f"test_no_page_scrolls_sideways_{width}.png"))
    context.close()
    assert {path: w for path, w in wide.items() if w > width} == {}
