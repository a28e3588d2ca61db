"""Announcement numbers in text ("Announcement No. 70 of 2025", "公告2025年第70号"), and the
measures of the register they name, so that news about an instrument links to it."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date

from bot.models import Link, Match
from bot.policy.measures import Measure


@dataclass(frozen=True)
class Number:
    """An announcement number, with its year when the text gives one."""

    number: int
    year: int | None = None


_EN = re.compile(
    r"\bannouncements?\s+(?:nos?\.?|numbers?|#)?\s*(\d{1,3})(?:\s*(?:-|–|to|and)\s*(\d{1,3}))?"
    r"(?:\s*(?:of|/)\s*(?:the\s+year\s+)?(\d{4}))?",
    re.IGNORECASE,
)
_ZH = re.compile(r"(?:公告\s*)?(\d{4})\s*年\s*第\s*(\d{1,3})\s*号(?:\s*公告)?")
_MAX_RANGE = 20  # "Announcements No. 55-58": a range, but never a runaway one


def numbers_in(text: str) -> frozenset[Number]:
    """Every announcement number `text` names; a range names each number in it."""
    found: set[Number] = set()
    for m in _EN.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        year = int(m.group(3)) if m.group(3) else None
        if last < first or last - first > _MAX_RANGE:
            last = first
        found.update(Number(n, year) for n in range(first, last + 1))
    for m in _ZH.finditer(text):
        if "公告" in m.group(0):
            found.add(Number(int(m.group(2)), int(m.group(1))))
    return frozenset(found)


def _names(found: frozenset[Number], instrument: frozenset[Number]) -> bool:
    # A number without a year names the instrument of that number in any year.
    return any(n in instrument or (n.year is None and any(i.number == n.number for i in instrument))
               for n in found)


def measures_named(text: str, measures: Iterable[Measure]) -> list[Measure]:
    """The measures whose instrument, or the instrument that suspended them, `text` names."""
    found = numbers_in(text)
    if not found:
        return []
    return [m for m in measures
            if _names(found, numbers_in(m.instrument) | numbers_in(m.suspended_by))]


def link_instruments(match: Match, measures: Iterable[Measure], today: date,
                     news_types: Collection[str]) -> Match:
    """A news match (of `news_types`) that names a measure of the register gets its state
    and its source link."""
    if match.rule_type not in news_types:
        return match
    text = " ".join(v for k, v in match.facts if k in ("Headline", "Summary")) or match.title
    named = measures_named(text, measures)
    if not named:
        return match
    facts = [("Measure", f"{m.instrument}: {m.describe(today)}") for m in named]
    known = {s.url for s in match.sources}
    links = [Link(url=m.urls[0], label=m.instrument) for m in named
             if m.urls and m.urls[0] not in known]
    return replace(match, facts=match.facts + tuple(facts), sources=match.sources + tuple(links))
