"""RuleContext: all a rule may look at, built by the pipeline (rules never touch the store)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from bot.materials import UnknownMaterial, display_name
from bot.models import (
    Alert,
    Entry,
    FeedHealth,
    Licence,
    Link,
    StatusChange,
    TradePoint,
    find_renewals,  # noqa: F401 - re-exported for rules
)
from bot.policy.measures import Measure


@dataclass(frozen=True)
class StoryRef:
    """An existing story alert, so that a later source of the same story joins it."""

    rule_id: str
    key: str
    titles: tuple[str, ...]
    links: tuple[str, ...]
    materials: tuple[str, ...]
    created: datetime

    @classmethod
    def from_alert(cls, alert: Alert) -> StoryRef:
        headline = next((v for k, v in alert.facts if k == "Headline"), alert.title)
        return cls(
            rule_id=alert.rule_id,
            key=alert.key,
            titles=tuple(dict.fromkeys((headline, alert.title))),
            links=tuple(s.url for s in alert.sources),
            materials=alert.materials,
            created=alert.created,
        )


def _frozen_map(m: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True)
class RuleContext:
    """One evaluation cycle's view of the world.

    `now` is aware UTC; `today` is the date in the configured time zone.
    """

    now: datetime
    today: date
    entries: tuple[Entry, ...] = ()
    licences: tuple[Licence, ...] = ()
    licence_changes: tuple[StatusChange, ...] = ()
    renewals: Mapping[str, str] = field(default_factory=lambda: _frozen_map(None))
    trade: tuple[TradePoint, ...] = ()
    feeds: tuple[FeedHealth, ...] = ()
    recent_stories: tuple[StoryRef, ...] = ()
    policies: tuple[Measure, ...] = ()  # the policy register (policy_deadline)
    # The classifier's verdicts by entry uid, shared by the news rules of this cycle only.
    verdicts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("RuleContext.now must be an aware datetime (UTC)")
        # Accept lists and dicts from callers but keep the context immutable.
        for name in ("entries", "licences", "licence_changes", "trade", "feeds", "recent_stories",
                     "policies"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "renewals", _frozen_map(self.renewals))

    def licence(self, licence_id: str) -> Licence | None:
        return next((lic for lic in self.licences if lic.licence_id == licence_id), None)


def links_of(entries: Iterable[Entry]) -> tuple[Link, ...]:
    """One Link per distinct URL, labelled with the feed it came from, with its time."""
    seen: dict[str, Link] = {}
    for e in entries:
        if e.link and e.link not in seen:
            seen[e.link] = Link(url=e.link, label=e.feed, published=e.published)
    return tuple(seen.values())


def material_name(key: str) -> str:
    """'dysprosium (Dy)' for a known key; the key itself otherwise (never raises in a message)."""
    try:
        return display_name(key)
    except (UnknownMaterial, KeyError):
        return key
