"""Safe-by-default HTTP: security headers, CORS allow-list, rate limiting, and an access log that
never records query strings, and a request body limit.

The middlewares are plain ASGI so that they also guard requests that never reach a route
(413 before the body is read, 429 before any work). FastAPI's own `max_body_size` answers in
plain text and signals through exceptions that other middlewares must let pass, so the limit is
kept here. Rate limiting is a small in-process token
bucket per client address rather than slowapi: the API runs as one process (embedded Qdrant
allows one), so there is no shared store to coordinate, and a middleware limits every /api
route without decorating each endpoint.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from veiviser.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_logger = logging.getLogger("veiviser.api.access")

# The API documentation pages load Swagger UI / ReDoc from a CDN with inline start-up scripts.
_DOCS_PATHS = ("/docs", "/redoc")
_DOCS_SOURCES = "https://cdn.jsdelivr.net"


def content_security_policy(settings: Settings, docs: bool = False) -> str:
    ancestors = " ".join(settings.frame_ancestors) if settings.frame_ancestors else "'none'"
    if docs:
        script = f"script-src 'self' 'unsafe-inline' {_DOCS_SOURCES}; style-src 'self' 'unsafe-inline' {_DOCS_SOURCES}"
        img = f"img-src 'self' data: https://fastapi.tiangolo.com {_DOCS_SOURCES}"
    else:
        script, img = "script-src 'self'; style-src 'self'", "img-src 'self' data:"
    return (
        f"default-src 'self'; {script}; {img}; connect-src 'self'; object-src 'none'; "
        f"base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
                    ) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *(headers or []),
        ],
    })
    await send({"type": "http.response.body", "body": payload})


class HttpMiddleware:
    """Base of the ASGI middlewares here: other scopes (lifespan, websockets) pass through untouched,
    HTTP requests go to `handle`."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware(HttpMiddleware):
    """CSP (with configurable frame-ancestors), nosniff, referrer policy, and no caching of API answers."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.csp = content_security_policy(settings).encode()
        self.docs_csp = content_security_policy(settings, docs=True).encode()
        self.deny_frames = not settings.frame_ancestors

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        csp = self.docs_csp if path.startswith(_DOCS_PATHS) else self.csp

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if self.deny_frames:
                    headers.append((b"x-frame-options", b"DENY"))
                if path.startswith("/api/"):
                    # answers reflect the query; keep them out of shared caches and browser history
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


class BodyTooLarge(HTTPException):
    """Raised while a body streams in past the limit; an HTTPException so that FastAPI's body reading
    passes it on (rather than turning it into a 400) and the app's handler answers 413."""

    def __init__(self, max_bytes: int):
        super().__init__(413, f"request body too large: at most {max_bytes} bytes are accepted")


class BodyLimitMiddleware(HttpMiddleware):
    """413 for bodies over the limit: by Content-Length up front, or while a chunked body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    await send_json(send, 400, {"detail": "invalid Content-Length header"})
                    return
                if too_large:
                    await send_json(send, 413, {"detail": BodyTooLarge(self.max_bytes).detail})
                    return
        received = 0
        tracked = TrackedSend(send)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, tracked)
        except BodyTooLarge as exc:
            if not tracked.started:
                await send_json(send, 413, {"detail": exc.detail})


class TrackedSend:
    """An ASGI `send` that remembers whether the response has started: after that, an error can no
    longer be answered with a status of its own."""

    def __init__(self, send: Any):
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class TokenBucket:
    """Per-key token buckets: `rate` tokens a second, at most `burst` saved up."""

    MAX_KEYS = 10_000

    def __init__(self, per_minute: int, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_KEYS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely: they behave exactly like new ones."""
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.burst:
                del self._buckets[key]


class RateLimitMiddleware:
    """429 with Retry-After when a client exceeds its rate on /api/*; health and metrics stay open."""

    def __init__(self, app: ASGIApp, per_minute: int, burst: int):
        self.app = app
        self.bucket = TokenBucket(per_minute, burst) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.bucket is None or scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.bucket.take(client[0] if client else "unknown")
        if wait > 0:
            retry = max(1, math.ceil(wait))
            await send_json(
                send, 429, {"detail": f"too many requests: try again in {retry} s"},
                [(b"retry-after", str(retry).encode())],
            )
            return
        await self.app(scope, receive, send)


class AccessLogMiddleware(HttpMiddleware):
    """One log line per request with the path but never the query string, which holds the query."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or ("/api/…" if scope["path"].startswith("/api/") else scope["path"])
            access_logger.info(
                "%s %s %d %.1fms", scope.get("method", "?"), path, status, (time.perf_counter() - started) * 1000
            )


def install(app: Any, settings: Settings) -> None:
    """Add the middlewares, outermost last: access log > headers > CORS > rate limit > body limit."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(AccessLogMiddleware)
