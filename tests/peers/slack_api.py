"""A fake Slack Web API on loopback that records every request and can be told to fail."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import HttpPeer, LoopbackHTTPServer, QuietHandler

# Fields that Slack accepts as JSON text inside a form-encoded body.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
BOT_USER_ID = "U0BOTUSER"
BOT_ID = "B0BOT"
TEAM_ID = "T0TEST"


@dataclass(frozen=True)
class SlackCall:
    """One request the peer received.

    `method` is the Web API method (`chat.postMessage`) for `/api/...` posts, else the
    path (`/response/abc`). `answer` is `ok` for a normal answer, or what was scripted:
    `hang`, `http_429`, `http_500`, `error:channel_not_found` (also `error:not_authed`).
    """

    method: str
    path: str
    headers: Mapping[str, str]  # names lower-cased
    body: dict[str, Any]
    raw: bytes
    token: str | None  # from `Authorization: Bearer`, else a `token` field
    answer: str
    status: int
    at: float = 0.0  # time.monotonic() when it arrived

    @property
    def ok(self) -> bool:
        return self.answer == "ok"


@dataclass(frozen=True)
class _Script:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    hang: float = 0.0
    body: bytes | None = None

    @property
    def label(self) -> str:
        if self.hang:
            return "hang"
        if self.status != 200:
            return f"http_{self.status}"
        return f"error:{self.error}"


def parse_body(raw: bytes, content_type: str, query: str = "") -> dict[str, Any]:
    """A request body as Slack reads it: JSON or form fields, JSON-in-form fields decoded."""
    body: dict[str, Any] = dict(parse_qsl(query))
    if "json" in content_type:
        decoded = json.loads(raw or b"{}")
        if isinstance(decoded, dict):
            body.update(decoded)
    elif raw:
        body.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for field in _JSON_FIELDS:
        if isinstance(body.get(field), str):
            # Invalid JSON is left as text, so a test can see what was sent.
            with contextlib.suppress(ValueError):
                body[field] = json.loads(body[field])
    return body


class SlackApiPeer(HttpPeer):
    """Answers like slack.com/api; use `peer.url` as WebClient(base_url=...)."""

    def __init__(self, token: str | None = None) -> None:
        # With a token, any other bearer is refused with invalid_auth, as Slack does.
        self.token = token
        self._server = LoopbackHTTPServer(_SlackHandler, self)
        self._lock = threading.Condition()
        self._calls: list[SlackCall] = []
        self._scripts: dict[str, deque[_Script]] = defaultdict(deque)
        self._ts_counter = 0
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, token: str = "T0TEST/1/abc") -> str:
        """A `response_url` that lands in `peer.responses` with method `/response/<token>`."""
        return f"{self.base}/response/{token}"

    # -- what was received -------------------------------------------------------------------
    @property
    def calls(self) -> list[SlackCall]:
        """Web API calls, oldest first (a copy)."""
        with self._lock:
            return [c for c in self._calls if c.path.startswith("/api/")]

    @property
    def responses(self) -> list[SlackCall]:
        """Posts to any other path (response_url, webhooks), oldest first (a copy)."""
        with self._lock:
            return [c for c in self._calls if not c.path.startswith("/api/")]

    def calls_to(self, method: str) -> list[SlackCall]:
        """Every request to `method` (an API method or a non-API path), failed ones included."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        """Block until `count` requests to `method` arrived (for code that posts from threads)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._match(method)) >= count, timeout):
                got = len(self._match(method))
                raise AssertionError(f"{method}: expected {count} request(s), got {got}")
            return self._match(method)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message as it now stands after chat.postMessage and any chat.update."""
        with self._lock:
            return self._messages.get((channel, ts))

    @property
    def messages(self) -> list[tuple[str, dict[str, Any]]]:
        """Every posted message as it now stands, as (channel, message), in posting order."""
        with self._lock:
            return [(channel, dict(m)) for (channel, _ts), m in self._messages.items()]

    def _match(self, method: str) -> list[SlackCall]:
        return [c for c in self._calls if c.method == method]

    # -- scripting ---------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        error: str | None = None,
        hang: float = 0.0,
        body: bytes | None = None,
        times: int = 1,
    ) -> None:
        """Queue `times` scripted answers for `method`; later calls get normal answers.

        status=429 sends Retry-After (default 1 s); status>=400 sends `{"ok": false}` JSON
        unless `body` is given; error= answers HTTP 200 `{"ok": false, "error": ...}`;
        hang= waits that many seconds before answering (normally, unless also scripted).
        """
        if status == 200 and error is None and not hang:
            raise ValueError("fail_next needs status=, error= or hang=")
        if status == 429 and retry_after is None:
            retry_after = 1
        script = _Script(status, retry_after, error, hang, body)
        with self._lock:
            self._scripts[method].extend([script] * times)

    # -- used by the handler -----------------------------------------------------------------
    def _next_script(self, method: str) -> _Script | None:
        with self._lock:
            queue = self._scripts.get(method)
            return queue.popleft() if queue else None

    def _record(self, call: SlackCall) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_counter += 100
            seconds, micros = divmod(self._ts_counter, 1_000_000)
            return f"{1700000000 + seconds}.{micros:06d}"

    def _store(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages[(channel, ts)] = message

    def _answer(self, method: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The normal answer to a Web API call, and extra response headers."""
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://chokepoint-test.slack.com/",
                "team": "Chokepoint Test",
                "user": "chokepoint",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }, {"x-oauth-scopes": "chat:write,commands,im:write"}
        if method == "chat.postMessage":
            channel = str(body.get("channel") or "")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}, {}
            if not body.get("text") and not body.get("blocks") and not body.get("attachments"):
                return {"ok": False, "error": "no_text"}, {}
            channel = _dm_for(channel)
            ts = self._next_ts()
            message = _message(body, ts)
            self._store(channel, ts, message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}, {}
        if method == "chat.update":
            channel, ts = str(body.get("channel") or ""), str(body.get("ts") or "")
            if not channel or not ts:
                return {"ok": False, "error": "message_not_found"}, {}
            message = _message(body, ts)
            # As in Slack, an edited reply stays in its thread and keeps its metadata.
            before = self.message(channel, ts) or {}
            for kept in ("thread_ts", "metadata"):
                if kept in before and kept not in message:
                    message[kept] = before[kept]
            self._store(channel, ts, message)
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "text": message.get("text", ""),
                "message": message,
            }, {}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}, {}
        if method == "chat.delete":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}, {}
        if method == "chat.getPermalink":
            channel, ts = str(body.get("channel")), str(body.get("message_ts"))
            link = f"https://chokepoint-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}, {}
        if method == "conversations.open":
            users = str(body.get("users") or "")
            if not users and not body.get("channel"):
                return {"ok": False, "error": "users_list_not_supplied"}, {}
            channel_id = _dm_for(users.split(",")[0]) if users else str(body["channel"])
            return {"ok": True, "channel": {"id": channel_id}}, {}
        if method == "views.publish":
            view = body.get("view")
            view = view if isinstance(view, dict) else {}
            return {"ok": True, "view": {"id": "V0HOME", **view}}, {}
        return {"ok": True}, {}


def _dm_for(channel: str) -> str:
    """A user id (U…/W…) posts to that user's DM channel (D…); anything else is kept."""
    if channel[:1] in ("U", "W") and channel[1:].isalnum():
        return "D" + channel[1:]
    return channel


def _message(body: dict[str, Any], ts: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "ts": ts,
        "text": body.get("text", ""),
    }
    for field in ("blocks", "attachments", "thread_ts", "metadata"):
        if field in body:
            message[field] = body[field]
    return message


class _SlackHandler(QuietHandler):
    server: LoopbackHTTPServer

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        peer: SlackApiPeer = self.server.peer
        parts = urlsplit(self.path)
        raw = self.read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = parse_body(raw, headers.get("content-type", ""), parts.query)
        is_api = parts.path.startswith("/api/")
        method = parts.path[len("/api/") :] if is_api else parts.path
        auth = headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else body.get("token")

        script = peer._next_script(method)
        if script is None and is_api and not token:
            script = _Script(error="not_authed")
        elif script is None and is_api and peer.token is not None and token != peer.token:
            script = _Script(error="invalid_auth")
        # Scripted hangs answer normally afterwards unless something else was scripted too.
        status = script.status if script else 200
        answer = script.label if script else "ok"
        peer._record(SlackCall(method, parts.path, headers, body, raw, token, answer, status,
                               time.monotonic()))
        if script and script.hang and self.server.closing.wait(script.hang):
            return

        extra: dict[str, str] = {}
        payload: bytes
        if script and script.status != 200:
            payload = (
                script.body
                if script.body is not None
                else json.dumps(
                    {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
                ).encode()
            )
            if script.retry_after is not None:
                extra["Retry-After"] = str(script.retry_after)
        elif script and script.error:
            payload = json.dumps({"ok": False, "error": script.error}).encode()
        elif is_api:
            answer_body, extra = peer._answer(method, body)
            payload = json.dumps(answer_body).encode()
        else:
            payload = b'{"ok": true}'
        self.send_bytes(status, payload, "application/json; charset=utf-8", extra)
