"""Security headers, CORS allow-list and per-client rate limiting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import TokenBucket


def test_security_headers_by_default(client):
    response = client.get("/api/documents")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers or "uvicorn" not in response.headers["server"]


def test_no_cors_by_default(client):
    response = client.get("/api/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


@pytest.fixture(scope="module")
def configured(api_settings, engine):
    settings = api_settings.model_copy(update={
        "cors_allow_origins": ["https://intranett.kommune.no"],
        "frame_ancestors": ["https://intranett.kommune.no"],
        "rate_limit_per_minute": 60,
        "rate_limit_burst": 3,
        "public_base_url": "https://veiviser.kommune.no/",
    })
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as client:
        yield client


def test_cors_allow_list_and_frame_ancestors(configured):
    allowed = configured.get("/healthz", headers={"Origin": "https://intranett.kommune.no"})
    assert allowed.headers["access-control-allow-origin"] == "https://intranett.kommune.no"
    other = configured.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert "frame-ancestors https://intranett.kommune.no" in allowed.headers["content-security-policy"]
    assert "x-frame-options" not in allowed.headers


def test_rate_limit_answers_429_with_retry_after(configured):
    statuses = [configured.get("/api/documents").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429
    limited = configured.get("/api/documents")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "too many requests" in limited.json()["detail"]
    assert configured.get("/healthz").status_code == 200, "health checks are never limited"


def test_public_base_url_prefixes_deep_links(configured):
    # read through the catalog: this client's rate-limit bucket was emptied by the test above
    catalog = configured.app.state.serving.catalog
    assert catalog.document_url("sammen-om-mestring-2014", "forord") == (
        "https://veiviser.kommune.no/dokumenter/sammen-om-mestring-2014#forord"
    )


def test_token_bucket_refills():
    bucket = TokenBucket(per_minute=60, burst=2)
    assert bucket.take("a", now=0.0) == 0 and bucket.take("a", now=0.0) == 0
    assert bucket.take("a", now=0.0) == pytest.approx(1.0)
    assert bucket.take("b", now=0.0) == 0, "clients have separate buckets"
    assert bucket.take("a", now=1.01) == 0
