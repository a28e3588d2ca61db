"""The digest's week: its ISO key, its [start, end) bounds, and how its days and times read."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(moment: datetime, tz: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def period(now: datetime, tz: ZoneInfo, week: str | None) -> tuple[str, datetime, datetime]:
    """The week's key and [start, end): an explicit ISO week runs Monday to Monday in `tz`
    (cut at `now` while it lasts); otherwise the seven days up to `now`."""
    if week is None:
        return iso_week(now, tz), now - timedelta(days=7), now
    m = _WEEK_RE.match(week)
    if not m:
        raise ValueError(f"{week!r} is not an ISO week; write it as 2026-W03")
    monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    start = datetime.combine(monday, time(0), tz)
    return week, start, min(start + timedelta(days=7), now)


def day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def when(moment: datetime, tz: ZoneInfo, *, year: bool = False) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}" + (f" {local:%Y}" if year else "") + \
        f" {local:%H:%M}"
