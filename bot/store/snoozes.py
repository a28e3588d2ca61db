"""Snooze rows: a subject muted until a time, by whom, from which alert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.schema import Snooze


def add_snooze(
    session: Session, subject: str, until: datetime, by: str, alert_id: int | None, now: datetime
) -> Snooze:
    row = Snooze(subject=subject, until=until, by_user=by, created=now, alert_id=alert_id)
    session.add(row)
    session.flush()
    return row


def active_snooze(session: Session, subject: str, now: datetime) -> Snooze | None:
    """The snooze on `subject` that lasts longest, if any is still running at `now`."""
    q = (
        select(Snooze)
        .where(Snooze.subject == subject, Snooze.until > now)
        .order_by(Snooze.until.desc())
        .limit(1)
    )
    return session.scalars(q).first()


def snoozed_subjects(session: Session, subjects: set[str], now: datetime) -> dict[str, Snooze]:
    """For a batch of subjects: the running snooze of each one that has one."""
    if not subjects:
        return {}
    q = select(Snooze).where(Snooze.subject.in_(sorted(subjects)), Snooze.until > now)
    out: dict[str, Snooze] = {}
    for row in session.scalars(q):
        if row.subject not in out or row.until > out[row.subject].until:
            out[row.subject] = row
    return out

