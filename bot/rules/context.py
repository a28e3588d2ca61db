"""RuleContext: all a rule may look at, built by the pipeline (rules never touch the store)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Protocol

from bot.materials import UnknownMaterial, display_name
from bot.models import (
    Alert,
    Entry,
    Licence,
    Link,
    TradePoint,
    find_renewals,  # noqa: F401 - re-exported for rules
)


@dataclass(frozen=True)
class StatusChange:
    """A licence's status changed between two refreshes (old is None on first sight)."""

    licence_id: str
    old: str | None
    new: str
    when: datetime


class FeedLike(Protocol):
    """What feed_stale reads of a feed; bot.store.feeds.FeedHealth fits as it is.

    Optional, read when present: `first_success`, and `first_attempt` (when polling began),
    without which a feed that has never once succeeded cannot be judged stale.
    """

    @property
    def name(self) -> str: ...
    @property
    def last_success(self) -> datetime | None: ...
    @property
    def last_new_entry(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def failures(self) -> int: ...


@dataclass(frozen=True)
class FeedHealth:
    """What a feed_stale rule needs to know about one feed (a FeedLike with every field)."""

    name: str
    last_success: datetime | None = None
    last_new_entry: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    first_success: datetime | None = None
    # When polling started; judges a feed that has never once succeeded.
    first_attempt: datetime | None = None
    failures: int = 0


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
    feeds: tuple[FeedLike, ...] = ()
    recent_stories: tuple[StoryRef, ...] = ()
    # The classifier's verdicts by entry uid, shared by the news rules of this cycle only.
    verdicts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("RuleContext.now must be an aware datetime (UTC)")
        # Accept lists and dicts from callers but keep the context immutable.
        for name in ("entries", "licences", "licence_changes", "trade", "feeds", "recent_stories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "renewals", _frozen_map(self.renewals))

    def licence(self, licence_id: str) -> Licence | None:
        return next((lic for lic in self.licences if lic.licence_id == licence_id), None)


def links_of(entries: Iterable[Entry]) -> tuple[Link, ...]:
    """One Link per distinct URL, labelled with the feed it came from."""
    seen: dict[str, Link] = {}
    for e in entries:
        if e.link and e.link not in seen:
            seen[e.link] = Link(url=e.link, label=e.feed)
    return tuple(seen.values())


def material_name(key: str) -> str:
    """'dysprosium (Dy)' for a known key; the key itself otherwise (never raises in a message)."""
    try:
        return display_name(key)
    except (UnknownMaterial, KeyError):
        return key
