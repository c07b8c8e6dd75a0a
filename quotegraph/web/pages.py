"""The pages: server-rendered HTML, one small script for the statement details, no CDN."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ..inputs import InputError, check_period, check_published, check_score
from ..store import Filters, claim_queries, queries
from . import render
from .render import templates
from .analysis import analysis
from .params import AtLeastOne, StoredId, or_404
from .security import TOKEN_COOKIE, require_reader

router = APIRouter()
reading = [Depends(require_reader)]


def _page(request: Request, name: str, status_code: int = 200, **context):
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def safe_link(url: str | None) -> str | None:
    """Only web links become links: a document's ``javascript:`` or ``data:`` URL stays text."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _spread_claims(conn, statements) -> None:
    """Gives each stored statement on a page ``claim_spread``, how widely its claim is reported (for the
    link to it, macros.claim_link): one query for the page."""
    statements = [s for s in statements if s]
    spread = claim_queries.claim_spread(conn, {s["claim"] for s in statements})
    for s in statements:
        s["claim_spread"] = spread.get(s["claim"])


def _article_context(record: dict, text: str, claims: dict[str, dict] | None = None) -> dict:
    """What the article page shows; ``claims``: the claim each statement reports (a stored article)."""
    swatches = render.speaker_swatches(record)
    canonical = {e["id"]: e.get("canonical") for e in record["entities"]}
    statements = {s["id"]: s for s in record["statements"]}
    names = {e["id"]: e["name"] for e in record["entities"]}
    claims = claims or {}
    details = render.statement_details(record)
    for sid, d in details.items():
        d["claim"] = claims.get(sid)
    shared = [{"statement": s, "speaker": names.get(s["speaker"]), "claim": claims[s["id"]]}
              for s in record["statements"] if s["id"] in claims and claims[s["id"]]["documents"] > 1]
    relations = [{"type": r["type"], "words": render.RELATION_WORDS.get(r["type"], r["type"]), "score": r["score"],
                  "from": statements[r["from"]], "to": statements.get(r["to"]),
                  "from_name": names.get(statements[r["from"]]["speaker"], "someone"),
                  "to_name": names.get((statements.get(r["to"]) or {}).get("speaker"))}
                 for r in record["relations"] if r["from"] in statements]
    return {"body": render.highlighted(text, record, swatches),
            "speakers": render.speakers_panel(record, swatches, canonical),
            "details": details, "relations": relations, "shared": shared,
            "statement_count": len(record["statements"])}


@router.get("/", dependencies=reading)
def home(request: Request):
    with request.app.state.store.engine.connect() as conn:
        docs = queries.list_documents(conn, 100)
        top = queries.top_entities(conn, 15)
    return _page(request, "home.html", documents=docs, top=top)


@router.get("/documents/{document_id}", dependencies=reading)
def article(request: Request, document_id: StoredId):
    with request.app.state.store.engine.connect() as conn:
        record = or_404(queries.document(conn, document_id), f"document {document_id}")
        claims = claim_queries.document_claims(conn, document_id)
    return _page(request, "article.html", doc=record, link=safe_link(record["url"]), stored=True,
                 **_article_context(record, record["text"], claims))


ENTITY_CLAIMS = 20  # the entity page lists its most reported claims; the claims page has them all


@router.get("/entities/{entity_id}", dependencies=reading)
def entity(request: Request, entity_id: StoredId):
    with request.app.state.store.engine.connect() as conn:
        found = or_404(queries.entity(conn, entity_id), f"entity #{entity_id}")
        said = queries.said(conn, entity_id)
        disputes = queries.disputes(conn, entity_id, limit=None)
        claims = claim_queries.find_claims(conn, claim_queries.ClaimFilters(entity=entity_id, limit=ENTITY_CLAIMS))
        _spread_claims(conn, said + [d["statement"] for d in disputes] + [d["claim"] for d in disputes])
    by_them = [d for d in disputes if (d["statement"]["entity"] or {}).get("id") == entity_id]
    of_them = [d for d in disputes if ((d["claim"] or {}).get("entity") or {}).get("id") == entity_id]
    return _page(request, "entity.html", entity=found, said=said, by_them=by_them, of_them=of_them, claims=claims,
                 claims_shown=ENTITY_CLAIMS)


@router.get("/disputes", dependencies=reading)
def disputes(request: Request, entity: str | None = None, min_score: str = ""):
    chosen, problem, groups = None, None, []
    try:
        threshold = check_score(min_score, "the minimum score")
    except InputError as e:
        problem, threshold = str(e), None
    with request.app.state.store.engine.connect() as conn:
        if entity:
            matches = queries.find_entities(conn, entity)
            chosen = matches[0] if matches else None
        if not problem and (chosen or not entity):
            filters = queries.RelationFilters(min_score=threshold, entity=chosen["id"] if chosen else None)
            groups = queries.claim_groups(conn, filters, limit=200)
            _spread_claims(conn, [g["claim"] for g in groups] + [r["statement"] for g in groups
                                                                  for r in g["responses"]])
    return _page(request, "disputes.html", groups=groups, entity=entity or "", chosen=chosen, min_score=min_score,
                 problem=problem, graph=render.dispute_graph(groups))


CLAIMS_SHOWN = 100  # the claims page shows the most reported; GET /api/claims?limit=0 gives them all
REPORTS_CHOICES = (1, 2, 3, 5, 10)  # the claims page's "reported at least" choices


@router.get("/claims", dependencies=reading)
def claims(request: Request, disputed: bool = False, min_reports: AtLeastOne = 1, entity: StoredId | None = None):
    filters = claim_queries.ClaimFilters(entity=entity, disputed=disputed, min_reports=min_reports, limit=CLAIMS_SHOWN)
    with request.app.state.store.engine.connect() as conn:
        chosen = or_404(queries.entity(conn, entity), f"entity #{entity}") if entity is not None else None
        found = claim_queries.find_claims(conn, filters)
    choices = sorted({*REPORTS_CHOICES, min_reports})  # a number from a link, not the form, stays chosen
    return _page(request, "claims.html", claims=found, disputed=disputed, min_reports=min_reports, choices=choices,
                 chosen=chosen, shown=CLAIMS_SHOWN)


def _outlets(record: dict) -> list[dict]:
    """The articles that report a claim, each once with its first report, in the order they reported it."""
    first: dict[int, dict] = {}
    for r in record["reports"]:
        first.setdefault(r["document"]["stored_id"], r)
    return list(first.values())


@router.get("/claims/{claim_id}", dependencies=reading)
def claim(request: Request, claim_id: StoredId):
    with request.app.state.store.engine.connect() as conn:
        record = or_404(claim_queries.claim(conn, claim_id), f"claim #{claim_id}")
    disputes = sum(r["type"] == "disputes" for r in record["responses"])
    return _page(request, "claim.html", claim=record, outlets=_outlets(record), events=claim_queries.timeline(record),
                 disputes=disputes)


@router.get("/search", dependencies=reading)
def search(request: Request, q: str = "", speaker: str = "", since: str = "", until: str = "", kind: str = ""):
    form = {"q": q, "speaker": speaker, "since": since, "until": until, "kind": kind}
    results, problem = [], None
    if q.strip():
        with request.app.state.store.engine.connect() as conn:
            try:
                speaker_id = None
                if speaker.strip():
                    matches = queries.find_entities(conn, speaker)
                    if not matches:
                        raise InputError(f"no speaker matches {speaker!r}")
                    speaker_id = matches[0]["id"]
                filters = Filters(query=q, speaker=speaker_id, since=check_period(since or None, "since"),
                                  until=check_period(until or None, "until"),
                                  kind=kind if kind in ("direct", "indirect", "mixed") else None, limit=100)
                results = queries.search(conn, filters)
                _spread_claims(conn, results)
            except InputError as e:
                problem = str(e)
    return _page(request, "search.html", form=form, results=results, problem=problem)


def _analyse_form(request: Request, text: str = "", published: str = "", problem: str | None = None,
                  status_code: int = 200):
    return _page(request, "analyse.html", status_code, text=text, published=published, problem=problem,
                 max_chars=request.app.state.analysis_workers.limits.chars)


@router.get("/analyse", dependencies=reading)
def analyse_form(request: Request):
    return _analyse_form(request)


@router.post("/analyse", dependencies=reading)
async def analyse(request: Request, text: str = Form(""), published: str = Form("")):
    try:
        analysed = await analysis(request, text, check_published(published or None), "pasted")
    except InputError as e:
        return _analyse_form(request, text, published, str(e))
    except HTTPException as e:  # beyond the open limits: the form again, with the text, and why
        return _analyse_form(request, text, published, e.detail, e.status_code)
    record = analysed | {"title": "Pasted article", "text": text, "url": None, "source": None, "author": None}
    return _page(request, "article.html", doc=record, link=None, stored=False, **_article_context(record, text))


@router.get("/login")
def login_form(request: Request):
    return _page(request, "login.html", problem=None)


@router.post("/login")
def login(request: Request, token: str = Form("")):
    import hmac

    throttle, client = request.app.state.login_throttle, request.client.host if request.client else "unknown"
    wait = throttle.wait(client)
    if wait:
        raise HTTPException(429, f"too many failed log-ins from this address: try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    expected = request.app.state.token or ""
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        throttle.failed(client)
        return _page(request, "login.html", problem="that token is not right")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
    return response
