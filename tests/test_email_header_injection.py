"""Outside text in an alert e-mail's Subject is inert: encoded words in a headline or a licence
holder never become header lines (what the SMTP peer receives from `chokepoint once`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from tests.helpers.e2e import E2E_DATA, TOKEN, chokepoint, clean_env, explain, render, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer

HEADLINE = ("China bans dysprosium oxide exports; =?utf-8?q?=0D=0AReply-To:_attacker@evil.example"
            "=0D=0AContent-Type:_text/plain?= now")
HOLDER = "Evil=?utf-8?q?=0D=0ABcc:_x@y?= Co"


def test_encoded_words_in_a_headline_or_a_holder_never_become_e_mail_headers(
    tmp_path: Path, feed_server: FeedServer, slack_peer: SlackApiPeer, smtp_peer: SmtpPeer,
) -> None:
    now = datetime.now(UTC)
    feed = render((E2E_DATA / "metals-wire.xml").read_text(), now).replace(
        "China halts dysprosium oxide exports pending licence review", HEADLINE)
    url = feed_server.add("/metals-wire.xml", feed)
    config = write_config(tmp_path, {"metals-wire": url}, now, api_url=slack_peer.url,
                          smtp_port=smtp_peer.port)
    register = tmp_path / "licences.csv"
    register.write_text(register.read_text().replace("Example Ganzhou Magnetics Co. (FICTITIOUS)", HOLDER))
    data = yaml.safe_load(config.read_text())
    data["routes"][0]["match"]["severity"] = ["critical", "high"]  # the headline goes by e-mail too
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    proc = chokepoint("once", "-c", config, env=env, timeout=120)
    assert proc.returncode == 0, explain(proc)
    subjects = [str(m.message["Subject"]) for m in smtp_peer.messages]
    assert any("China bans dysprosium" in s for s in subjects), subjects
    assert any("Evil" in s for s in subjects), subjects
    for m in smtp_peer.messages:
        assert m.message["Reply-To"] is None and m.message["Bcc"] is None
        assert m.message.get_content_type() == "multipart/alternative"
        header_block = m.raw.split(b"\r\n\r\n", 1)[0].lower()
        for line in (b"\nreply-to:", b"\nbcc:", b"\ncontent-type: text/plain"):
            assert line not in header_block, m.raw[:800]
        subject = str(m.message["Subject"])
        if "China bans dysprosium" in subject:
            assert HEADLINE in subject, "the headline reads back exactly as published"
        if "Evil" in subject:
            assert HOLDER in subject
