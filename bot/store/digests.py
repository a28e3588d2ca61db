"""What the weekly digest reads (alerts, licences, trade, feed health) and its weekly claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import WATCHED_STATUSES, Alert, Licence, StatusChange, TradePoint
from bot.store.alerts import to_alert
from bot.store.licences import to_licence
from bot.store.schema import (
    AlertRow,
    DigestRow,
    FeedState,
    LicenceChange,
    LicenceRow,
    SourceState,
    TradeRow,
)


@dataclass(frozen=True)
class UnhealthySource:
    """One feed or data source (licence register, trade statistics) and how it is doing."""

    name: str
    kind: Literal["feed", "source"]
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int


@dataclass(frozen=True)
class DigestClaim:
    """The outcome of trying to take this week's digest: send it, or leave it alone."""

    outcome: Literal["claimed", "sent", "busy"]
    message_id: str | None = None
    attempts: int = 0


def alerts_created(session: Session, start: datetime, end: datetime) -> list[Alert]:
    """Alerts raised in [start, end), newest first."""
    q = (
        select(AlertRow)
        .where(AlertRow.created >= start, AlertRow.created < end)
        .order_by(AlertRow.created.desc(), AlertRow.id.desc())
    )
    return [to_alert(r) for r in session.scalars(q)]


def alerts_settled(session: Session, start: datetime, end: datetime) -> list[Alert]:
    """Older alerts that were eased or resolved in [start, end) (their last update falls in it)."""
    q = (
        select(AlertRow)
        .where(
            AlertRow.state.in_(("eased", "resolved")),
            AlertRow.created < start,
            AlertRow.updated >= start,
            AlertRow.updated < end,
        )
        .order_by(AlertRow.updated.desc(), AlertRow.id.desc())
    )
    return [to_alert(r) for r in session.scalars(q)]


def watched_licences(session: Session) -> list[Licence]:
    """Licences still in the register whose expiry is watched (`Licence.watched`)."""
    q = (
        select(LicenceRow)
        .where(LicenceRow.removed.is_(None), LicenceRow.status.in_(WATCHED_STATUSES))
        .order_by(LicenceRow.expires, LicenceRow.licence_id)
    )
    return [to_licence(r) for r in session.scalars(q)]


def licences_first_seen(session: Session, start: datetime, end: datetime) -> list[Licence]:
    q = (
        select(LicenceRow)
        .where(LicenceRow.removed.is_(None), LicenceRow.first_seen >= start,
               LicenceRow.first_seen < end)
        .order_by(LicenceRow.licence_id)
    )
    return [to_licence(r) for r in session.scalars(q)]


def renewed_by(session: Session, new: list[Licence]) -> list[tuple[Licence, Licence]]:
    """(older, newer) pairs: a newer licence for the same holder, material and end user
    renews the older one (docs/rules.md)."""
    pairs = []
    for lic in new:
        q = select(LicenceRow).where(
            LicenceRow.holder == lic.holder, LicenceRow.material == lic.material,
            LicenceRow.end_user == lic.end_user, LicenceRow.licence_id != lic.licence_id,
        ).order_by(LicenceRow.licence_id)
        for old in map(to_licence, session.scalars(q)):
            if old.expires and lic.expires and old.expires < lic.expires:
                pairs.append((old, lic))
    return pairs


def status_changes(
    session: Session, start: datetime, end: datetime
) -> list[tuple[Licence, StatusChange]]:
    """Status transitions in [start, end) with their licence, oldest first; first sightings
    are not changes."""
    q = (
        select(LicenceChange, LicenceRow)
        .join(LicenceRow, LicenceRow.licence_id == LicenceChange.licence_id)
        .where(
            LicenceChange.old_status.is_not(None),
            LicenceChange.changed >= start,
            LicenceChange.changed < end,
        )
        .order_by(LicenceChange.changed, LicenceChange.id)
    )
    return [
        (to_licence(lic), StatusChange(lic.licence_id, change.old_status or "", change.new_status,
                                       change.changed, id=change.id))
        for change, lic in session.execute(q)
    ]


def trade_points(session: Session, first: str, last: str) -> list[TradePoint]:
    """Monthly figures with `first <= period <= last` (YYYY-MM compares as text)."""
    q = (
        select(TradeRow)
        .where(TradeRow.period >= first, TradeRow.period <= last)
        .order_by(TradeRow.product, TradeRow.destination, TradeRow.period)
    )
    return [
        TradePoint(period=r.period, product=r.product, destination=r.destination,
                   tonnes=r.tonnes, value_usd=r.value_usd, source=r.source or "")
        for r in session.scalars(q)
    ]


def latest_trade_period(session: Session, upto: str) -> str | None:
    """The newest month with any figure, not after `upto` (YYYY-MM)."""
    return session.scalar(select(func.max(TradeRow.period)).where(TradeRow.period <= upto))


def feed_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(FeedState)) or 0)


def unhealthy_sources(
    session: Session, now: datetime, stale_after: timedelta
) -> list[UnhealthySource]:
    """Feeds failing (failures > 0) or without a success for `stale_after`, then data sources
    whose last error is newer than their last good load."""
    cutoff = now - stale_after
    feeds = session.scalars(
        select(FeedState)
        .where(or_(FeedState.failures > 0, FeedState.last_success.is_(None),
                   FeedState.last_success < cutoff))
        .order_by(FeedState.name)
    )
    out = [
        UnhealthySource(f.name, "feed", f.last_success, f.last_error, f.last_error_at, f.failures)
        for f in feeds
    ]
    for s in session.scalars(select(SourceState).order_by(SourceState.name)):
        failing = s.last_error_at is not None and (
            s.last_success is None or s.last_error_at > s.last_success
        )
        if failing:
            out.append(UnhealthySource(s.name, "source", s.last_success, s.last_error,
                                    s.last_error_at, 1))
    return out


# --- the once-per-week claim ---------------------------------------------------------------

def claim_digest(
    session: Session, week: str, now: datetime, *, lease: timedelta, message_id: str
) -> DigestClaim:
    """Take the digest of `week` for sending, unless it was sent or another process holds it.

    The row is locked (PostgreSQL) so that two replicas cannot both claim it; a claim whose
    lease ran out (a crash mid-send) can be taken again. The first claim fixes the Message-ID,
    so a retry after a crash carries the same one and mail clients can spot the duplicate.
    """
    row = session.scalars(
        select(DigestRow).where(DigestRow.week == week).with_for_update()
    ).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(DigestRow(week=week, status="sending", attempts=1,
                                      claimed_until=now + lease, message_id=message_id))
                session.flush()
        except IntegrityError:
            return DigestClaim("busy")  # another replica inserted it first
        return DigestClaim("claimed", message_id, 1)
    if row.status == "sent":
        return DigestClaim("sent", row.message_id, row.attempts)
    if row.status == "sending" and row.claimed_until is not None and row.claimed_until > now:
        return DigestClaim("busy", row.message_id, row.attempts)
    row.status = "sending"
    row.attempts += 1
    row.claimed_until = now + lease
    row.message_id = row.message_id or message_id
    return DigestClaim("claimed", row.message_id, row.attempts)


def mark_digest_sent(session: Session, week: str, now: datetime) -> None:
    row = session.get(DigestRow, week)
    if row is not None:
        row.status, row.sent_at, row.claimed_until, row.last_error = "sent", now, None, None


def mark_digest_failed(session: Session, week: str, error: str) -> None:
    row = session.get(DigestRow, week)
    if row is not None:
        row.status, row.claimed_until, row.last_error = "failed", None, error


def digest_status(session: Session, week: str) -> DigestRow | None:
    """The week's digest row (claimed, sent, failed), if any: what the owed-digest check reads."""
    return session.get(DigestRow, week)
