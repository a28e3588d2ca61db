"""Routing (docs/configuration.md `routes`): which targets (Slack channels, DMs, e-mail) an alert goes to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from bot.config import RouteConfig, RouteMatch
from bot.material_graph import any_covered
from bot.models import Target


class Routable(Protocol):
    """What routing looks at; both Match and Alert have it."""

    @property
    def rule_id(self) -> str: ...
    @property
    def rule_type(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def materials(self) -> tuple[str, ...]: ...


def _any_covered(wanted: Iterable[str], materials: Sequence[str]) -> bool:
    """Through the materials graph: a route or subscription on NdFeB hears of Dy and REE."""
    return any_covered(wanted, materials)


def route_matches(match: RouteMatch, alert: Routable) -> bool:
    """Every condition given must hold; a list matches if any of its items does; none: catch-all."""
    if match.severity is not None and alert.severity not in match.severity:
        return False
    if match.materials is not None and not _any_covered(match.materials, alert.materials):
        return False
    if match.rule is not None and alert.rule_id not in match.rule:
        return False
    return match.type is None or alert.rule_type in match.type


def first_route(alert: Routable, routes: Sequence[RouteConfig]) -> RouteConfig | None:
    return next((r for r in routes if route_matches(r.match, alert)), None)


def targets_for(
    match_or_alert: Routable,
    routes: Sequence[RouteConfig],
    default_channel: str,
    subscribers: Mapping[str, Sequence[str]],
) -> list[Target]:
    """The outbox targets for one alert, without duplicates, in a stable order.

    The first matching route wins (as in Alertmanager): its Slack channel and its e-mail
    recipients; a route with only e-mail sends no Slack message. No match: the default
    channel. Plus a DM for every user subscribed to one of the alert's materials.
    """
    targets: list[Target] = []
    route = first_route(match_or_alert, routes)
    if route is None:
        targets.append(Target("slack", default_channel))
    else:
        if route.slack:
            targets.append(Target("slack", route.slack))
        targets.extend(Target("email", address) for address in route.email)
    for wanted, users in subscribers.items():
        if _any_covered((wanted,), match_or_alert.materials):
            targets.extend(Target("slack-dm", user) for user in users)
    return list(dict.fromkeys(targets))
