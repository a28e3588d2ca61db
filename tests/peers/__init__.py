"""Loopback protocol peers (Slack Web API, HTTP feeds, SMTP) that tests talk to instead of mocks.

This module holds the threaded HTTP server the HTTP peers share; the peers live in
`slack_api`, `http_feeds`, `smtp` and `slack_signing`.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer on 127.0.0.1:<free port> that serves from a daemon thread."""

    daemon_threads = True
    # Benchmarks open hundreds of connections at once; the default backlog of 5 drops them.
    request_queue_size = 1024

    def __init__(self, handler: type[BaseHTTPRequestHandler], peer: Any) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.peer = peer
        # Set on stop so that scripted sleeps (hang, delay) end at once instead of
        # keeping a test waiting for a client that is long gone.
        self.closing = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.closing.set()
        self.shutdown()
        # Keep-alive connections would otherwise leave handler threads blocked on a read.
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (timeout, size cap) is what many tests are about: not an error.
        if self.closing.is_set() or isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that does not print a line per request."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is dropped after this long.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_bytes(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Peer:
    """A protocol peer: `start()`/`close()`, usable as a context manager."""

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class HttpPeer(Peer):
    """A peer served by a LoopbackHTTPServer in `self._server`."""

    _server: LoopbackHTTPServer

    def start(self) -> Self:
        self._server.start()
        return self

    def close(self) -> None:
        self._server.stop()

    @property
    def port(self) -> int:
        return self._server.port
