"""The Slack app on a free loopback port against a Slack API peer, for the tests that talk to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.config import Config, Secrets
from bot.models import Licence, Link, Match
from bot.slack_app.app import Reference, build_app
from bot.slack_app.server import HttpServer, serve_http
from bot.store import Store
from bot.store.alerts import record_alert
from bot.store.licences import apply_register
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import (
    block_actions_body,
    signed_headers,
    slash_command_body,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
BUYER = "U0BUYER"


class SlackAppHarness:
    """The real app and HTTP server on a free loopback port, talking to a Slack API peer."""

    def __init__(self, tmp_path: Path, peer: SlackApiPeer, *, ack_deadline: float = 2.0,
                 healthy: bool = True, store: Store | None = None, config: Config | None = None,
                 now: datetime = NOW, reference: Reference | None = None) -> None:
        self.peer = peer
        self.store = store or Store(f"sqlite:///{tmp_path}/slack.db")
        self.config = config or Config(
            timezone="Europe/Berlin",
            feeds=[{"name": "mining-com", "url": "https://www.mining.com/feed/"},
                   {"name": "new-feed", "url": "https://example.com/feed"}],
        )
        secrets = Secrets(slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET,
                          slack_api_url=peer.url)
        self.app = build_app(self.store, self.config, secrets, now=lambda: now, reference=reference,
                             ack_deadline=ack_deadline)
        self.healthy = healthy
        self.server: HttpServer = serve_http(
            self.app, "127.0.0.1", 0, lambda: (self.healthy, {"database": "ok"}))
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def close(self) -> None:
        self.http.close()
        self.server.stop()
        self.store.dispose()

    # -- requests as Slack sends them ------------------------------------------------------
    def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        if headers is None:
            headers = signed_headers(body, SECRET)
        return self.http.post("/slack/events", content=body, headers=headers)

    def slash(self, text: str, *, user: str = BUYER, client: httpx.Client | None = None
              ) -> dict[str, Any]:
        """The ephemeral answer to `/chokepoint <text>` (from the ack, else the response_url)."""
        body = slash_command_body(text, user_id=user, response_url=self.peer.response_url())
        resp = (client or self.http).post("/slack/events", content=body,
                                          headers=signed_headers(body, SECRET))
        assert resp.status_code == 200, resp.text
        assert resp.content, "a fast answer comes with the acknowledgement"
        answer: dict[str, Any] = resp.json()
        return answer

    def click(self, action: str, alert_id: int | str, *, user: str = BUYER,
              channel: str = "C0ALERTS", ts: str = "1700000000.000100") -> httpx.Response:
        body = block_actions_body(action, str(alert_id), user_id=user, channel=channel,
                                  message_ts=ts, response_url=self.peer.response_url(f"act/{user}"))
        resp = self.post(body)
        assert resp.status_code == 200
        return resp

    # -- data ------------------------------------------------------------------------------
    def alert(self, title: str, materials: tuple[str, ...] = ("Dy",), *, severity: str = "high",
              rule_type: str = "news_restriction", subject: str | None = None,
              created: datetime = NOW - timedelta(hours=2)) -> int:
        match = Match(
            rule_id=f"{rule_type}-rule", rule_type=rule_type, key=f"key:{title}:{created}",
            severity=severity, title=title, subject=subject or f"story:{title}",  # type: ignore[arg-type]
            materials=materials, facts=(("Materials", ", ".join(materials)),),
            sources=(Link("https://news.example.com/a?x=1&y=2", "Reuters"),),
        )
        with self.store.session() as s:
            alert_id = record_alert(s, match, ["slack:#supply-risk"], created)
        assert alert_id is not None
        return alert_id

    def licences(self, *licences: Licence) -> None:
        with self.store.session() as s:
            apply_register(s, list(licences), NOW)


def block_texts(answer: dict[str, Any]) -> str:
    """Every mrkdwn/plain text in the blocks, joined (what the user reads)."""
    out: list[str] = []
    for block in answer.get("blocks", []):
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if "text" in e and
                isinstance(e["text"], str)]
    return "\n".join(out)
