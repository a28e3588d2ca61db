"""End to end: the installed `chokepoint once` against loopback feeds, Slack and SMTP peers.

The module also holds the helpers the other end-to-end tests share (finding the console
script, rendering the fixtures in tests/data/e2e, writing a configuration, reading
`chokepoint alerts --json`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.store import Store
from bot.store.schema import Delivery
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer, SlackCall
from tests.peers.smtp import SmtpPeer

REPO = Path(__file__).resolve().parents[1]
E2E_DATA = REPO / "tests" / "data" / "e2e"
RULES = REPO / "rules"
TOKEN = "xoxb-e2e-0000-token"
TZ = "Europe/Berlin"
FEEDS = ("metals-wire.xml", "asia-desk.xml")

URGENT, HEAVY, DEFAULT = "#supply-risk-urgent", "#heavy-rare-earths", "#supply-risk"
COO = "coo@example.com"
# The SPEC §2 contract of `chokepoint alerts --json`: operators script against these keys.
ALERT_KEYS = {"id", "rule", "type", "severity", "materials", "title", "subject", "sources",
              "state", "created", "deliveries"}
# What the injected headline and summary in metals-wire.xml try to do in Slack.
LIVE_MARKUP = ("<!channel>", "<@U0BUYER>", "<http://evil.example")


def chokepoint_script() -> str:
    """The installed console script: the one next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "chokepoint"
    if beside.exists():
        return str(beside)
    found = shutil.which("chokepoint")
    if found is None:
        pytest.fail("the `chokepoint` console script is not installed (pip install -e .)")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any Chokepoint setting or secret, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHOKEPOINT_", "SLACK_", "SMTP_"))}
    env.update(extra)
    return env


def chokepoint(*args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed `chokepoint` with `args` and return what it did."""
    return subprocess.run(
        [chokepoint_script(), *map(str, args)], env=dict(env if env is not None else clean_env()),
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


_STAMP = re.compile(r"\{\{(now|today)([+-]\d+)([hd])\}\}")


def render(text: str, now: datetime) -> str:
    """Fill the fixtures' placeholders: {{now-3h}} an RFC 822 date, {{today+5d}} an ISO date.

    The fixtures stay fresh for ever: entries within max_age, licences days from expiry.
    """
    def stamp(m: re.Match[str]) -> str:
        amount = int(m.group(2))
        delta = timedelta(hours=amount) if m.group(3) == "h" else timedelta(days=amount)
        if m.group(1) == "now":
            return format_datetime(now + delta, usegmt=True)
        return (now.astimezone(ZoneInfo(TZ)).date() + delta).isoformat()

    return _STAMP.sub(stamp, text)


def serve_feeds(server: FeedServer, now: datetime) -> dict[str, str]:
    """Serve the fixture feeds; returns feed name -> URL."""
    return {name.removesuffix(".xml"): server.add(f"/{name}", render((E2E_DATA / name).read_text(), now))
            for name in FEEDS}


def write_config(folder: Path, feed_urls: Mapping[str, str], now: datetime, *,
                 smtp_port: int | None = None, api_url: str | None = None,
                 server_port: int | None = None) -> Path:
    """chokepoint.yaml plus the rendered licence register and export figures, in `folder`."""
    (folder / "licences.csv").write_text(render((E2E_DATA / "licences.csv").read_text(), now))
    shutil.copy(E2E_DATA / "exports.csv", folder / "exports.csv")
    config: dict[str, Any] = {
        "timezone": TZ,
        "database": f"sqlite:///{folder / 'chokepoint.db'}",
        "rules": str(RULES),
        "feeds": [{"name": name, "url": url, "every": "15m"} for name, url in feed_urls.items()],
        "licences": {"source": "licences.csv"},  # relative: resolved against the config folder
        "trade": {"source": "exports.csv"},
        "slack": {"default_channel": DEFAULT, "timeout": "5s"},
        "routes": [
            {"match": {"severity": ["critical"]}, "slack": URGENT,
             **({"email": [COO]} if smtp_port else {})},
            {"match": {"materials": ["dysprosium", "Tb"]}, "slack": HEAVY},
        ],
    }
    if api_url:
        config["slack"]["api_url"] = api_url
    if smtp_port:
        config["email"] = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "security": "none",
                           "sender": "Chokepoint <alerts@example.com>", "timeout": "5s"}
    if server_port is not None:
        config["server"] = {"host": "127.0.0.1", "port": server_port}
    path = folder / "chokepoint.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def alerts_json(config: Path, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """`chokepoint alerts --json`, one object per line."""
    proc = chokepoint("alerts", "-c", config, "--json", env=env)
    assert proc.returncode == 0, explain(proc)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def outbox(config: Path) -> dict[int, dict[str, str]]:
    """Alert id -> {target: status} of its posts, read straight from the SQLite store."""
    store = Store(f"sqlite:///{config.parent / 'chokepoint.db'}")
    try:
        with store.reader() as s:
            rows = s.execute(select(Delivery.alert_id, Delivery.target, Delivery.status)
                             .where(Delivery.kind == "post")).all()
    finally:
        store.dispose()
    out: dict[int, dict[str, str]] = {}
    for alert_id, target, status in rows:
        out.setdefault(alert_id, {})[target] = status
    return out


def expected_targets(alert: Mapping[str, Any], *, email: bool = True) -> list[str]:
    """The routes of write_config: first match wins, the rest to the default channel."""
    if alert["severity"] == "critical":
        return [f"slack:{URGENT}", *([f"email:{COO}"] if email else [])]
    if {"Dy", "Tb"} & set(alert["materials"]):
        return [f"slack:{HEAVY}"]
    return [f"slack:{DEFAULT}"]


def posts(peer: SlackApiPeer) -> list[SlackCall]:
    return peer.calls_to("chat.postMessage")


def alert_id_of(call: SlackCall) -> int | None:
    """The alert a message is about, from the metadata Chokepoint attaches (None: a summary)."""
    meta = call.body.get("metadata")
    if not isinstance(meta, dict):
        return None
    alert_id = (meta.get("event_payload") or {}).get("alert_id")
    return int(alert_id) if alert_id is not None else None


def delivered_ids(calls: list[SlackCall]) -> list[int]:
    """The alert of every message Slack accepted, one entry per message (summaries left out)."""
    return [alert_id for c in calls if c.ok and (alert_id := alert_id_of(c)) is not None]


def slack_text(call: SlackCall) -> tuple[str, str]:
    """A message's fallback text and its blocks as JSON text."""
    return str(call.body.get("text", "")), json.dumps(call.body.get("blocks", []), ensure_ascii=False)


# -- the cycle ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FirstCycle:
    """What one `chokepoint once` did, seen from outside."""

    proc: subprocess.CompletedProcess[str]
    config: Path
    env: dict[str, str]
    peer: SlackApiPeer
    smtp: SmtpPeer
    feeds: FeedServer
    alerts: list[dict[str, Any]]
    seconds: float


@pytest.fixture(scope="module")
def first_cycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstCycle]:
    folder = tmp_path_factory.mktemp("once")
    now = datetime.now(UTC)
    with FeedServer() as feeds, SlackApiPeer(token=TOKEN) as peer, SmtpPeer(folder=folder) as smtp:
        config = write_config(folder, serve_feeds(feeds, now), now, smtp_port=smtp.port)
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url)
        started = time.monotonic()
        proc = chokepoint("once", "-c", config, env=env)
        seconds = time.monotonic() - started
        alerts = alerts_json(config, env) if proc.returncode == 0 else []
        yield FirstCycle(proc, config, env, peer, smtp, feeds, alerts, seconds)


def test_once_exits_0_when_everything_was_delivered(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    assert "Traceback" not in first_cycle.proc.stderr
    assert first_cycle.seconds < 20, f"one cycle on loopback took {first_cycle.seconds:.1f} s"


def test_once_polls_every_feed_once(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    assert {name: first_cycle.feeds.hits[f"/{name}"] for name in FEEDS} == {n: 1 for n in FEEDS}


def test_alerts_cover_news_licences_and_exports_and_nothing_else(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    got = sorted((a["rule"], a["severity"], tuple(sorted(a["materials"]))) for a in first_cycle.alerts)
    assert got == sorted([
        ("restriction-news", "high", ("Dy",)),  # one story from two feeds: one alert
        ("restriction-news", "high", ("Tb",)),
        ("restriction-news", "high", ("Ga",)),  # the headline with the <!channel> injection
        ("easing-news", "info", ("Ge",)),
        ("licence-expiry", "critical", ("Dy",)),  # 5 days left
        ("licence-expiry", "warning", ("Tb",)),  # 40 days left: the 60-day threshold
        ("export-swing", "high", ("REE",)),  # rare earths worldwide +26% in 2025-11
    ]), "\n".join(a["title"] for a in first_cycle.alerts)
    # SPEC §2: the subject is the licence id, or product/destination for a series.
    subjects = {a["subject"] for a in first_cycle.alerts if a["type"] != "news_restriction"}
    assert {"E2E-DU-0001", "E2E-DU-0002", "rare earths/ALL"} <= subjects
    titles = " | ".join(a["title"] for a in first_cycle.alerts)
    # Older than max_age on the feed's first poll; renewed; and a 3% dip: no alerts.
    assert "antimony" not in titles and "E2E-DU-0004" not in titles


def test_one_story_from_two_feeds_lists_both_sources(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    (story,) = [a for a in first_cycle.alerts if a["rule"] == "restriction-news" and a["materials"] == ["Dy"]]
    assert sorted(story["sources"]) == [
        "https://news.example.com/asia-desk/dysprosium-oxide-exports-halted",
        "https://news.example.com/metals-wire/dysprosium-oxide-halt",
    ]


def test_alerts_json_keeps_the_spec_contract(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    assert first_cycle.alerts
    for alert in first_cycle.alerts:
        assert set(alert) == ALERT_KEYS, alert
        assert isinstance(alert["id"], int) and isinstance(alert["materials"], list)
        assert alert["state"] == "open"
        assert datetime.fromisoformat(alert["created"]).tzinfo is not None
        assert all(isinstance(s, str) and s.startswith("https://") for s in alert["sources"])
        assert [set(d) for d in alert["deliveries"]] == [{"target", "status"}] * len(alert["deliveries"])
    created = [datetime.fromisoformat(a["created"]) for a in first_cycle.alerts]
    assert created == sorted(created, reverse=True), "newest first"


def test_every_alert_went_where_the_routes_say_and_was_sent(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    for alert in first_cycle.alerts:
        targets = [d["target"] for d in alert["deliveries"]]
        assert sorted(targets) == sorted(expected_targets(alert)), alert["title"]
        assert {d["status"] for d in alert["deliveries"]} == {"sent"}, alert
    severities = {a["severity"] for a in first_cycle.alerts}
    assert "critical" in severities  # every route was exercised


def test_slack_received_one_message_per_alert_in_its_routed_channel(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    calls = posts(first_cycle.peer)
    assert calls and all(c.ok and c.token == TOKEN for c in calls)
    assert {c.body["channel"] for c in calls} == {URGENT, HEAVY, DEFAULT}
    by_alert: dict[int, list[str]] = {}
    for call in calls:
        alert_id = alert_id_of(call)
        if alert_id is not None:
            by_alert.setdefault(alert_id, []).append(call.body["channel"])
    expected = {a["id"]: [t.removeprefix("slack:") for t in expected_targets(a) if t.startswith("slack:")]
                for a in first_cycle.alerts}
    assert by_alert == expected


def test_slack_messages_have_blocks_and_no_link_unfurling(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    for call in posts(first_cycle.peer):
        assert isinstance(call.body.get("blocks"), list) and call.body["blocks"], call.body
        assert call.body.get("text"), "a plain-text fallback for notifications"
        assert call.body.get("unfurl_links") is False


def test_injected_markup_arrives_escaped_never_live(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    calls = posts(first_cycle.peer)
    for call in calls:
        for part in slack_text(call):
            for markup in LIVE_MARKUP:
                assert markup not in part, f"live {markup} in a message to {call.body['channel']}"
    (gallium,) = [a for a in first_cycle.alerts if a["materials"] == ["Ga"]]
    assert "<!channel>" in gallium["title"]  # the store keeps the headline as published
    (message,) = [c for c in calls if alert_id_of(c) == gallium["id"]]
    text, blocks = slack_text(message)
    assert "&lt;!channel&gt;" in text
    assert "&lt;!channel&gt;" in blocks


def test_the_critical_route_also_sent_an_email(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    (mail,) = first_cycle.smtp.messages
    assert mail.rcpt_tos == (COO,)
    assert "alerts@example.com" in mail.mail_from
    assert "E2E-DU-0001" in mail.raw.decode("utf-8", "replace")


def test_a_second_once_posts_nothing_new(first_cycle: FirstCycle) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    before_slack, before_mail = len(first_cycle.peer.calls), len(first_cycle.smtp.messages)
    again = chokepoint("once", "-c", first_cycle.config, env=first_cycle.env)
    assert again.returncode == 0, explain(again)
    assert [f"{c.method} {c.body.get('channel')}" for c in first_cycle.peer.calls[before_slack:]] == []
    assert len(first_cycle.smtp.messages) == before_mail
    assert first_cycle.feeds.hits["/metals-wire.xml"] == 2  # it did poll again
    assert alerts_json(first_cycle.config, first_cycle.env) == first_cycle.alerts


def test_the_digest_after_a_cycle_shows_the_week_with_headlines_html_escaped(
        first_cycle: FirstCycle, tmp_path: Path) -> None:
    assert first_cycle.proc.returncode == 0, explain(first_cycle.proc)
    out = tmp_path / "digest.html"
    proc = chokepoint("digest", "-c", first_cycle.config, "--out", out, env=first_cycle.env)
    assert proc.returncode == 0, explain(proc)
    html = out.read_text(encoding="utf-8")
    assert "E2E-DU-0001" in html  # expiring within 60 days
    assert "&lt;!channel&gt; China bans gallium" in html
    assert "<!channel>" not in html and "<@U0BUYER>" not in html
    assert not first_cycle.smtp.messages[1:], "--out writes a file and sends nothing"


# -- Slack misbehaving, bad configuration ------------------------------------------------------

@pytest.fixture
def world(tmp_path: Path, feed_server: FeedServer) -> tuple[Path, dict[str, str]]:
    """Fixture feeds served and data files written; no e-mail route."""
    now = datetime.now(UTC)
    return tmp_path, serve_feeds(feed_server, now)


def test_slack_rate_limit_is_waited_out_and_each_alert_delivered_once(
        world: tuple[Path, dict[str, str]]) -> None:
    folder, urls = world
    with SlackApiPeer(token=TOKEN) as peer:
        peer.fail_next("chat.postMessage", status=429, retry_after=1)
        # The API base from the configuration file this time, not $SLACK_API_URL.
        config = write_config(folder, urls, datetime.now(UTC), api_url=peer.url)
        started = time.monotonic()
        proc = chokepoint("once", "-c", config, env=clean_env(SLACK_BOT_TOKEN=TOKEN))
        seconds = time.monotonic() - started
        assert proc.returncode == 0, explain(proc)
        calls = posts(peer)
    assert calls[0].answer == "http_429"
    assert seconds < 20
    stored = outbox(config)
    delivered = delivered_ids(calls)
    assert sorted(delivered) == sorted(stored), "each alert exactly once"
    assert {status for rows in stored.values() for status in rows.values()} == {"sent"}


def test_once_exits_1_when_slack_refuses_for_good(world: tuple[Path, dict[str, str]]) -> None:
    folder, urls = world
    with SlackApiPeer(token=TOKEN) as peer:
        peer.fail_next("chat.postMessage", error="channel_not_found", times=100)
        config = write_config(folder, urls, datetime.now(UTC))
        proc = chokepoint("once", "-c", config,
                          env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url))
    assert proc.returncode == 1, explain(proc)
    assert "Traceback" not in proc.stderr
    assert "channel_not_found" in proc.stdout + proc.stderr  # the log says why
    statuses = {status for rows in outbox(config).values() for status in rows.values()}
    assert statuses == {"failed"}


def test_once_exits_1_when_slack_answers_500_to_everything(world: tuple[Path, dict[str, str]]) -> None:
    folder, urls = world
    with SlackApiPeer(token=TOKEN) as peer:
        peer.fail_next("chat.postMessage", status=500, times=1000)
        config = write_config(folder, urls, datetime.now(UTC))
        # --wait 2: the 30 s back-off after a 5xx is beyond it, so `once` gives up at once.
        proc = chokepoint("once", "-c", config, "--wait", "2", timeout=60,
                          env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url))
    assert proc.returncode == 1, explain(proc)
    assert {status for rows in outbox(config).values() for status in rows.values()} == {"pending"}


def test_bad_configuration_exits_2_with_the_file_line_and_reason(tmp_path: Path) -> None:
    config = tmp_path / "chokepoint.yaml"
    config.write_text("feeds:\n  - name: mining-com\n    url: https://www.mining.com/feed/\n"
                      "    every: soon\n")
    proc = chokepoint("once", "-c", config)
    assert proc.returncode == 2, explain(proc)
    assert str(config) in proc.stderr and "line 4" in proc.stderr and "every" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_configuration_exits_2_and_says_how_to_give_one(tmp_path: Path) -> None:
    proc = chokepoint("once", "-c", tmp_path / "nowhere.yaml")
    assert proc.returncode == 2, explain(proc)
    assert "not found" in proc.stderr and "-c FILE" in proc.stderr
