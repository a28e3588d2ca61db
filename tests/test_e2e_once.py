"""End to end: the installed `chokepoint once` against loopback feeds, Slack and SMTP peers.

The helpers the end-to-end tests share are in tests/helpers/e2e.py.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.e2e import (
    ALERT_KEYS,
    COO,
    DEFAULT,
    FEEDS,
    HEAVY,
    LIVE_MARKUP,
    TOKEN,
    URGENT,
    alert_id_of,
    alerts_json,
    chokepoint,
    clean_env,
    delivered_ids,
    expected_targets,
    explain,
    outbox,
    posts,
    serve_feeds,
    slack_text,
    write_config,
)
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer

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
