"""What an alert means for the reader: the register's measure a news story names, and the
buyer's parts it affects (raised a severity level when cover is below a lead time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bot.exposure import Part, annotate
from bot.models import Match
from bot.policy.instruments import link_instruments
from bot.policy.measures import Measure
from bot.rules import NEWS_TYPES


def enrich(matches: Iterable[Match], *, policies: Sequence[Measure], parts: Sequence[Part],
           today: date) -> list[Match]:
    """Each match with its measure links and exposure; keys never change."""
    return [annotate(link_instruments(m, policies, today, NEWS_TYPES), parts) for m in matches]
