"""licence_status: a licence's status changed between two refreshes (pending -> denied, ...)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from bot.models import LICENCE_STATUSES, Match, Severity, StatusChange
from bot.rules.base import RuleBase
from bot.rules.context import RuleContext, material_name

_WORDS = {
    "active": "is now active", "pending": "is pending", "renewal_filed": "has a renewal filed",
    "renewed": "was renewed", "expired": "has expired", "denied": "was denied",
    "revoked": "was revoked",
}


def _statuses(v: list[str] | None, field: str) -> list[str] | None:
    if v is None:
        return None
    bad = [s for s in v if s not in LICENCE_STATUSES]
    if bad:
        raise ValueError(f"{field}: unknown status {', '.join(map(repr, bad))}; "
                         f"known: {', '.join(LICENCE_STATUSES)}")
    return list(dict.fromkeys(v))


class LicenceStatusRule(RuleBase):
    """Parameters (besides id, type, severity, enabled):

    to    only changes to these statuses fire (default: any change)
    from  only changes from these statuses fire (default: any)

    Severity defaults to `high`. The first sight of a licence is no change and never fires.
    One alert per licence and new status, ever: a licence flapping active -> pending -> active
    reports each status once.
    """

    default_severity = "high"

    to: list[str] | None = Field(default=None, min_length=1)
    from_: list[str] | None = Field(default=None, min_length=1, alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("to")
    @classmethod
    def _to(cls, v: list[str] | None) -> list[str] | None:
        return _statuses(v, "to")

    @field_validator("from_")
    @classmethod
    def _from(cls, v: list[str] | None) -> list[str] | None:
        return _statuses(v, "from")

    def fires(self, change: StatusChange) -> bool:
        if change.old_status is None or change.old_status == change.new_status:
            return False
        if self.to is not None and change.new_status not in self.to:
            return False
        return self.from_ is None or change.old_status in self.from_

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        # Several refreshes may have queued changes of one licence; its latest status is news.
        latest: dict[str, StatusChange] = {}
        for change in sorted(ctx.licence_changes, key=lambda c: c.changed):
            if self.fires(change):
                latest[change.licence_id] = change
        return [self._match(change, ctx) for change in latest.values()]

    def _match(self, change: StatusChange, ctx: RuleContext) -> Match:
        licence = ctx.licence(change.licence_id)
        holder = licence.holder if licence else ""
        title = f"Licence {change.licence_id}" + (f" ({holder})" if holder else "")
        title += f" {_WORDS.get(change.new_status, 'is now ' + change.new_status)} (was {change.old_status})"
        facts: list[tuple[str, str]] = []
        if licence:
            facts.append(("Holder", licence.holder))
        facts.append(("Licence", change.licence_id))
        facts.append(("Status", f"{change.old_status} → {change.new_status}"))
        if licence:
            facts.append(("Material", f"{material_name(licence.material)}, {licence.form}"))
            if licence.end_user:
                facts.append(("End user", licence.end_user))
            if licence.expires:
                facts.append(("Expiry", f"{licence.expires:%Y-%m-%d}"))
                days_left = licence.days_left(ctx.today)
                if days_left is not None and days_left >= 0:
                    facts.append(("Days left", str(days_left)))
        severity: Severity = self.effective_severity
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=self.key("licence", change.licence_id, change.new_status),
            severity=severity,
            title=title,
            subject=change.licence_id,
            materials=(licence.material,) if licence else (),
            facts=tuple(facts),
            reason=f"status changed from {change.old_status} to {change.new_status}",
        )
