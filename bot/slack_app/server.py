"""Serving the Bolt app: HTTP (waitress: POST /slack/events, GET /healthz) or Socket Mode."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.server import create_server

from bot.slack_app.app import SlackAppError
from bot.slack_app.gate import RequestGate

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
Health = Callable[[], tuple[bool, dict[str, Any]]]

# Slack's own payloads are a few kilobytes; anything far larger is not from Slack.
_MAX_BODY = 1024 * 1024


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, default=str).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
               ("Cache-Control", "no-store")]
    start_response(status, headers)
    return [data]


def answer_health(health: Health, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """GET /healthz: 200 with the details when healthy, else 503 (the one implementation)."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _json(start_response, "405 Method Not Allowed", {"ok": False})
    try:
        ok, details = health()
    except Exception:  # a broken probe is an unhealthy service, not a 500 page
        log.exception("health check failed")
        ok, details = False, {"error": "health check failed"}
    status = "200 OK" if ok else "503 Service Unavailable"
    return _json(start_response, status, {"ok": ok, **details})


def router(app: App, health: Health) -> WSGIApplication:
    """One WSGI app: /healthz answered from `health`, everything else by Bolt's handler."""
    slack: WSGIApplication = SlackRequestHandler(app, path=EVENTS_PATH)
    gate: RequestGate | None = getattr(app, "gate", None)
    if gate is not None:  # signature, replay, body, then workspace: before Bolt parses anything
        slack = gate.wrap(slack)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return answer_health(health, environ, start_response)
        return slack(environ, start_response)

    return wsgi


def health_only(health: Health) -> WSGIApplication:
    """A WSGI app answering GET /healthz only (Slack app off, or in Socket Mode)."""

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Slack events are not served: SLACK_BOT_TOKEN is not set or Socket Mode is on\n"]
        return answer_health(health, environ, start_response)

    return wsgi


class HttpServer:
    """A running waitress server on a background thread; `port` is the bound port."""

    def __init__(self, wsgi: WSGIApplication, host: str, port: int, threads: int, *,
                 serves: str = f"Slack app listening on {{url}}{EVENTS_PATH}") -> None:
        self._serves = serves  # the one log line that says what this server is for
        try:
            self._server: Any = create_server(
                wsgi, host=host, port=port, threads=threads, ident="chokepoint",
                max_request_body_size=_MAX_BODY, channel_timeout=60,
                clear_untrusted_proxy_headers=True,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                why = "the port is already in use (is another chokepoint running?)"
            else:
                why = exc.strerror or str(exc)
            raise SlackAppError(f"cannot listen on {host}:{port}: {why}; change server.host "
                                "or server.port") from None
        self.host = host
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, name="chokepoint-http",
                                        daemon=True)
        self._stopped = False

    def start(self) -> HttpServer:
        self._thread.start()
        log.info(self._serves.format(url=f"http://{self.host}:{self.port}"))
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, let requests in flight finish (up to `timeout`), then close."""
        if self._stopped:
            return
        self._stopped = True
        server = self._server
        done = threading.Event()

        def close_listener() -> None:
            # Runs on the loop thread: waitress's socket map is not thread-safe.
            with contextlib.suppress(OSError):
                server.accepting = False
                wasyncore.dispatcher.close(server)  # the listening socket only, not the trigger
            done.set()

        server.trigger.pull_trigger(close_listener)
        done.wait(timeout)
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout)

        def close_all() -> None:
            for dispatcher in list(server._map.values()):
                with contextlib.suppress(OSError):
                    dispatcher.close()

        server.trigger.pull_trigger(close_all)
        self._thread.join(timeout)
        log.info("Slack app HTTP server stopped")

    def __enter__(self) -> HttpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_http(app: App, host: str, port: int, health: Health, *, threads: int = 16) -> HttpServer:
    """Start serving on host:port (0 picks a free port) and return the running server."""
    return HttpServer(router(app, health), host, port, threads).start()


class SocketModeServer:
    """Socket Mode (no public URL): events arrive over a WebSocket opened with the app token."""

    def __init__(self, app: App, app_token: str) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # only needed in this mode

        self._handler = SocketModeHandler(app, app_token=app_token)

    def start(self) -> SocketModeServer:
        self._handler.connect()  # type: ignore[no-untyped-call] # returns at once; the client runs on its own threads
        log.info("Slack app connected in Socket Mode")
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # already disconnected is fine on shutdown
            self._handler.close()  # type: ignore[no-untyped-call]


def serve_socket_mode(app: App, app_token: str) -> SocketModeServer:
    """Connect to Slack in Socket Mode and return the running connection (`.stop()` to close)."""
    return SocketModeServer(app, app_token).start()
