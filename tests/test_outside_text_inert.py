"""Outside text carries no invisible or direction-changing characters and cannot format,
checked in what Slack and the SMTP peer actually receive from `chokepoint once`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.e2e import (
    E2E_DATA,
    TOKEN,
    chokepoint,
    clean_env,
    explain,
    posts,
    render,
    write_config,
)
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer

RLO, PDI, ZWSP, LRI = "\u202e", "\u2069", "\u200b", "\u2066"
INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff")


def test_bidi_and_zero_width_characters_never_reach_slack_or_email_and_marks_do_not_format(
    tmp_path: Path, feed_server: FeedServer, slack_peer: SlackApiPeer, smtp_peer: SmtpPeer,
) -> None:
    now = datetime.now(UTC)
    feed = render((E2E_DATA / "metals-wire.xml").read_text(), now).replace(
        "China halts dysprosium oxide exports pending licence review",
        f"*URGENT* China halts dys{ZWSP}prosium oxide exports {RLO}weiver ecnecil{PDI} _now_")
    url = feed_server.add("/metals-wire.xml", feed)
    config = write_config(tmp_path, {"metals-wire": url}, now, api_url=slack_peer.url,
                          smtp_port=smtp_peer.port)
    licences = (tmp_path / "licences.csv").read_text().replace(
        "Example Ganzhou Magnetics Co.", f"Example {LRI}Ganzhou{PDI} Magnetics{RLO}LTR Co.")
    (tmp_path / "licences.csv").write_text(licences)
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    proc = chokepoint("once", "-c", config, env=env, timeout=120)
    assert proc.returncode == 0, explain(proc)
    texts = "\n".join(json.dumps(c.body, ensure_ascii=False) for c in posts(slack_peer))
    assert "China halts dysprosium oxide exports" in texts, "the headline arrived, joined up"
    assert "Magnetics" in texts
    assert smtp_peer.messages, "the critical alert went by e-mail too"
    mail = "\n".join(m.message.as_string() + str(m.message.get_body(("plain",)).get_content())
                     for m in smtp_peer.messages)
    for where, text in (("Slack", texts), ("e-mail", mail)):
        found = sorted({f"U+{ord(c):04X}" for c in text if c in INVISIBLE})
        assert found == [], f"{where} received {found}"
    assert "*URGENT*" not in texts and "_now_" not in texts, "outside text could format in Slack"
    assert "URGENT" in texts
