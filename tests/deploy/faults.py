"""Loopback stand-ins for a Qdrant outage: a fault-injecting TCP proxy, and a tiny fake Qdrant.

`FaultProxy` forwards 127.0.0.1:<port> to an upstream port and can be switched at any time to
`refuse` (accept, then reset the connection), `drop` (accept and read, never answer) or `delay`
(forward after `delay` seconds); switching aborts the connections already open, as an outage would.

`FakeQdrant` answers only the few REST calls the API makes against an index it already knows:
the server info, `/collections/{name}/exists`, collection info (taken from a local-mode collection
with the same configuration), point counts and `points/query` (with no points).
It is not Qdrant: it shows that timeouts, 503s, readiness and recovery work, not search quality.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Mode = Literal["pass", "refuse", "drop", "delay"]


class FaultProxy:
    """An asyncio TCP proxy on its own event loop thread; use as a context manager."""

    def __init__(self, upstream_port: int, mode: Mode = "pass", delay: float = 0.0):
        self.upstream_port = upstream_port
        self.mode: Mode = mode
        self.delay = delay
        self.port = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._open: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop).result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def shutdown() -> None:
            self._abort_all()
            assert self._server is not None
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: Mode, delay: float = 0.0) -> None:
        """Switch behaviour; open connections are cut so that kept-alive ones see the change too."""
        def apply() -> None:
            self.mode, self.delay = mode, delay
            self._abort_all()

        self._loop.call_soon_threadsafe(apply)
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), self._loop).result(5)

    def _abort_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._open.add(writer)
        try:
            if self.mode == "drop":
                while await reader.read(65536):  # swallow requests until the client gives up
                    pass
                return
            if self.mode == "delay":
                await asyncio.sleep(self.delay)
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            self._open.add(up_writer)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except (ConnectionError, OSError):
            pass
        finally:
            self._open.discard(writer)
            writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


class FakeQdrant:
    """A threaded HTTP server answering Qdrant's REST shapes for the calls listed in the module doc."""

    def __init__(self, counts: dict[str, int], infos: dict[str, dict] | None = None):
        self.counts = counts  # collection name -> points
        self.infos = infos or {}  # collection name -> Qdrant's CollectionInfo as JSON
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, result: object, status: int = 200) -> None:
                body = json.dumps({"result": result, "status": "ok", "time": 0.0}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake.requests.append(f"GET {self.path}")
                if self.path == "/":
                    body = json.dumps({"title": "qdrant - fake", "version": "1.20.0"}).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif match := re.fullmatch(r"/collections/([^/]+)/exists", self.path):
                    self._reply({"exists": match.group(1) in fake.counts})
                elif (match := re.fullmatch(r"/collections/([^/]+)", self.path)) and match.group(1) in fake.infos:
                    self._reply(fake.infos[match.group(1)])
                else:
                    self._reply(None, 404)

            def do_POST(self) -> None:  # noqa: N802
                fake.requests.append(f"POST {self.path}")
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?")[0]
                if match := re.fullmatch(r"/collections/([^/]+)/points/count", path):
                    self._reply({"count": fake.counts.get(match.group(1), 0)})
                elif re.fullmatch(r"/collections/[^/]+/points/query", path):
                    self._reply({"points": []})
                else:
                    self._reply(None, 404)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeQdrant:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
