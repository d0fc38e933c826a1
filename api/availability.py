"""Is the Qdrant server there? Telling an outage from a bug, and a cheap bounded readiness probe.

With a Qdrant server, search depends on a network service: when it is unreachable or too slow, the
API answers 503 with a clear message (not a 500), `/readyz` says not ready so that a load balancer
sends traffic elsewhere, and both recover by themselves once Qdrant answers again (the Qdrant client
opens new connections on the next call; nothing is cached about the outage).
"""

from __future__ import annotations

import httpx
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from veiviser.index_format import server_collection
from veiviser.settings import Settings


def qdrant_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it: Haystack wraps component errors) is a connection failure,
    a timeout or a 5xx/429 answer of the Qdrant server, as opposed to a bug or a bad request."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ResponseHandlingException, httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        if isinstance(current, UnexpectedResponse) and (
            current.status_code is None or current.status_code >= 500 or current.status_code == 429
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def unavailable_message(settings: Settings) -> str:
    return (f"search is temporarily unavailable: the vector database (Qdrant) did not answer within "
            f"{settings.qdrant_timeout} s; try again shortly")


def qdrant_problem(settings: Settings, version: str) -> str | None:
    """Why the server cannot serve `version` now, or None when it can. One cheap request, bounded by
    `readiness_timeout_s` (or qdrant_timeout, if shorter): does the version's passage collection exist?"""
    name = server_collection(settings, version, "chunks")
    headers = {"api-key": settings.qdrant_api_key} if settings.qdrant_api_key else {}
    timeout = min(settings.readiness_timeout_s, float(settings.qdrant_timeout))
    url = f"{settings.qdrant_url.rstrip('/')}/collections/{name}/exists"
    try:
        response = httpx.get(url, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return f"the Qdrant server {settings.qdrant_url} did not answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return f"the Qdrant server {settings.qdrant_url} is unreachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"the Qdrant server {settings.qdrant_url} answered HTTP {response.status_code}"
    try:
        exists = bool(response.json()["result"]["exists"])
    except (ValueError, KeyError, TypeError):
        return f"the Qdrant server {settings.qdrant_url} gave an unexpected answer"
    if not exists:
        return f"index {version} is missing on the Qdrant server (no collection {name}): run `veiviser index build`"
    return None
