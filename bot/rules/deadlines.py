"""What licence_expiry and policy_deadline share: warning thresholds, the one due, its severity."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from bot.models import Severity

DEFAULT_WARN_DAYS = (60, 30, 14, 7, 1)


def expiry_severity(threshold: int | None) -> Severity:
    """docs/rules.md: critical at 7 days or less and on the day or after, high at 14 or 30,
    warning above."""
    if threshold is None or threshold <= 7:
        return "critical"
    return "high" if threshold <= 30 else "warning"


def due_threshold(days_left: int, warn_days: list[int]) -> int | None:
    """The smallest threshold at or above `days_left`: the one warning due now, if any.

    Stateless on purpose: a deadline first seen at 10 days left is due the 14-day warning
    only, never the 60- and 30-day ones it has already passed; the alert key does the rest.
    """
    inside = [d for d in warn_days if d >= days_left]
    return min(inside) if inside else None


class WarnDays(BaseModel):
    """The `warn_days` parameter: positive whole days, each once, kept largest first."""

    warn_days: list[int] = Field(default_factory=lambda: list(DEFAULT_WARN_DAYS), min_length=1)

    @field_validator("warn_days")
    @classmethod
    def _thresholds(cls, v: list[int]) -> list[int]:
        bad = [d for d in v if d <= 0]
        if bad:
            raise ValueError(f"warn_days must be positive whole days; got {bad}")
        if len(set(v)) != len(v):
            dupes = sorted({d for d in v if v.count(d) > 1})
            raise ValueError(f"warn_days lists {dupes} more than once")
        return sorted(v, reverse=True)
