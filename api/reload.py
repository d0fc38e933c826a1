"""Index switch without a restart: a running API follows the data folder's CURRENT pointer.

`veiviser index build` and `veiviser index rollback` switch CURRENT (and, on a Qdrant server, the
aliases) atomically. A background task of the API compares CURRENT with the version it serves every
`reload_interval_s` seconds; on a change it opens the new version beside the old one (sharing the
loaded model), warms it up, and only then swaps it in, so no request sees a half-loaded index. A
version that fails to open is logged and skipped, and the old one keeps serving. The old engine is
closed after a grace period, when the requests that were using it have finished; switching back to
it within that period (a quick rollback) takes it back as it is, since local storage can be opened
only once per process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading

from fastapi import FastAPI

from api.catalog import Catalog
from api.dependencies import Serving
from api.search.engine import SearchEngine
from veiviser.index_format import current_version, version_folder
from veiviser.settings import Settings

logger = logging.getLogger("veiviser.api")


def open_serving(settings: Settings, engine: SearchEngine) -> Serving:
    """The engine with the catalog of the same version, warmed up: what a request is served from.
    The catalog is read from the engine's own folder (a caller's engine may live elsewhere)."""
    catalog = Catalog(settings, engine.version, version_folder(engine.settings, engine.version))
    engine.warm_up()
    return Serving(engine, catalog)


class RetiringEngines:
    """Engines switched away from: closed after a grace period (`retire_grace_s`, far longer than any
    search takes) unless taken back before."""

    def __init__(self, grace_s: float):
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self._engines: dict[str, tuple[SearchEngine, int]] = {}
        self._tokens = itertools.count()

    def add(self, engine: SearchEngine) -> None:
        token = next(self._tokens)
        with self._lock:
            self._engines[engine.version] = (engine, token)
        timer = threading.Timer(self.grace_s, self._close, (engine.version, token))
        timer.daemon = True
        timer.start()

    def take(self, version: str) -> SearchEngine | None:
        with self._lock:
            entry = self._engines.pop(version, None)
        return entry[0] if entry else None

    def close_all(self) -> None:
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine, _ in engines:
            engine.close()

    def _close(self, version: str, token: int) -> None:
        with self._lock:
            entry = self._engines.get(version)
            if entry is None or entry[1] != token:  # taken back (and perhaps retired again since)
                return
            del self._engines[version]
        entry[0].close()


def reload_if_changed(app: FastAPI, settings: Settings) -> bool:
    """Serve the version CURRENT names if it is not the one served (or none is); True when switched."""
    version = current_version(settings)
    serving: Serving | None = app.state.serving
    old = serving.engine if serving is not None else None
    if version is None or (old is not None and old.version == version) or app.state.failed_version == version:
        return False  # nothing new, or already tried and failed: wait for the next switch
    retiring: RetiringEngines = app.state.retiring
    taken_back = engine = retiring.take(version)
    try:
        if engine is None:
            engine = SearchEngine.open(settings, model=old.model if old is not None else None)
        new = open_serving(settings, engine)
    except Exception as exc:
        if engine is not None and taken_back is None:
            engine.close()
        elif taken_back is not None:
            retiring.add(taken_back)
        app.state.failed_version = version
        logger.error("index %s could not be opened, still serving %s: %s", version,
                     old.version if old is not None else "nothing", exc)
        return False
    app.state.serving, app.state.load_error = new, None  # one assignment: engine and catalog together
    logger.info("switched to index %s: %d passages", engine.version, engine.manifest.chunks)
    if old is not None:
        retiring.add(old)
    return True


async def follow_current(app: FastAPI, settings: Settings) -> None:
    """The lifespan's background task: check CURRENT every `reload_interval_s` seconds."""
    while True:
        await asyncio.sleep(settings.reload_interval_s)
        try:
            await asyncio.to_thread(reload_if_changed, app, settings)
        except Exception:  # never let the watcher die: the next check tries again
            logger.exception("index reload check failed")
