"""The web app's guards: request size, write (and optionally read) tokens, and safe response headers."""

from __future__ import annotations

import hmac
import json

from fastapi import HTTPException, Request

DEFAULT_MAX_BODY = 5 * 2**20
TOKEN_COOKIE = "quotegraph_token"

# No inline scripts or styles, nothing from elsewhere: a document's text can never run in the page.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


class Guard:
    """ASGI middleware: refuses bodies over ``max_body`` with 413 (by Content-Length, and while reading
    for bodies sent without one), and adds the security headers to every response."""

    def __init__(self, app, max_body: int = DEFAULT_MAX_BODY):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await _too_large(send, self.max_body)
        seen = 0
        too_large = False

        async def limited_receive():
            # Past the limit the app is told the body ended; its answer is then replaced by a 413.
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    too_large = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message):
            if too_large:
                if message["type"] == "http.response.start":
                    await _too_large(send, self.max_body)
                return
            if message["type"] == "http.response.start":
                message = dict(message, headers=[*message.get("headers", []), *HEADERS])
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"error": f"request body too large: the limit is {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _given_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def token_matches(request: Request) -> bool:
    expected = request.app.state.token
    given = _given_token(request)
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())


def require_writer(request: Request) -> None:
    """Dependency of every endpoint that changes the store."""
    if not request.app.state.token:
        raise HTTPException(403, "writing is switched off: start the server with QUOTEGRAPH_TOKEN set")
    if not token_matches(request):
        raise HTTPException(401, "a valid token is needed: send 'Authorization: Bearer TOKEN'")


def require_reader(request: Request) -> None:
    """Dependency of every reading endpoint and page: open unless the server was started --private."""
    if request.app.state.private and not token_matches(request):
        raise HTTPException(401, "this server is private: send 'Authorization: Bearer TOKEN' or log in at /login")
