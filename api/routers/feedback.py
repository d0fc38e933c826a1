"""Feedback: a user's verdict on a result or an abstention, stored for `veiviser feedback stats|export`.

The query is always reduced to the query log's keyed hash; its text is kept only when the user
shares it, and then redacted as the opt-in query log is (api/privacy.py). Submissions have a
budget per client of their own (`feedback_per_minute`), stricter than search's, because each one
writes to disk. The store lives under the data folder, not in an index version (veiviser/feedback.py).
"""

from __future__ import annotations

import math
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from api.dependencies import Serving, get_query_logger, get_serving
from api.models import ErrorResponse, FeedbackReceipt, FeedbackRequest
from api.privacy import QueryLogger, redact
from api.security import TokenBucket
from veiviser.feedback import FeedbackStore
from veiviser.filters import haystack_filters

router = APIRouter(prefix="/api", tags=["feedback"])

THANKS = "Takk for tilbakemeldingen."
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "Unknown kind or verdict, empty or too long query, a result "
                                                 "without a passage or rank (or with an unknown passage id), an "
                                                 "abstention with one, unknown filter."},
    429: {"model": ErrorResponse, "description": "Too many submissions; see the Retry-After header."},
    503: {"model": ErrorResponse, "description": "The index is not loaded (passage ids cannot be checked)."},
}

_setup_lock = threading.Lock()


def get_feedback_store(request: Request) -> FeedbackStore:
    """The app's store, opened on first use: the file is created only once someone gives feedback."""
    state = request.app.state
    with _setup_lock:
        if getattr(state, "feedback_store", None) is None:
            state.feedback_store = FeedbackStore.for_settings(state.settings)
    return state.feedback_store


def limit_feedback(request: Request) -> None:
    """429 with Retry-After once a client has used its feedback budget."""
    state = request.app.state
    with _setup_lock:
        if not hasattr(state, "feedback_bucket"):
            settings = state.settings
            per_minute = settings.feedback_per_minute
            state.feedback_bucket = TokenBucket(per_minute, settings.feedback_burst) if per_minute > 0 else None
    bucket: TokenBucket | None = state.feedback_bucket
    if bucket is None:
        return
    wait = bucket.take(request.client.host if request.client else "unknown")
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise HTTPException(429, f"too many feedback submissions: try again in {retry} s",
                            {"Retry-After": str(retry)})


def _check(body: FeedbackRequest, serving: Serving) -> dict[str, str]:
    """The checks one field cannot make alone; returns the filters without empty values."""
    for name, value in (body.filters or {}).items():  # pydantic checks plain strings, not a dict's
        try:
            f"{name}{value or ''}".encode()
        except UnicodeEncodeError:  # a lone surrogate (JSON allows \ud800): it cannot be stored
            raise HTTPException(422, f"body field 'filters.{name}': not valid Unicode text") from None
    if not body.query.strip():
        raise HTTPException(422, "body field 'query': the query is empty")
    if body.kind == "result":
        if body.passage_id is None or body.rank is None:
            missing = " and ".join(n for n in ("passage_id", "rank") if getattr(body, n) is None)
            raise HTTPException(422, f"a verdict on a result needs {missing}")
        if body.passage_id not in serving.catalog.chunks:
            raise HTTPException(422, f"unknown passage id '{body.passage_id}': not a passage of the current index "
                                     f"(version {serving.version})")
    elif body.passage_id is not None or body.rank is not None:
        given = " and ".join(n for n in ("passage_id", "rank") if getattr(body, n) is not None)
        raise HTTPException(422, f"a verdict on an abstention names no passage: leave out {given}")
    filters = {name: value for name, value in (body.filters or {}).items() if isinstance(value, str) and value}
    haystack_filters(filters, serving.catalog.documents)  # FilterError: 422 listing the allowed names and values
    return filters


@router.post("/feedback", status_code=201, response_model=FeedbackReceipt, responses=ERRORS,
             summary="Say whether a result answered the question, or whether an abstention was wrong")
def post_feedback(
    body: FeedbackRequest,
    _: Annotated[None, Depends(limit_feedback)],
    serving: Annotated[Serving, Depends(get_serving)],
    store: Annotated[FeedbackStore, Depends(get_feedback_store)],
    qlog: Annotated[QueryLogger, Depends(get_query_logger)],
) -> FeedbackReceipt:
    """Records the verdict with the serving index version and a keyed hash of the query; the query text
    only with `share_query`, redacted (identity numbers, phone numbers, dates, e-mail addresses)."""
    filters = _check(body, serving)
    text = redact(body.query.strip()) if body.share_query else None
    feedback_id = store.record(kind=body.kind, verdict=body.verdict, query_hash=qlog.hash(body.query),
                               query=text, passage_id=body.passage_id, rank=body.rank,
                               index_version=serving.version, filters=filters)
    return FeedbackReceipt(id=feedback_id, stored_query=text is not None, message=THANKS)
