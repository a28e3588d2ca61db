"""`chokepoint test-rules`: a dry run over a feed; its JSON lines have exactly the spec's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import dry_run
from bot.rules import rule_type
from bot.rules.base import RuleBase
from bot.rules.loader import load_rules
from tests.peers.http_feeds import FeedServer

ROOT = Path(__file__).resolve().parents[1]
FEED = Path(__file__).parent / "data" / "test_feed.xml"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack() -> list[RuleBase]:
    return load_rules(ROOT / "rules")


def json_lines(rules: list[RuleBase], source: str = str(FEED)) -> list[dict[str, object]]:
    out = dry_run.format_json(dry_run.test_rules(source, rules, NOW))
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def test_json_lines_have_exactly_the_spec_shape(pack: list[RuleBase]) -> None:
    lines = json_lines(pack)
    assert len(lines) == 12  # one per entry, whether or not a rule fires
    for obj in lines:
        assert list(obj) == ["title", "link", "alerts"]
        assert isinstance(obj["title"], str) and isinstance(obj["link"], str)
        assert isinstance(obj["alerts"], list)
        for alert in obj["alerts"]:
            assert list(alert) == ["rule", "type", "severity", "materials"]
            assert alert["type"] in ("news_restriction", "news_easing")
            assert alert["severity"] in ("info", "warning", "high", "critical")
            assert isinstance(alert["materials"], list) and alert["materials"]


def test_the_default_pack_on_the_test_feed(pack: list[RuleBase]) -> None:
    fired = {
        obj["title"]: [(a["rule"], tuple(a["materials"])) for a in obj["alerts"]]  # type: ignore[attr-defined]
        for obj in json_lines(pack)
    }
    assert fired["China halts exports of dysprosium and terbium oxides to US"] == [
        ("restriction-news", ("Tb", "Dy"))]
    assert fired["China suspends export controls on gallium and germanium"] == [
        ("easing-news", ("Ga", "Ge"))]
    assert fired["China bans antimony exports to the United States"] == [
        ("restriction-news", ("Sb",))]
    assert fired["<!channel> China halts tungsten exports <@U123>"] == [
        ("restriction-news", ("W",))]
    for quiet in ("Lynas reports record quarterly rare earths output",
                  "Tesla cuts prices of Model Y in China", "Apple Watch import ban lifted",
                  "Analysts ask whether China could ban gallium exports again"):
        assert fired[quiet] == []


def test_only_enabled_news_rules_are_evaluated() -> None:
    dy_only = rule_type("news_restriction").model_validate(
        {"id": "dy", "type": "news_restriction", "materials": ["Dy"], "severity": "critical"})
    off = rule_type("news_easing").model_validate(
        {"id": "off", "type": "news_easing", "enabled": False})
    stale = rule_type("feed_stale").model_validate({"id": "stale", "type": "feed_stale"})
    lines = json_lines([dy_only, off, stale])
    alerts = [a for obj in lines for a in obj["alerts"]]  # type: ignore[attr-defined]
    # A rule on Dy also sees stories about the rare earths as a group.
    assert alerts == [
        {"rule": "dy", "type": "news_restriction", "severity": "critical", "materials": m}
        for m in (["Tb", "Dy"], ["REE"])]


def test_text_output_shows_rules_materials_severity_and_the_deciding_words(
    pack: list[RuleBase],
) -> None:
    text = dry_run.format_text(dry_run.test_rules(str(FEED), pack, NOW))
    assert ("China halts exports of dysprosium and terbium oxides to US\n"
            "  https://wire.example.com/2026/03/02/china-halts-dy-tb\n"
            '  -> restriction-news (news_restriction, high) [Tb, Dy]: restrict: "halts exports"'
            in text)
    assert ("Analysts ask whether China could ban gallium exports again\n"
            "  https://wire.example.com/2026/02/25/gallium-analysis\n"
            "  no rule fires (neither: \"ban ... exports\" is speculative" in text)
    assert text.endswith("12 entries, 7 would alert.\n")


def test_a_feed_url_is_read_too(pack: list[RuleBase], feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED.read_bytes())
    assert json_lines(pack, feed_server.url("/feed.xml")) == json_lines(pack)


def test_nothing_is_stored(pack: list[RuleBase], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dry_run.test_rules(str(FEED), pack, NOW)
    assert list(tmp_path.iterdir()) == []
