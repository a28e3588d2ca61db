"""End to end: `chokepoint demo` needs nothing but the package, and never touches Slack."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.helpers.e2e import TOKEN, chokepoint, clean_env, explain
from tests.peers.slack_api import SlackApiPeer


def test_demo_prints_alerts_and_writes_the_digest_without_calling_slack(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    # A Slack token and API in the environment must not turn the demo into a live run.
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url,
                    SLACK_SIGNING_SECRET="unused", CHOKEPOINT_DATABASE=f"sqlite:///{tmp_path}/no.db")
    started = time.monotonic()
    proc = chokepoint("demo", env=env, cwd=tmp_path, timeout=30)
    seconds = time.monotonic() - started

    assert proc.returncode == 0, explain(proc)
    assert "Traceback" not in proc.stderr
    assert seconds < 30
    for kind in ("Licence expiry", "Export swing", "Export restriction", "Easing"):
        assert kind in proc.stdout, f"no {kind!r} alert printed"
    for channel in ("#supply-risk-urgent", "#heavy-rare-earths", "#supply-risk"):
        assert f"to {channel}" in proc.stdout
    assert "[Acknowledge]" in proc.stdout  # shown as Slack would show it, buttons included
    assert slack_peer.calls == [] and slack_peer.responses == []

    digest = tmp_path / "chokepoint-digest.html"
    html = digest.read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert re.search(r"<img\b[^>]*\bsrc=\"data:image/(png|svg\+xml);base64,", html), "chart inline"
    assert str(digest.name) in proc.stdout
    # Only the digest is left behind: the demo's SQLite lives in a temporary folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chokepoint-digest.html"]
