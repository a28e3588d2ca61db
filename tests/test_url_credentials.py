"""Credentials in a configured source URL never reach Slack, the logs or the store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import yaml

from tests.helpers.e2e import E2E_DATA, TOKEN, chokepoint, clean_env, posts, render, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer

PASSWORD, TOKEN_VALUE = "hunter2pw", "tok3nSECRET"


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://reader:{PASSWORD}@", 1) + f"?token={TOKEN_VALUE}&x=1"


def test_shown_url_drops_userinfo_and_query_values_but_keeps_host_path_and_names() -> None:
    from bot.redact import redact_urls, shown_url

    assert shown_url("https://u:p@host.example:8443/a/b.csv?token=abc&x=1#frag") == \
        "https://host.example:8443/a/b.csv?token=…&x=…"
    assert shown_url("/srv/data/licences.csv") == "/srv/data/licences.csv"
    assert redact_urls("GET http://u:p@h/x?k=v failed") == "GET http://h/x?k=… failed"


def test_a_failing_licence_source_with_credentials_never_shows_them(
    tmp_path: Path, feed_server: FeedServer, slack_peer: SlackApiPeer,
) -> None:
    now = datetime.now(UTC)
    good = feed_server.add("/metals-wire.xml", render((E2E_DATA / "metals-wire.xml").read_text(), now))
    config = write_config(tmp_path, {"metals-wire": with_credentials(good)}, now, api_url=slack_peer.url)
    data = yaml.safe_load(config.read_text())
    data["licences"]["source"] = with_credentials(feed_server.url("/missing.csv"))
    data["trade"]["source"] = with_credentials(feed_server.url("/missing-too.csv"))
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    proc = chokepoint("--verbose", "once", "-c", config, env=env, timeout=120)
    sent = " ".join(c.raw.decode() for c in posts(slack_peer))
    assert "could not be loaded" in sent, "the operator alert was posted"
    assert "missing.csv" in sent, "it names the source"
    database = sqlite3.connect(tmp_path / "chokepoint.db")
    dump = "\n".join(database.iterdump())
    database.close()
    assert "missing.csv" in dump and "metals-wire.xml" in dump
    for secret in (PASSWORD, TOKEN_VALUE):
        assert secret not in sent, "in Slack"
        assert secret not in proc.stderr + proc.stdout, "in the logs"
        assert secret not in dump, "in the store"
