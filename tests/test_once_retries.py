"""`chokepoint once` rides out a short Slack hiccup: the first retries come within seconds."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.e2e import (
    TOKEN,
    chokepoint,
    clean_env,
    delivered_ids,
    explain,
    outbox,
    posts,
    serve_feeds,
    write_config,
)
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer


@pytest.mark.parametrize("script", [
    [("status", 500), ("status", 500)],
    [("status", 429), ("status", 500), ("status", 429)],
])
def test_once_ends_in_exit_0_when_slack_recovers_within_its_wait(
    tmp_path: Path, feed_server: FeedServer, script: list[tuple[str, int]],
) -> None:
    now = datetime.now(UTC)
    with SlackApiPeer(token=TOKEN) as peer:
        for _, status in script:
            peer.fail_next("chat.postMessage", status=status, retry_after=1 if status == 429 else None)
        config = write_config(tmp_path, serve_feeds(feed_server, now), now)
        started = time.monotonic()
        proc = chokepoint("once", "-c", config, "--wait", "30", timeout=120,
                          env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url))
        took = time.monotonic() - started
        calls = posts(peer)
    assert proc.returncode == 0, explain(proc)
    stored = outbox(config)
    assert sorted(delivered_ids(calls)) == sorted(stored), "each alert exactly once"
    assert took < 30


def test_once_with_a_wrong_token_keeps_every_alert_pending_and_says_so_once(
    tmp_path: Path, feed_server: FeedServer,
) -> None:
    now = datetime.now(UTC)
    with SlackApiPeer(token=TOKEN) as peer:
        config = write_config(tmp_path, serve_feeds(feed_server, now), now)
        proc = chokepoint("once", "-c", config, "--wait", "2", timeout=120,
                          env=clean_env(SLACK_BOT_TOKEN="xoxb-wrong-token", SLACK_API_URL=peer.url))
        wrong = len(posts(peer))
        assert proc.returncode == 1, explain(proc)
        assert (proc.stdout + proc.stderr).count("invalid_auth") <= 2, explain(proc)
        assert "paused" in proc.stdout
        assert {s for rows in outbox(config).values() for s in rows.values()} == {"pending"}
        assert wrong == 1, "one probe, not one post per alert"
        # With the token fixed and the pause over (moved back in time), everything goes out.
        db = config.parent / "chokepoint.db"
        con = sqlite3.connect(db)
        con.execute("UPDATE deliveries SET next_attempt = '2000-01-01 00:00:00' WHERE status = 'pending'")
        con.commit()
        con.close()
        proc = chokepoint("once", "-c", config, "--wait", "30", timeout=120,
                          env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url))
    assert proc.returncode == 0, explain(proc)
    assert {s for rows in outbox(config).values() for s in rows.values()} == {"sent"}
