"""Worker processes: `workers` of them in embedded mode as with a Qdrant server, and settings that
reach the workers intact through the environment."""

from __future__ import annotations

import logging
import os

import pytest

import api.app as app_module
from api.app import export_settings, serve, worker_count
from veiviser.settings import Settings


def test_worker_count_is_the_setting_in_both_modes(settings) -> None:
    assert worker_count(settings.model_copy(update={"workers": 4})) == 4
    assert worker_count(settings.model_copy(update={"workers": 4, "qdrant_url": "http://qdrant:6333"})) == 4


def test_settings_travel_to_workers_through_the_environment(settings, monkeypatch) -> None:
    monkeypatch.setattr(os, "environ", os.environ.copy())
    original = settings.model_copy(update={"qdrant_url": "http://qdrant:6333", "workers": 3, "qdrant_timeout": 7,
                                           "cors_allow_origins": ["https://a.example", "https://b.example"]})
    export_settings(original)
    assert Settings() == original


@pytest.mark.parametrize("url, workers, factory", [("", 1, False), ("", 3, True), ("http://qdrant:6333", 3, True)])
def test_serve_passes_workers_to_uvicorn(settings, monkeypatch, caplog, url, workers, factory) -> None:
    import uvicorn

    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(os, "environ", os.environ.copy())
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    monkeypatch.setattr(app_module, "create_app", lambda s: "app")
    with caplog.at_level(logging.INFO, logger="veiviser.api"):
        serve(settings.model_copy(update={"qdrant_url": url, "workers": workers}))
    target, kwargs = calls[0]
    assert kwargs["workers"] == workers and kwargs["factory"] is factory
    assert target == ("api.worker:app_from_environment" if factory else "app")
    assert f"with {workers} worker(s), " + ("embedded index in memory" if not url else "Qdrant server") in caplog.text
