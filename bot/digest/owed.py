"""Whether this week's digest is owed: its scheduled time has passed and the store has no
record of it being sent. A start, a restart or the periodic check sends an owed digest (the
week's claim in the store keeps it to one send), so neither a late start nor a failed attempt
followed by a restart skips a week."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import DigestSchedule
from bot.digest.week import iso_week
from bot.store import Store
from bot.store.digests import digest_status


def trigger(schedule: DigestSchedule, tz: ZoneInfo) -> CronTrigger:
    return CronTrigger(day_of_week=schedule.days, hour=schedule.at.hour,
                       minute=schedule.at.minute, timezone=tz)


def last_due(schedule: DigestSchedule, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The latest scheduled time in `now`'s ISO week at or before `now`; None before the first."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    cron = trigger(schedule, tz)
    due, fire = None, cron.get_next_fire_time(None, monday)
    while fire is not None and fire <= now:
        due = fire
        fire = cron.get_next_fire_time(fire, fire + timedelta(minutes=1))
    return due


def digest_owed(store: Store, schedule: DigestSchedule, now: datetime, tz: ZoneInfo) -> bool:
    if last_due(schedule, now, tz) is None:
        return False
    with store.reader() as s:
        row = digest_status(s, iso_week(now, tz))
        return row is None or row.status != "sent"
