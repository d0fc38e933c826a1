"""POST /api/feedback on the real app and index: what is stored, what is refused, and what survives."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from veiviser.feedback import FeedbackStore, feedback_path
from veiviser.index_format import indexes_root, rollback

SENSITIVE = "Kari 12057512345 ruset, ring 912 34 567: hvem har rett på individuell plan?"


@pytest.fixture(scope="module")
def feedback_settings(api_settings, tmp_path_factory):
    """The session's API settings over a data folder of this module's own, where the store lives."""
    return api_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("feedback-data"),
                                           "feedback_per_minute": 0})


@pytest.fixture(scope="module")
def feedback_client(feedback_settings, engine):
    with TestClient(create_app(feedback_settings, engine=engine), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def passage_id(chunks) -> str:
    return next(iter(chunks))


def store_of(settings) -> FeedbackStore:
    return FeedbackStore.for_settings(settings)


def result_body(passage: str, **changes) -> dict:
    body = {"kind": "result", "verdict": "yes", "query": "individuell plan", "passage_id": passage, "rank": 1}
    return {**body, **changes}


def test_round_trip_keeps_the_verdict_and_a_keyed_hash_but_not_the_query(feedback_client, feedback_settings,
                                                                           engine, passage_id) -> None:
    body = result_body(passage_id, verdict="no", rank=3, filters={"status": "gjeldende", "doc": ""})
    response = feedback_client.post("/api/feedback", json=body)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["stored_query"] is False and receipt["message"] == "Takk for tilbakemeldingen."
    row = next(r for r in store_of(feedback_settings).all() if r.id == receipt["id"])
    assert (row.kind, row.verdict, row.passage_id, row.rank) == ("result", "no", passage_id, 3)
    assert row.index_version == engine.version and row.filters == {"status": "gjeldende"}
    assert row.query is None, "not shared: not stored"
    qlog = feedback_client.app.state.query_logger
    assert row.query_hash == qlog.hash("individuell plan"), "the same keyed hash as the query log"


def test_a_shared_query_is_stored_redacted(feedback_client, feedback_settings, passage_id) -> None:
    response = feedback_client.post("/api/feedback", json=result_body(passage_id, query=SENSITIVE, share_query=True))
    assert response.status_code == 201 and response.json()["stored_query"] is True
    row = next(r for r in store_of(feedback_settings).all() if r.id == response.json()["id"])
    assert "12057512345" not in row.query and "912 34 567" not in row.query
    assert "[fnr]" in row.query and "[telefon]" in row.query and "individuell plan" in row.query
    raw = b"".join(p.read_bytes() for p in feedback_path(feedback_settings).parent.iterdir())  # db, WAL
    assert b"12057512345" not in raw and b"912 34 567" not in raw and b"individuell plan" in raw


def test_a_disputed_abstention(feedback_client, feedback_settings) -> None:
    body = {"kind": "abstention", "verdict": "yes", "query": "tvangsinnleggelse 24. desember", "share_query": True}
    response = feedback_client.post("/api/feedback", json=body)
    assert response.status_code == 201, response.text
    row = next(r for r in store_of(feedback_settings).all() if r.id == response.json()["id"])
    assert (row.kind, row.verdict, row.passage_id, row.rank) == ("abstention", "yes", None, None)
    assert row.query == "tvangsinnleggelse [dato]"


@pytest.mark.parametrize(("changes", "message"), [
    ({"passage_id": "ingen-slik/passasje/9"}, "unknown passage id 'ingen-slik/passasje/9'"),
    ({"passage_id": None}, "needs passage_id"),
    ({"rank": None}, "needs rank"),
    ({"rank": 0}, "body field 'rank'"),
    ({"kind": "abstention"}, "leave out passage_id and rank"),
    ({"query": ""}, "body field 'query'"),
    ({"query": "   "}, "the query is empty"),
    ({"query": "x" * 1001}, "at most 1000 characters"),
    ({"verdict": "kanskje"}, "body field 'verdict'"),
    ({"kind": "svar"}, "body field 'kind'"),
    ({"filters": {"farge": "blå"}}, "unknown filter 'farge'"),
    ({"filters": {"status": "utkast"}}, "unknown value 'utkast' for filter 'status'"),
    ({"extra": 1}, "body field 'extra'"),
    ({"query": "plan \ud800"}, "body field 'query'"),
    ({"filters": {"law": "hol § 3-2 \udfff"}}, "body field 'filters.law': not valid Unicode text"),
])
def test_bad_input_is_refused_with_a_message(feedback_client, feedback_settings, passage_id, changes, message) -> None:
    before = len(store_of(feedback_settings).all())
    body = json.dumps(result_body(passage_id, **changes))  # ASCII JSON: a lone surrogate travels escaped
    response = feedback_client.post("/api/feedback", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert len(store_of(feedback_settings).all()) == before, "nothing is stored"


def test_a_body_that_is_not_json(feedback_client) -> None:
    response = feedback_client.post("/api/feedback", content=b"ja takk", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "not valid JSON" in response.json()["detail"]


def test_feedback_has_a_rate_limit_of_its_own(api_settings, engine, passage_id, tmp_path: Path) -> None:
    settings = api_settings.model_copy(update={"data_dir": tmp_path, "feedback_per_minute": 6,
                                                "feedback_burst": 2})
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as client:
        codes = [client.post("/api/feedback", json=result_body(passage_id)).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        limited = client.post("/api/feedback", json=result_body(passage_id))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "too many feedback submissions" in limited.json()["detail"]
        assert client.get("/api/search", params={"q": "individuell plan", "k": 1}).status_code == 200, \
            "search keeps its own budget"
    assert len(store_of(settings).all()) == 2


def test_retention_prunes_at_start_up(api_settings, engine, passage_id, tmp_path: Path) -> None:
    import datetime as dt

    settings = api_settings.model_copy(update={"data_dir": tmp_path, "feedback_retention_days": 30})
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    store_of(settings).record(kind="abstention", verdict="yes", query_hash="h", query="gammel tekst", at=old)
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as client:
        (row,) = store_of(settings).all()
        assert row.query is None and row.query_hash is None and row.verdict == "yes"
        assert client.post("/api/feedback", json=result_body(passage_id, share_query=True)).status_code == 201
    assert store_of(settings).all()[-1].query == "individuell plan"


def test_no_index_loaded_answers_503(api_settings, tmp_path: Path) -> None:
    settings = api_settings.model_copy(update={"data_dir": tmp_path / "empty", "reload_interval_s": 0})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.post("/api/feedback", json=result_body("a/b/1"))
        assert response.status_code == 503 and "not available" in response.json()["detail"]


def test_feedback_survives_a_rebuild_and_a_rollback(fresh_settings, build_small) -> None:
    settings = fresh_settings(reload_interval_s=0.2, rate_limit_per_minute=0, feedback_per_minute=0)
    first = build_small(settings, 4)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        passage = client.get("/api/search", params={"q": "bakgrunn for veilederen", "k": 1}).json()["results"][0]["id"]
        assert client.post("/api/feedback", json=result_body(passage)).status_code == 201
        second = build_small(settings, 6)
        deadline = time.monotonic() + 30
        while client.get("/readyz").json().get("version") != second.version and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/readyz").json().get("version") == second.version, "the API follows the new build"
        assert client.post("/api/feedback", json=result_body(passage, verdict="no")).status_code == 201
        assert rollback(settings) == first.version
    rows = store_of(settings).all()
    assert [(r.verdict, r.index_version) for r in rows] == [("yes", first.version), ("no", second.version)]
    assert indexes_root(settings) not in feedback_path(settings).parents, "the store lives outside the versions"
