"""A feed that trickles its body cannot hold a fetch, or a cycle, past the feed's time limit."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.sources.fetch import FetchError, fetch, make_client
from tests.helpers.e2e import E2E_DATA, TOKEN, chokepoint, clean_env, explain, posts, render, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer

BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>slow</title>" + b" " * 4000


@pytest.mark.parametrize("chunked", [False, True])
def test_a_dripping_body_is_cut_off_at_the_overall_deadline(feed_server: FeedServer, chunked: bool) -> None:
    url = feed_server.add("/drip.xml", BODY, drip=0.05, chunked=chunked)
    client = make_client(timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 1 s"):
        fetch(client, url, timeout=1.0)
    took = time.monotonic() - started
    client.close()
    assert took < 1.6, f"the fetch ran {took:.1f} s against a 1 s limit"


def test_once_with_a_dripping_feed_ends_near_its_limit_and_delivers_the_healthy_feeds_alerts(
    tmp_path: Path, feed_server: FeedServer, slack_peer: SlackApiPeer,
) -> None:
    now = datetime.now(UTC)
    good = feed_server.add("/metals-wire.xml", render((E2E_DATA / "metals-wire.xml").read_text(), now))
    drip = feed_server.add("/drip.xml", BODY, drip=0.1)
    config = write_config(tmp_path, {"metals-wire": good}, now, api_url=slack_peer.url)
    data = yaml.safe_load(config.read_text())
    data["feeds"].append({"name": "drip", "url": drip, "timeout": "2s"})
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    started = time.monotonic()
    proc = chokepoint("once", "-c", config, env=env, timeout=120)
    took = time.monotonic() - started
    assert proc.returncode == 0, explain(proc)
    assert "(1 failed)" in proc.stdout
    assert took < 20, f"once ran {took:.1f} s with a feed limited to 2 s"
    assert any(c.ok for c in posts(slack_peer)), "the healthy feed's alerts were delivered"
