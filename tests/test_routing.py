"""Routing (SPEC §3 routes): first match wins, default channel, e-mail targets, DM subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.alerts.route import targets_for
from bot.config import RouteConfig
from bot.models import Match
from bot.store import Store
from bot.store.subscriptions import (
    subscribe,
    subscribers_by_material,
    subscriptions_of,
    unsubscribe,
)

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DEFAULT = "#supply-risk"
ROUTES = [
    RouteConfig.model_validate(
        {"match": {"severity": ["critical"]}, "slack": "#supply-risk-urgent",
         "email": ["coo@example.com"]}
    ),
    RouteConfig.model_validate({"match": {"materials": ["dysprosium", "Tb"]},
                                "slack": "#heavy-rare-earths"}),
    RouteConfig.model_validate({"match": {"rule": ["magnet-swings"], "type": ["export_swing"]},
                                "slack": "#magnets"}),
    RouteConfig.model_validate({"match": {"type": ["feed_stale"]}, "email": ["ops@example.com"]}),
]


def stored_targets(*args: Any) -> list[str]:
    """The targets as the outbox stores them (and `chokepoint alerts` shows them)."""
    return [str(t) for t in targets_for(*args)]


def match(severity: str = "warning", materials: tuple[str, ...] = (), rule: str = "news",
          rule_type: str = "news_restriction") -> Match:
    return Match(rule_id=rule, rule_type=rule_type, key=f"{rule}:{severity}:{materials}",
                 severity=severity, title="t", subject="s", materials=materials)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alert", "expected"),
    [
        # critical wins over the Dy route below it: first match wins
        (match("critical", ("Dy",)), ["slack:#supply-risk-urgent", "email:coo@example.com"]),
        (match("high", ("Dy",)), ["slack:#heavy-rare-earths"]),
        (match("warning", ("Ga", "Tb")), ["slack:#heavy-rare-earths"]),
        # both conditions of a route must hold: right rule, wrong type
        (match("high", ("NdFeB",), rule="magnet-swings", rule_type="news_restriction"),
         ["slack:" + DEFAULT]),
        (match("high", ("NdFeB",), rule="magnet-swings", rule_type="export_swing"),
         ["slack:#magnets"]),
        # a route with only e-mail sends no Slack message
        (match("warning", (), rule="stale", rule_type="feed_stale"), ["email:ops@example.com"]),
        (match("info", ("Ga",)), ["slack:" + DEFAULT]),
    ],
)
def test_first_matching_route_wins_and_unmatched_goes_to_the_default_channel(
    alert: Match, expected: list[str]
) -> None:
    assert stored_targets(alert, ROUTES, DEFAULT, {}) == expected


def test_no_routes_sends_everything_to_the_default_channel() -> None:
    assert stored_targets(match("critical", ("Dy",)), [], "#alerts", {}) == ["slack:#alerts"]


def test_route_materials_accept_aliases_and_the_rare_earth_group_covers_its_elements() -> None:
    routes = [RouteConfig.model_validate({"match": {"materials": ["rare earths"]},
                                          "slack": "#ree"})]
    assert stored_targets(match(materials=("Tb",)), routes, DEFAULT, {}) == ["slack:#ree"]
    assert stored_targets(match(materials=("Ga",)), routes, DEFAULT, {}) == ["slack:" + DEFAULT]


def test_subscribers_get_a_dm_for_alerts_on_their_materials(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    with store.session() as s:
        assert subscribe(s, "U1", ["Dy", "Tb"], NOW) == ["Dy", "Tb"]
        assert subscribe(s, "U1", ["Dy"], NOW) == []  # already subscribed
        subscribe(s, "U2", ["Ga"], NOW)
        subscribe(s, "U3", ["REE"], NOW)
    with store.session() as s:
        subscribers = subscribers_by_material(s)
        assert subscriptions_of(s, "U1") == ["Dy", "Tb"]
    targets = stored_targets(match("high", ("Dy", "Tb")), ROUTES, DEFAULT, subscribers)
    # one DM per user even with two matching materials; U3 follows all rare earths
    assert targets == ["slack:#heavy-rare-earths", "slack-dm:U1", "slack-dm:U3"]
    assert stored_targets(match("info", ("Ga",)), ROUTES, DEFAULT, subscribers) == [
        "slack:" + DEFAULT, "slack-dm:U2"]

    with store.session() as s:
        assert unsubscribe(s, "U1", ["Dy", "Sb"]) == ["Dy"]
    with store.session() as s:
        subscribers = subscribers_by_material(s)
    assert "slack-dm:U1" not in stored_targets(match("high", ("Dy",)), ROUTES, DEFAULT, subscribers)
    assert "slack-dm:U1" in stored_targets(match("high", ("Tb",)), ROUTES, DEFAULT, subscribers)
