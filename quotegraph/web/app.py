"""The web app: pages and a JSON API over the store (``quotegraph serve``).

    from quotegraph.web import create_app
    app = create_app("quotegraph.db", token="…")      # any ASGI server; `quotegraph serve` uses uvicorn
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..store import Store
from . import api, pages
from .analysis import AnalysisWorkers, OpenLimits
from .render import templates
from .security import DEFAULT_MAX_BODY, Guard, LoginThrottle, check_private

HERE = Path(__file__).parent
log = logging.getLogger("quotegraph.web")


def create_app(db: str | None = None, *, token: str | None = None, private: bool = False,
               max_body: int = DEFAULT_MAX_BODY, open_limits: OpenLimits = OpenLimits()) -> Guard:
    """The ASGI app. ``token`` allows writing (and reading, when ``private``); ``open_limits`` bound the
    analyses of requests without it. Raises ConfigError for a private app with no token."""
    check_private(token, private)
    app = FastAPI(title="quotegraph", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
                  lifespan=_lifespan,
                  description="Who said what, about whom, when - and who disputes it. Shapes: the output "
                              "contract (quotegraph/schema/analysis.schema.json).")
    app.state.store = Store(db)
    app.state.token = token or None
    app.state.private = private
    app.state.analysis_workers = AnalysisWorkers(open_limits)
    app.state.login_throttle = LoginThrottle()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
    return Guard(app, max_body=max_body)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.analysis_workers.close()


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, details=None, headers=None):
    if _wants_html(request):
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=headers)
    body = {"error": message} | ({"details": details} if details else {})
    return JSONResponse(body, status_code=status, headers=headers)


async def _http_error(request: Request, exc: HTTPException):
    return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)  # e.g. Retry-After


async def _invalid_request(request: Request, exc: RequestValidationError):
    problems = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        if e.get("type") == "json_invalid":
            problems.append("the request body is not valid JSON")
        else:
            problems.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
    return _error(request, 422, "; ".join(dict.fromkeys(problems)) or "invalid request",
                  [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()])


async def _unexpected(request: Request, exc: Exception):
    log.exception("error serving %s", request.url.path)  # the trace goes to the log, never to the client
    return _error(request, 500, "internal error")


def serve(db: str | None, host: str, port: int, private: bool = False, max_body: int = DEFAULT_MAX_BODY) -> None:
    import os

    import uvicorn

    app = create_app(db, token=os.environ.get("QUOTEGRAPH_TOKEN"), private=private, max_body=max_body)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
