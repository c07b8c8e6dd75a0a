"""The web app's guards: request size, write (and optionally read) tokens, and safe response headers."""

from __future__ import annotations

import hmac
import json
import math
import time
from collections import deque

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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _matches(request: Request, given: str | None) -> bool:
    expected = request.app.state.token
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer_matches(request: Request) -> bool:
    """The token came as ``Authorization: Bearer``: what writing, and analysis beyond the open limits, need.
    A browser cannot be made to send this header from another site, as it can a cookie."""
    return _matches(request, _bearer(request))


def token_matches(request: Request) -> bool:
    """The token came as a bearer header or as the login cookie: enough to read a private server."""
    return _matches(request, _bearer(request) or request.cookies.get(TOKEN_COOKIE))


def check_private(token: str | None, private: bool) -> None:
    """A private server needs a token, or nobody could read it."""
    if private and not token:
        raise ConfigError("a private server needs a token: set QUOTEGRAPH_TOKEN, or serve without --private")


class ConfigError(ValueError):
    """A server that could not be used as configured; the message says what to change."""


def require_writer(request: Request) -> None:
    """Dependency of every endpoint that changes the store: the bearer token only, never the login
    cookie, so that no page of another site can write through a logged-in browser."""
    if not request.app.state.token:
        raise HTTPException(403, "writing is switched off: start the server with QUOTEGRAPH_TOKEN set")
    if not bearer_matches(request):
        raise HTTPException(401, "a valid token is needed: send 'Authorization: Bearer TOKEN' "
                                 "(the login cookie lets you read, not write)")


def require_reader(request: Request) -> None:
    """Dependency of every reading endpoint and page: open unless the server was started --private."""
    if request.app.state.private and not token_matches(request):
        raise HTTPException(401, "this server is private: send 'Authorization: Bearer TOKEN' or log in at /login")


class LoginThrottle:
    """Failed log-ins per client address: past ``attempts`` within ``window`` seconds, every log-in from
    that address is refused (429) until the oldest failure is ``window`` seconds old, so the token
    cannot be guessed at the speed of the server. Kept in memory: a restart forgets it."""

    MAX_CLIENTS = 10_000  # beyond this many addresses, those with no recent failure are forgotten

    def __init__(self, attempts: int = 10, window: float = 60.0, clock=time.monotonic):
        self.attempts, self.window, self.clock = attempts, window, clock
        self._failures: dict[str, deque[float]] = {}

    def wait(self, client: str) -> int:
        """Seconds until ``client`` may try again; 0 when it may now."""
        failures = self._recent(client)
        if len(failures) < self.attempts:
            return 0
        return max(1, math.ceil(failures[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        if len(self._failures) >= self.MAX_CLIENTS:
            for other in list(self._failures):
                self._recent(other)
        self._failures.setdefault(client, deque(maxlen=self.attempts)).append(self.clock())

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.get(client, deque())
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(client, None)
        return failures
