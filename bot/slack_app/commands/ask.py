"""Who is asking, when, and where to look: everything an answer needs besides the text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.exposure import Part
from bot.policy.measures import Measure
from bot.store import Store

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Ask:
    """One question: the store, the caller's Slack user id, the time, and the operator's zone."""

    store: Store
    user: str
    now: datetime
    tz: ZoneInfo = UTC_ZONE
    feeds: tuple[str, ...] = ()  # configured feed names, so that unpolled feeds still show
    policies: tuple[Measure, ...] = ()  # the policy register
    parts: tuple[Part, ...] = ()  # the exposure file's parts

    @property
    def today(self) -> date:
        """'Days left' are counted in the configured time zone (docs/configuration.md)."""
        return self.now.astimezone(self.tz).date()
