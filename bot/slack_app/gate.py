"""The door in front of the Bolt app: every HTTP request from Slack is checked here, in order.

1. The signature and timestamp (401 when either is missing, malformed, stale or wrong);
   nothing of the body is parsed before the signature holds.
2. A replay: a signature seen within the timestamp window is answered (200, empty) but not
   acted on again.
3. The body: UTF-8, a form (`payload=` JSON for interactions) or a JSON object (400 otherwise).
4. The workspace: the team the request names must be the one the bot token belongs to, as
   `auth.test` reports it (401 otherwise; 503 while `auth.test` cannot be asked).

Only then does Bolt see the request (it verifies the signature again, harmlessly).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

# Slack's documented window for X-Slack-Request-Timestamp.
WINDOW = 300.0


@dataclass(frozen=True)
class Refusal:
    status: str
    reason: str


BAD_REQUEST = "400 Bad Request"
UNAUTHORIZED = "401 Unauthorized"


class ReplayCache:
    """Signatures seen within the window (in this process)."""

    def __init__(self, window: float = WINDOW) -> None:
        self._window = window
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, signature: str, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 10_000 or next(iter(self._seen.values()), now) < now - self._window:
                self._seen = {s: t for s, t in self._seen.items() if t >= now - self._window}
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True


class TeamOfToken:
    """The team id the bot token belongs to, asked of `auth.test` once it answers."""

    def __init__(self, ask: Callable[[], str | None]) -> None:
        self._ask = ask
        self._team: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str | None:
        with self._lock:
            if self._team is None:
                try:
                    self._team = self._ask()
                except Exception as exc:  # Slack unreachable: refuse for now, ask again next time
                    log.warning("cannot ask Slack which workspace the bot token belongs to: %s", exc)
            return self._team


def _team_of(content_type: str, text: str) -> str | None:
    """The team a Slack request names; raises ValueError on a body that is not Slack's."""
    if content_type.startswith("application/json"):
        body = json.loads(text)
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        if body.get("type") == "url_verification":
            return None
        return _team_field(body)
    form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    if "payload" in form:
        payload = json.loads(form["payload"][0])
        if not isinstance(payload, dict):
            raise ValueError("payload is not a JSON object")
        return _team_field(payload)
    team = form.get("team_id", [""])[0]
    if not team:
        raise ValueError("no team_id")
    return team


def _team_field(body: dict[str, Any]) -> str:
    team = body.get("team")
    candidates = [team.get("id") if isinstance(team, dict) else None, body.get("team_id")]
    user = body.get("user")
    if isinstance(user, dict):
        candidates.append(user.get("team_id"))
    for value in candidates:
        if isinstance(value, str) and value:
            return value
    raise ValueError("no team")


class RequestGate:
    def __init__(self, signing_secret: str, team: Callable[[], str | None], *,
                 clock: Callable[[], float] = time.time, max_body: int = 1024 * 1024) -> None:
        self._secret = signing_secret.encode()
        self._team = team
        self._clock = clock
        self._replays = ReplayCache()
        self._max_body = max_body

    def check(self, headers: dict[str, str], body: bytes) -> Refusal | None:
        """None when the request may go on to Bolt; else how to refuse it."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and signature.startswith("v0=")):
            return Refusal(UNAUTHORIZED, "missing or malformed signature headers")
        now = self._clock()
        if abs(now - int(timestamp)) > WINDOW:
            return Refusal(UNAUTHORIZED, "stale timestamp")
        # Over the raw bytes (slack_sdk's verifier decodes the body first, and fails on non-UTF-8).
        mac = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        if not hmac.compare_digest("v0=" + mac.hexdigest(), signature):
            return Refusal(UNAUTHORIZED, "bad signature")
        if not self._replays.first_time(signature, now):
            return Refusal("200 OK", "replayed request")
        try:
            text = body.decode("utf-8")
            team = _team_of(headers.get("content-type", "").lower(), text)
        except (UnicodeDecodeError, ValueError) as exc:
            return Refusal(BAD_REQUEST, f"malformed body ({exc})")
        if team is None:
            return None
        own = self._team()
        if own is None:
            return Refusal("503 Service Unavailable", "the bot token's workspace is not known yet")
        if team != own:
            return Refusal(UNAUTHORIZED, f"request from another workspace ({team})")
        return None

    def wrap(self, inner: WSGIApplication) -> WSGIApplication:
        def gated(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if environ.get("REQUEST_METHOD") != "POST":
                return inner(environ, start_response)
            length_text = str(environ.get("CONTENT_LENGTH") or "0")
            if not length_text.isdigit() or int(length_text) > self._max_body:
                return _plain(start_response, BAD_REQUEST)
            body = environ["wsgi.input"].read(int(length_text)) if int(length_text) else b""
            headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items()
                       if k.startswith("HTTP_")}
            headers["content-type"] = str(environ.get("CONTENT_TYPE") or "")
            refusal = self.check(headers, body)
            if refusal is not None:
                log.warning("Slack request refused (%s): %s", refusal.status[:3], refusal.reason)
                return _plain(start_response, refusal.status)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return inner(environ, start_response)

        return gated


def _plain(start_response: StartResponse, status: str) -> list[bytes]:
    body = b"" if status.startswith("200") else status[4:].encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
