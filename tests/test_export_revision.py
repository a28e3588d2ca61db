"""An export-swing alert is resolved, saying so, once a revision of its month undoes the swing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.e2e import TOKEN, alerts_json, chokepoint, clean_env, explain, serve_feeds, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer


def test_a_revision_that_removes_the_swing_resolves_the_alert_and_updates_its_message(
    tmp_path: Path, feed_server: FeedServer, slack_peer: SlackApiPeer,
) -> None:
    now = datetime.now(UTC)
    config = write_config(tmp_path, serve_feeds(feed_server, now), now, api_url=slack_peer.url)
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    first = chokepoint("once", "-c", config, env=env, timeout=120)
    assert first.returncode == 0, explain(first)
    [swing] = [a for a in alerts_json(config, env) if a["type"] == "export_swing"
               and "2025-11" in a["title"] and "worldwide" in a["title"]]
    assert swing["state"] == "open"
    exports = tmp_path / "exports.csv"
    exports.write_text(exports.read_text().replace("2025-11,rare earths,ALL,5493.9",
                                                   "2025-11,rare earths,ALL,4400.0"))
    second = chokepoint("once", "-c", config, env=env, timeout=120)
    assert second.returncode == 0, explain(second)
    [after] = [a for a in alerts_json(config, env) if a["id"] == swing["id"]]
    assert after["state"] == "resolved"
    updates = [c for c in slack_peer.calls_to("chat.update") if c.ok]
    assert any("revised" in c.body.get("text", "") + str(c.body.get("blocks")) for c in updates)
