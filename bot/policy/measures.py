"""A control measure and its state on any date, derived from its dates alone.

The states, in the order a measure passes through them:

  announced   published, not yet in force (or never dated)
  in_force    in force since `effective`
  suspended   from `suspended_from` until the day before `suspended_until`
  lapsed      the suspension has lapsed (on `suspended_until`): the measure applies again
  expired     on or after `expires`

A date that changes a measure (it takes effect, a suspension begins or lapses, it expires)
is a `Change`; `policy_deadline` warns before each, `/chokepoint policy` and the digest
show the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Direction = Literal["restrict", "ease", "neutral"]
DIRECTIONS: tuple[Direction, ...] = ("restrict", "ease", "neutral")
State = Literal["announced", "in_force", "suspended", "lapsed", "expired"]
ChangeKind = Literal["takes_effect", "suspension_begins", "suspension_lapses", "expires"]

STATE_WORDS: dict[State, str] = {
    "announced": "announced", "in_force": "in force", "suspended": "suspended",
    "lapsed": "in force again (suspension lapsed)", "expired": "expired",
}
CHANGE_WORDS: dict[ChangeKind, str] = {
    "takes_effect": "takes effect", "suspension_begins": "suspension begins",
    "suspension_lapses": "suspension lapses", "expires": "expires",
}


@dataclass(frozen=True)
class Change:
    """A date on which a measure's state changes, and what happens then."""

    day: date
    kind: ChangeKind

    @property
    def words(self) -> str:
        return CHANGE_WORDS[self.kind]


@dataclass(frozen=True)
class Measure:
    """One measure of the policy register; `materials` are canonical keys."""

    id: str
    authority: str
    instrument: str
    materials: tuple[str, ...]
    direction: Direction
    source: str
    announced: date | None = None
    effective: date | None = None
    suspended_from: date | None = None
    suspended_until: date | None = None
    expires: date | None = None
    # The instrument that suspended it (e.g. "MOFCOM Announcement No. 70 of 2025"), if any.
    suspended_by: str = ""
    action: str = ""
    items: str = ""
    note: str = ""

    @property
    def urls(self) -> tuple[str, ...]:
        """The links of `source` (several are separated by ' ; ')."""
        return tuple(u.strip() for u in self.source.split(" ; ") if u.strip())

    def changes(self) -> tuple[Change, ...]:
        """Every dated change that changes the state, earliest first.

        A date that changes nothing is left out: a measure suspended the day before it was
        to take effect does not "take effect" while suspended.
        """
        dated: list[tuple[date | None, ChangeKind]] = [
            (self.effective, "takes_effect"), (self.suspended_from, "suspension_begins"),
            (self.suspended_until, "suspension_lapses"), (self.expires, "expires"),
        ]
        found = [Change(d, k) for d, k in dated
                 if d is not None and self.state(d) != self.state(d - timedelta(days=1))]
        return tuple(sorted(found, key=lambda c: c.day))

    def next_change(self, today: date) -> Change | None:
        """The first change on or after `today` (today's own change counts), if any."""
        return next((c for c in self.changes() if c.day >= today), None)

    def state(self, today: date) -> State | None:
        """The state on `today`; None before the measure was announced."""
        if self.expires is not None and today >= self.expires:
            return "expired"
        if self.suspended_until is not None and today >= self.suspended_until:
            return "lapsed"
        if self.suspended_from is not None and today >= self.suspended_from:
            return "suspended"
        if self.effective is not None and today >= self.effective:
            return "in_force"
        if self.announced is not None and today < self.announced:
            return None
        return "announced"

    def describe(self, today: date) -> str:
        """'suspended until 2026-11-10 (suspension lapses in 14 days)': state and next date."""
        state = self.state(today)
        text = STATE_WORDS[state] if state else "not yet announced"
        if state == "suspended" and self.suspended_until:
            text += f" until {self.suspended_until:%Y-%m-%d}"
        if state == "suspended" and self.suspended_by:
            text += f" by {self.suspended_by}"
        nxt = self.next_change(today)
        if nxt is not None:
            text += f"; next: {nxt.words} on {nxt.day:%Y-%m-%d} ({in_days((nxt.day - today).days)})"
        return text


def in_days(days: int) -> str:
    """'today', 'tomorrow', 'in 14 days'."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def upcoming(measures: tuple[Measure, ...] | list[Measure], today: date,
             within_days: int) -> list[tuple[Change, Measure]]:
    """Changes from `today` through `within_days` days ahead, soonest first (the calendar)."""
    out = [(c, m) for m in measures for c in m.changes()
           if 0 <= (c.day - today).days <= within_days]
    return sorted(out, key=lambda cm: (cm[0].day, cm[1].id))
