"""End to end: Chinese headlines and the materials graph, through the installed `chokepoint`.

`test-rules --json` on a feed of Chinese notices gives canonical materials; `chokepoint once`
against loopback peers delivers a dysprosium oxide restriction and a rare-earth restriction
to a route on NdFeB (a magnet buyer), and shows a Chinese headline with one English line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.e2e import (
    E2E_DATA,
    RULES,
    TOKEN,
    alert_id_of,
    alerts_json,
    chokepoint,
    clean_env,
    explain,
    posts,
    render,
    slack_text,
)
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer

MAGNETS, DEFAULT = "#magnet-buyers", "#supply-risk"


def test_test_rules_json_on_chinese_headlines_gives_canonical_materials(tmp_path: Path) -> None:
    feed = tmp_path / "zh.xml"
    feed.write_text(render((E2E_DATA / "zh-notices.xml").read_text(encoding="utf-8"),
                           datetime.now(UTC)), encoding="utf-8")
    proc = chokepoint("test-rules", feed, "--json", cwd=tmp_path)
    assert proc.returncode == 0, explain(proc)
    got = {}
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        got[obj["link"].rsplit("/", 1)[-1]] = [(a["type"], a["materials"]) for a in obj["alerts"]]
    assert got == {
        "2023-23": [("news_restriction", ["Ga", "Ge"])],
        # the notice names the group; its lede names the seven elements, which it carries
        "2025-18": [("news_restriction", ["REE", "Sm", "Gd", "Tb", "Dy", "Lu", "Y", "Sc"])],
        "suspend-46": [("news_easing", ["Ga", "Ge", "Sb"])],  # traditional characters
        "magnet-licences": [("news_easing", ["REE", "NdFeB"])],
        "dy2o3": [],  # a price report whose summary mentions the controls in force
        "graphite-anode": [("news_restriction", ["graphite"])],
    }


def _config(folder: Path, feed_url: str) -> Path:
    config: dict[str, Any] = {
        "database": f"sqlite:///{folder / 'chokepoint.db'}",
        "rules": str(RULES),
        "feeds": [{"name": "magnet-desk", "url": feed_url, "every": "15m"}],
        "slack": {"default_channel": DEFAULT, "timeout": "5s"},
        "routes": [{"match": {"materials": ["NdFeB"]}, "slack": MAGNETS}],
    }
    path = folder / "chokepoint.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_a_route_on_ndfeb_receives_dysprosium_and_rare_earth_restrictions(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with FeedServer() as feeds, SlackApiPeer(token=TOKEN) as peer:
        url = feeds.add("/magnet-desk.xml",
                        render((E2E_DATA / "magnet-desk.xml").read_text(encoding="utf-8"), now))
        config = _config(tmp_path, url)
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url)
        proc = chokepoint("once", "-c", config, env=env)
        assert proc.returncode == 0, explain(proc)
        alerts = alerts_json(config, env)
        calls = posts(peer)
    by_channel: dict[str, list[str]] = {}
    for call in calls:
        by_channel.setdefault(str(call.body.get("channel")), []).append(slack_text(call)[0])
    magnets = " | ".join(by_channel.get(MAGNETS, []))
    assert "dysprosium oxide" in magnets, by_channel
    assert "rare earth export controls" in magnets, by_channel
    assert "gallium" not in magnets, by_channel
    assert any("gallium" in text for text in by_channel.get(DEFAULT, [])), by_channel
    materials = sorted(tuple(a["materials"]) for a in alerts)
    assert ("Dy",) in materials and ("REE",) in materials and ("Ga",) in materials, materials

    # The Chinese notice reaches the magnet route too (it names Dy and Tb), showing the
    # original headline and one English line saying what was judged.
    (notice,) = [c for c in calls if "中重稀土" in slack_text(c)[0] and alert_id_of(c) is not None]
    assert notice.body.get("channel") == MAGNETS
    blocks = slack_text(notice)[1]
    assert "公告2025年第18号" in blocks
    assert "restriction (export controls or duties imposed) on rare earths (REE)" in blocks
