"""Exposure: the buyer's parts, what each depends on, its days of cover, and what an alert
means for them (the affected parts named, and one severity level up below a lead time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.models import SEVERITIES, Match, Severity

DAYS_PER_MONTH = 30
LICENCE_TYPES = ("licence_expiry", "licence_status")


def depends_on(material: str) -> frozenset[str]:
    """Every material whose news concerns a part made of `material` (itself included), by the
    materials graph: a magnet's elements and group, an element's group."""
    from bot.material_graph import covered_by

    return frozenset(covered_by((material,))) | {material}


@dataclass(frozen=True)
class Part:
    """One row of the exposure file; quantities in kg."""

    part: str
    material: str
    supplier: str
    monthly_use_kg: float
    on_hand_kg: float
    licence_id: str = ""
    lead_time_days: int | None = None

    @property
    def cover_days(self) -> float | None:
        """on_hand / monthly_use x 30; None when nothing is used (cover does not run out)."""
        if self.monthly_use_kg <= 0:
            return None
        return self.on_hand_kg / self.monthly_use_kg * DAYS_PER_MONTH

    @property
    def short_of_lead_time(self) -> bool:
        cover = self.cover_days
        return cover is not None and self.lead_time_days is not None and cover < self.lead_time_days

    def line(self) -> str:
        """'rotor-A (Dy from Baotou, licence L-1): 20 days of cover, lead time 60 days'."""
        where = f"{self.material}" + (f" from {self.supplier}" if self.supplier else "")
        if self.licence_id:
            where += f", licence {self.licence_id}"
        cover = self.cover_days
        text = f"{self.part} ({where}): " + (f"{cover:.0f} days of cover" if cover is not None
                                              else "no monthly use")
        if self.lead_time_days is not None:
            text += f", lead time {self.lead_time_days} days"
        return text


def _fact(match: Match, label: str) -> str:
    return next((v for k, v in match.facts if k == label), "")


def affected_parts(match: Match, parts: Iterable[Part]) -> list[Part]:
    """The parts an alert concerns: by licence (licence alerts), else by supplier or material."""
    holder = _fact(match, "Holder").strip().casefold()
    if match.rule_type in LICENCE_TYPES:
        hits = [p for p in parts if (p.licence_id and p.licence_id == match.subject)
                or (holder and p.supplier.casefold() == holder and p.material in match.materials)]
    else:
        wanted = set(match.materials)
        hits = [p for p in parts if not wanted.isdisjoint(depends_on(p.material))
                or (holder and p.supplier.casefold() == holder)]
    return sorted(hits, key=lambda p: (p.cover_days is None, p.cover_days or 0.0, p.part))


def raised(severity: Severity) -> Severity:
    return SEVERITIES[min(SEVERITIES.index(severity) + 1, len(SEVERITIES) - 1)]


def annotate(match: Match, parts: Sequence[Part]) -> Match:
    """The match with its affected parts and lowest cover; raised a level below a lead time."""
    hits = affected_parts(match, parts) if parts else []
    if not hits:
        return match
    facts = list(match.facts)
    facts.append(("Affected parts", "; ".join(p.line() for p in hits[:10])
                  + (f"; and {len(hits) - 10} more" if len(hits) > 10 else "")))
    lowest = hits[0]
    if lowest.cover_days is not None:
        facts.append(("Lowest cover", f"{lowest.cover_days:.0f} days ({lowest.part})"))
    short = [p for p in hits if p.short_of_lead_time]
    severity, reason = match.severity, match.reason
    if short:
        p = short[0]
        severity = raised(match.severity)
        why = (f"{p.part} has {p.cover_days:.0f} days of cover, less than its "
               f"{p.lead_time_days}-day lead time")
        facts.append(("Raised", why if severity == match.severity
                      else f"from {match.severity} to {severity}: {why}"))
        reason = f"{reason}; {why}" if reason else why
    return replace(match, severity=severity, facts=tuple(facts), reason=reason)
