"""Human durations as written in chokepoint.yaml and rule files: `15m`, `1h`, `3d`, `2w`, `6 months`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

_UNITS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}
_MONTHS = {"mo": 1, "month": 1, "months": 1, "y": 12, "year": 12, "years": 12}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$", re.IGNORECASE)
_HELP = "write a number and a unit, e.g. 90s, 15m, 1h, 3d, 2w"


def parse_duration(value: object) -> timedelta:
    """Parse `15m` / `1h` / `3d` / `2w` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError(f"duration must be positive, got {value}")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 15m, got {value!r}")
    m = _PATTERN.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a duration; {_HELP}")
    amount, unit = float(m.group(1)), m.group(2).lower()
    if unit in _MONTHS:
        raise ValueError(f"{value!r}: months are not allowed here; use days or weeks")
    if unit not in _UNITS:
        raise ValueError(f"{value!r} has an unknown unit {unit!r}; {_HELP}")
    if amount <= 0:
        raise ValueError(f"duration must be positive, got {value!r}")
    return timedelta(seconds=amount * _UNITS[unit])


@dataclass(frozen=True)
class Validity:
    """A licence validity period: calendar months plus days (6 months is not 180 days)."""

    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        result: date = start + relativedelta(months=self.months, days=self.days)
        return result

    def __str__(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} months")
        if self.days:
            parts.append(f"{self.days} days")
        return " ".join(parts) or "0 days"


def parse_validity(value: object) -> Validity:
    """Parse `6 months`, `12 months`, `1 year` or `180d` into a Validity."""
    if isinstance(value, Validity):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a validity such as '6 months', got {value!r}")
    m = _PATTERN.match(value)
    if not m or "." in m.group(1):
        raise ValueError(f"{value!r} is not a validity; write e.g. '6 months', '1 year' or '180d'")
    amount, unit = int(m.group(1)), m.group(2).lower()
    if unit in _MONTHS:
        return Validity(months=amount * _MONTHS[unit])
    if unit in _UNITS and _UNITS[unit] >= 86400:
        return Validity(days=amount * _UNITS[unit] // 86400)
    raise ValueError(f"{value!r} has an unknown unit {unit!r}; use days, weeks, months or years")
