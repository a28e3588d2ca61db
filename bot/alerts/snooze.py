"""Snoozes: mute a subject (licence, material, series, story) for a while (docs/alerts.md, 7 days)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.models import Alert
from bot.rules import NEWS_TYPES
from bot.store.alerts import get_alert, set_state
from bot.store.outbox import enqueue_update
from bot.store.snoozes import active_snooze, add_snooze

SNOOZE_FOR = timedelta(days=7)


def mute_subjects(alert: Alert) -> list[str]:
    """What snoozing this alert mutes. A story alerts once ever, so for news the snooze is
    on its materials (docs/alerts.md: licence, material, series): further news on Dy stays quiet."""
    if alert.rule_type in NEWS_TYPES:
        return [alert.subject, *(f"material:{m}" for m in alert.materials)]
    return [alert.subject]


def snooze(
    session: Session, subject: str, until: datetime, by: str, alert_id: int | None,
    now: datetime,
) -> datetime:
    """Mute `subject` until `until`; returns when the longest running snooze on it ends."""
    current = active_snooze(session, subject, now)
    add_snooze(session, subject, until, by, alert_id, now)
    return max(until, current.until) if current is not None else until


def snooze_alert(
    session: Session, alert_id: int, by: str, now: datetime, *, for_: timedelta = SNOOZE_FOR
) -> Alert | None:
    """The Snooze button: mute the alert's subject, mark it snoozed and queue `chat.update`
    of its Slack messages. None if there is no such alert. Clicking twice is harmless."""
    alert = get_alert(session, alert_id)
    if alert is None:
        return None
    for subject in mute_subjects(alert):
        snooze(session, subject, now + for_, by, alert_id, now)
    set_state(session, alert_id, "snoozed", now, by=None)
    enqueue_update(session, alert_id, now)
    return get_alert(session, alert_id)
