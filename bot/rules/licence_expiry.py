"""licence_expiry: a licence comes within one of `warn_days` of its expiry, and when it expires."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from bot.models import Licence, Match
from bot.rules.base import RuleBase
from bot.rules.context import RuleContext, material_name
from bot.rules.deadlines import WarnDays, due_threshold, expiry_severity

__all__ = ["LicenceExpiry", "expiry_severity"]


class LicenceExpiry(WarnDays, RuleBase):
    """Parameters (besides id, type, enabled; severity is derived, see expiry_severity):

    warn_days         days before expiry at which to warn (default [60, 30, 14, 7, 1]); each
                      licence fires once per threshold, and a licence first seen inside a
                      threshold fires that threshold only (seen at 10 days left: the 14-day one)
    max_expired_days  a licence that expired longer ago than this is history, not news, so
                      loading an old register does not flood the channel (default 30)

    Stateless: each cycle computes the one key a licence is due (the smallest threshold at or
    above its days left, or `expired`); the store's one-alert-per-key does the rest.
    """

    derives_severity = True

    max_expired_days: int = Field(default=30, ge=0)

    def due(self, licence: Licence, today: date) -> int | str | None:
        """The threshold (days) or 'expired' this licence is due to alert at today, if any."""
        days_left = licence.days_left(today)
        if days_left is None:
            return "expired" if licence.status == "expired" else None
        if days_left < 0 or licence.status == "expired":
            return "expired" if days_left >= -self.max_expired_days else None
        return due_threshold(days_left, self.warn_days)

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        matches = []
        for licence in ctx.licences:
            # Only a watched licence warns, and an expired one says so once; one renewed,
            # never granted or withdrawn has no expiry worth an alert (licence_status
            # reports the last two).
            if not (licence.watched or licence.status == "expired"):
                continue
            if licence.licence_id in ctx.renewals:
                continue
            due = self.due(licence, ctx.today)
            if due is not None:
                matches.append(self._match(licence, due, ctx.today))
        return matches

    def _match(self, licence: Licence, due: int | str, today: date) -> Match:
        days_left = licence.days_left(today)
        threshold = due if isinstance(due, int) else None
        who = licence.holder + (f" → {licence.end_user}" if licence.end_user else "")
        if threshold is None:
            when = f"on {licence.expires:%Y-%m-%d}" if licence.expires else ""
            title = f"Licence {licence.licence_id} ({who}) has expired {when}".rstrip()
        elif days_left == 0:
            title = f"Licence {licence.licence_id} ({who}) expires today"
        else:
            unit = "day" if days_left == 1 else "days"
            title = f"Licence {licence.licence_id} ({who}) expires in {days_left} {unit}"
        facts = [
            ("Holder", licence.holder),
            ("Licence", f"{licence.licence_id} ({licence.licence_type}, {licence.status})"),
            ("Material", f"{material_name(licence.material)}, {licence.form}"),
        ]
        if licence.end_user:
            facts.append(("End user", licence.end_user))
        if licence.destination:
            facts.append(("Destination", licence.destination))
        facts.append(("Expiry", f"{licence.expires:%Y-%m-%d}" if licence.expires else "unknown"))
        if days_left is not None:
            facts.append(("Days left", str(max(days_left, 0)) if days_left >= 0 else
                          f"expired {-days_left} days ago"))
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=self.key("licence", licence.licence_id, due),
            severity=expiry_severity(threshold),
            title=title,
            subject=licence.licence_id,
            materials=(licence.material,),
            facts=tuple(facts),
            reason=(f"expired ({licence.status})" if threshold is None
                    else f"{days_left} days left, within the {threshold}-day warning"),
        )
