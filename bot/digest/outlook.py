"""The digest's look ahead: the policy calendar (measures whose dates fall in the next 90
days) and exposure by material (days of cover, lowest first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.digest.week import day_text
from bot.exposure import Part
from bot.models import Licence
from bot.policy.measures import Measure, in_days, upcoming

CALENDAR_DAYS = 90


@dataclass(frozen=True)
class PolicyDate:
    day: str  # "Tue 10 Nov 2026"
    days_left: int
    when: str  # "in 14 days"
    instrument: str
    change: str  # "suspension lapses"
    materials: str
    direction: str
    urgency: str  # a severity, for colour: critical <= 7 days, high <= 30, warning above


@dataclass(frozen=True)
class MaterialExposure:
    material: str
    parts: int
    lowest_cover: int | None  # days; None when no part uses any
    lowest_part: str
    below_lead_time: tuple[str, ...]  # "rotor-A (20 of 60 days)"
    licences: str  # the licences behind the parts, with days left

    @property
    def cover_text(self) -> str:
        return "no use" if self.lowest_cover is None else f"{self.lowest_cover} days"


def _urgency(days: int) -> str:
    return "critical" if days <= 7 else ("high" if days <= 30 else "warning")


def policy_calendar(measures: Sequence[Measure], today: date) -> tuple[PolicyDate, ...]:
    return tuple(
        PolicyDate(day_text(c.day), (c.day - today).days, in_days((c.day - today).days),
                   m.instrument, c.words, ", ".join(m.materials), m.direction,
                   _urgency((c.day - today).days))
        for c, m in upcoming(list(measures), today, CALENDAR_DAYS))


def exposure_by_material(parts: Sequence[Part], licences: Sequence[Licence],
                         today: date) -> tuple[MaterialExposure, ...]:
    by_id = {lic.licence_id: lic for lic in licences}
    groups: dict[str, list[Part]] = {}
    for p in parts:
        groups.setdefault(p.material, []).append(p)
    rows = []
    for material, group in groups.items():
        group.sort(key=lambda p: (p.cover_days is None, p.cover_days or 0.0, p.part))
        lowest = group[0]
        short = tuple(f"{p.part} ({p.cover_days:.0f} of {p.lead_time_days} days)"
                      for p in group if p.short_of_lead_time)
        behind = []
        for p in group:
            lic = by_id.get(p.licence_id)
            left = lic.days_left(today) if lic else None
            if p.licence_id:
                behind.append(p.licence_id + (f" ({left} days left)" if left is not None
                                              and left >= 0 else ""))
        rows.append(MaterialExposure(
            material, len(group),
            None if lowest.cover_days is None else round(lowest.cover_days), lowest.part,
            short, ", ".join(dict.fromkeys(behind))))
    return tuple(sorted(rows, key=lambda r: (r.lowest_cover is None, r.lowest_cover or 0,
                                             r.material)))
