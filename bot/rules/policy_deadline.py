"""policy_deadline: a measure of the policy register comes within `warn_days` of a date that
changes it (it takes effect, its suspension lapses, it expires), and once on the day."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from bot.materials import UnknownMaterial, canonical
from bot.models import Link, Match
from bot.policy.measures import Change, ChangeKind, Measure, in_days
from bot.rules.base import RuleBase
from bot.rules.context import RuleContext, material_name
from bot.rules.deadlines import WarnDays, due_threshold, expiry_severity
from bot.rules.stories import related_materials

# A suspension beginning is news of an easing, not a deadline to act before.
WARNED: frozenset[ChangeKind] = frozenset({"takes_effect", "suspension_lapses", "expires"})


class PolicyDeadline(WarnDays, RuleBase):
    """Parameters (besides id, type, enabled; severity is derived as for licence_expiry):

    warn_days   days before each date at which to warn (default [60, 30, 14, 7, 1]), and
                once more on the day; a date first seen inside a threshold warns that
                threshold only (first seen at 10 days: the 14-day warning)
    materials   only measures on these materials (default: every measure); a rule on an
                element also sees measures on its group

    Stateless like licence_expiry: each day a date is due one key (rule + measure + date +
    threshold, or `day`); the store's one-alert-per-key does the rest.
    """

    derives_severity = True

    materials: list[str] | None = Field(default=None)

    @field_validator("materials")
    @classmethod
    def _canonical(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        try:
            return list(dict.fromkeys(canonical(str(name)) for name in v))
        except UnknownMaterial as exc:
            raise ValueError(str(exc)) from None

    def due(self, change: Change, today: date) -> int | str | None:
        """The threshold (days) or 'day' this change is due to warn at today, if any."""
        days_left = (change.day - today).days
        if days_left < 0 or change.kind not in WARNED:
            return None
        return "day" if days_left == 0 else due_threshold(days_left, self.warn_days)

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        matches = []
        for measure in ctx.policies:
            if self.materials is not None and not related_materials(self.materials,
                                                                    measure.materials):
                continue
            for change in measure.changes():
                due = self.due(change, ctx.today)
                if due is not None:
                    matches.append(self._match(measure, change, due, ctx.today))
        return matches

    def _match(self, measure: Measure, change: Change, due: int | str, today: date) -> Match:
        days_left = (change.day - today).days
        title = f"{measure.instrument}: {change.words} {in_days(days_left)} ({change.day:%Y-%m-%d})"
        facts = [
            ("Measure", measure.instrument),
            ("Authority", measure.authority or "not given"),
            ("What", "; ".join(t for t in (measure.action, measure.items) if t) or "not given"),
            ("Materials", ", ".join(material_name(k) for k in measure.materials)),
            ("Direction", measure.direction),
            ("State today", measure.describe(today)),
            ("Date", f"{change.words} on {change.day:%Y-%m-%d}"),
            ("Days left", str(days_left)),
        ]
        if measure.suspended_by:
            facts.append(("Suspended by", measure.suspended_by))
        if measure.note:
            facts.append(("Note", measure.note))
        threshold = due if isinstance(due, int) else None
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=self.key("measure", measure.id, change.day.isoformat(), due),
            severity=expiry_severity(threshold),
            title=title,
            subject=f"measure:{measure.id}",
            materials=measure.materials,
            facts=tuple(facts),
            sources=tuple(Link(url=u, label=measure.authority) for u in measure.urls),
            reason=("the day has come" if threshold is None
                    else f"{days_left} day{'' if days_left == 1 else 's'} left, within the "
                         f"{threshold}-day warning"),
        )
