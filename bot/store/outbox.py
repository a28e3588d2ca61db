"""The outbox: claim due deliveries under a lease, mark them sent or failed, queue Slack updates.

A claim is a lease (`claimed_until`): a worker that dies mid-send leaves rows that become due
again when the lease ends, so nothing is lost; only a message whose send succeeded but whose
`mark_sent` never happened can be sent twice. Claims are safe with several workers on one
PostgreSQL (SELECT … FOR UPDATE SKIP LOCKED) and on SQLite (one conditional UPDATE … RETURNING,
which SQLite runs under its single write lock).

Over 300 lines: every statement that moves a row between statuses is here, so the outbox's
state machine (pending, sending, sent, failed, muted) can be checked in one place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Link, Target
from bot.store.schema import Delivery as DeliveryRow
from bot.store.schema import SlackThread

BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(hours=1)
# 2, 4, 8, 16, 32 s, ~1, 2, 4, 9, 17, 34 min, then hourly: about 10 hours of trying. The
# first retries come within seconds, so a short Slack hiccup still ends `once` in exit 0.
MAX_ATTEMPTS = 20
# A claim lasts this long unless its worker renews it (bot/heartbeat.py does, while sending):
# a dead worker's rows are due again within seconds, a live one never loses them.
DEFAULT_LEASE = timedelta(seconds=15)
OPEN_STATUSES = ("pending", "sending")


@dataclass(frozen=True)
class Delivery:
    """One claimed outbox row. For kind "update", slack_channel/slack_ts name the message."""

    id: int
    alert_id: int
    target: str
    kind: str
    attempts: int
    created: datetime
    slack_channel: str | None = None
    slack_ts: str | None = None
    note: str | None = None


def backoff(attempts: int) -> timedelta:
    """Exponential: 2 s after the first failure, doubling, at most an hour."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 20)))


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(DeliveryRow.status == "pending", DeliveryRow.next_attempt <= now),
        and_(DeliveryRow.status == "sending", DeliveryRow.claimed_until <= now),
    )


_COLUMNS = (
    DeliveryRow.id, DeliveryRow.alert_id, DeliveryRow.target, DeliveryRow.kind,
    DeliveryRow.attempts, DeliveryRow.created, DeliveryRow.slack_channel, DeliveryRow.slack_ts,
    DeliveryRow.note,
)


def peek_due(session: Session, now: datetime, limit: int = 100) -> list[Delivery]:
    """The rows due at `now`, oldest first, without claiming them (see claim_due(ids=…))."""
    order = (DeliveryRow.next_attempt, DeliveryRow.id)
    rows = session.execute(select(*_COLUMNS).where(_due(now)).order_by(*order).limit(limit)).all()
    return [Delivery(**row._asdict()) for row in rows]


def peek_siblings(session: Session, now: datetime, target: str, created: datetime) -> list[Delivery]:
    """Every due post to `target` of alerts recorded at `created` (one cycle), for grouping."""
    rows = session.execute(select(*_COLUMNS).where(
        _due(now), DeliveryRow.kind == "post", DeliveryRow.target == target,
        DeliveryRow.created == created,
    ).order_by(DeliveryRow.id)).all()
    return [Delivery(**row._asdict()) for row in rows]


def renew_claims(session: Session, worker_id: str, until: datetime) -> int:
    """Extend every claim `worker_id` holds to `until` (its heartbeat). Returns how many."""
    stmt = update(DeliveryRow).where(
        DeliveryRow.status == "sending", DeliveryRow.claimed_by == worker_id,
    ).values(claimed_until=until)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def claim_due(
    session: Session, worker_id: str, now: datetime, limit: int = 100,
    lease: timedelta = DEFAULT_LEASE, *, ids: Sequence[int] | None = None,
) -> list[Delivery]:
    """Claim up to `limit` due rows (only those of `ids` when given) for `worker_id` until
    `now + lease`; each row goes to one worker only. Call it first in its own transaction
    (commit makes the claim visible)."""
    order = (DeliveryRow.next_attempt, DeliveryRow.id)
    pick = select(DeliveryRow.id).where(_due(now)).order_by(*order).limit(limit)
    if ids is not None:
        pick = pick.where(DeliveryRow.id.in_(list(ids)))
    claim = update(DeliveryRow).values(
        status="sending", claimed_by=worker_id, claimed_until=now + lease,
        attempts=DeliveryRow.attempts + 1,
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Rows another worker holds are skipped, not waited for; the locks last until commit.
        ids = list(session.scalars(pick.with_for_update(skip_locked=True)))
        if not ids:
            return []
        where = DeliveryRow.id.in_(ids)
    else:
        where = DeliveryRow.id.in_(pick.scalar_subquery())
    # Repeating the due condition keeps the UPDATE correct even if the pick went stale.
    stmt = claim.where(where, _due(now)).returning(*_COLUMNS)
    rows = session.execute(stmt.execution_options(synchronize_session=False)).all()
    return sorted((Delivery(**row._asdict()) for row in rows), key=lambda d: d.id)


def mark_sent(
    session: Session, delivery_id: int, worker_id: str, now: datetime, *,
    channel: str | None = None, ts: str | None = None, thread_ts: str | None = None,
) -> bool:
    """Record a confirmed send. A post confirmed after its lease passed is still recorded (the
    message exists); an update re-queued meanwhile stays pending so the newest state goes out."""
    values = {
        "status": "sent", "sent_at": now, "claimed_by": None, "claimed_until": None,
        "last_error": None, "slack_channel": channel, "slack_ts": ts, "thread_ts": thread_ts,
    }
    mine = update(DeliveryRow).where(
        DeliveryRow.id == delivery_id, DeliveryRow.status == "sending",
        DeliveryRow.claimed_by == worker_id,
    )
    if session.execute(mine.values(**values)).rowcount == 1:  # type: ignore[attr-defined]
        return True
    late = update(DeliveryRow).where(
        DeliveryRow.id == delivery_id, DeliveryRow.kind == "post",
        DeliveryRow.status.in_(OPEN_STATUSES),
    )
    return bool(session.execute(late.values(**values)).rowcount == 1)  # type: ignore[attr-defined]


def mark_failed(
    session: Session, delivery_id: int, worker_id: str, *, error: str, permanent: bool,
    retry_after: float | None = None, now: datetime, max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Record a failed attempt; returns the new status: "pending" (retry later) or "failed".

    Transient failures come back after Retry-After when the peer said so, else after the
    back-off; after `max_attempts` they turn permanent with the last error kept."""
    row = session.get(DeliveryRow, delivery_id)
    if row is None or row.status != "sending" or row.claimed_by != worker_id:
        return row.status if row is not None else "missing"
    row.claimed_by, row.claimed_until = None, None
    if not permanent and row.attempts >= max_attempts:
        permanent, error = True, f"gave up after {row.attempts} attempts; last error: {error}"
    row.last_error = error
    if permanent:
        row.status = "failed"
        return "failed"
    wait = timedelta(seconds=retry_after) if retry_after is not None else backoff(row.attempts)
    row.status, row.next_attempt = "pending", now + max(wait, timedelta(0))
    return "pending"


def release(
    session: Session, delivery_id: int, worker_id: str, *, next_attempt: datetime,
    note: str | None,
) -> bool:
    """Hand a claimed row back unsent (its channel is down this run, or it goes out later as a
    reply under its group's summary): no attempt is counted."""
    stmt = update(DeliveryRow).where(
        DeliveryRow.id == delivery_id, DeliveryRow.status == "sending",
        DeliveryRow.claimed_by == worker_id,
    ).values(
        status="pending", claimed_by=None, claimed_until=None, next_attempt=next_attempt,
        last_error=note,
        attempts=case((DeliveryRow.attempts > 0, DeliveryRow.attempts - 1), else_=0),
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def release_claims(session: Session, worker_id: str, now: datetime) -> int:
    """Hand back every row this worker still holds (a clean stop): due again at once, for
    whichever worker runs next, instead of waiting out the lease. Returns how many."""
    stmt = update(DeliveryRow).where(
        DeliveryRow.status == "sending", DeliveryRow.claimed_by == worker_id,
    ).values(
        status="pending", claimed_by=None, claimed_until=None, next_attempt=now,
        attempts=case((DeliveryRow.attempts > 0, DeliveryRow.attempts - 1), else_=0),
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def mark_muted(session: Session, delivery_id: int, worker_id: str, *, reason: str) -> bool:
    """A post for a snoozed subject: kept for the audit trail, never sent."""
    stmt = update(DeliveryRow).where(
        DeliveryRow.id == delivery_id, DeliveryRow.status == "sending",
        DeliveryRow.claimed_by == worker_id,
    ).values(status="muted", claimed_by=None, claimed_until=None, last_error=reason)
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def _slack_posts(session: Session, alert_id: int) -> list[DeliveryRow]:
    """The Slack messages sent for an alert (those with a ts to update or reply to)."""
    return list(session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.alert_id == alert_id, DeliveryRow.kind == "post",
            DeliveryRow.status == "sent", DeliveryRow.slack_ts.is_not(None),
        )
    ))


def has_sent_posts(session: Session, alert_id: int) -> bool:
    """Whether any Slack message of this alert was sent (so it can be updated or replied to)."""
    return bool(_slack_posts(session, alert_id))


def enqueue_update(session: Session, alert_id: int, now: datetime) -> int:
    """Queue a `chat.update` of every Slack message sent for this alert, so that a state change
    (eased, resolved, acknowledged, snoozed) shows on it. Returns how many were queued.

    One update row per message (target `update:<post target>`), re-armed on each change:
    the worker renders the alert as it stands when it sends, so several changes coalesce."""
    posts = _slack_posts(session, alert_id)
    queued = 0
    for post in posts:
        target = Target.parse(post.target).outbox_key("update")
        mine = (DeliveryRow.alert_id == alert_id, DeliveryRow.target == target)
        row = session.scalars(select(DeliveryRow).where(*mine)).first()
        if row is None:
            row = DeliveryRow(alert_id=alert_id, target=target, kind="update", created=now)
            session.add(row)
        row.status, row.attempts, row.next_attempt = "pending", 0, now
        row.claimed_by, row.claimed_until, row.last_error = None, None, None
        row.slack_channel, row.slack_ts = post.slack_channel, post.slack_ts
        queued += 1
    session.flush()
    return queued


def enqueue_source_note(
    session: Session, alert_id: int, source: Link, headline: str, now: datetime
) -> int:
    """Queue a thread reply under every Slack message of this alert announcing a further source
    of the same story: the link and headline are stored as data, rendered by the Slack channel
    when it sends. One reply per source per message, ever. Returns how many were queued."""
    key = hashlib.sha1(source.url.encode()).hexdigest()[:12]
    note = json.dumps({"url": source.url, "label": source.label, "headline": headline},
                      ensure_ascii=False)
    posts = _slack_posts(session, alert_id)
    queued = 0
    for post in posts:
        target = Target.parse(post.target).outbox_key("source", key)
        exists = session.scalar(select(DeliveryRow.id).where(
            DeliveryRow.alert_id == alert_id, DeliveryRow.target == target))
        if exists is not None:
            continue
        session.add(DeliveryRow(
            alert_id=alert_id, target=target, kind="source", status="pending", next_attempt=now,
            created=now, slack_channel=post.slack_channel,
            # Reply in the thread the message lives in (it may itself be a follow-up).
            slack_ts=post.thread_ts or post.slack_ts, note=note,
        ))
        queued += 1
    session.flush()
    return queued


def source_of(note: str | None) -> tuple[Link, str] | None:
    """The source and headline a `source` row announces; None for a note that is not data
    (one queued, already rendered, by a release before sources were stored as data)."""
    try:
        data = json.loads(note or "")
        return Link(str(data["url"]), str(data["label"])), str(data["headline"])
    except (ValueError, KeyError, TypeError):
        return None


def retry_time(session: Session, delivery_id: int) -> datetime | None:
    """When a pending row is tried next; None if it is not pending (sent, failed, gone)."""
    row = session.get(DeliveryRow, delivery_id)
    return None if row is None or row.status != "pending" else row.next_attempt


def pending_count(session: Session) -> int:
    """Rows not yet sent, failed or muted (including ones waiting to retry or in flight)."""
    q = select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status.in_(OPEN_STATUSES))
    return int(session.scalar(q) or 0)


def next_due(session: Session) -> datetime | None:
    """When the next row becomes due (a retry, or a lease running out); None if none waits."""
    pending = session.scalar(
        select(func.min(DeliveryRow.next_attempt)).where(DeliveryRow.status == "pending")
    )
    leased = session.scalar(
        select(func.min(DeliveryRow.claimed_until)).where(DeliveryRow.status == "sending")
    )
    times = [t for t in (pending, leased) if t is not None]
    return min(times) if times else None


def thread_for(session: Session, subject: str, target: str) -> SlackThread | None:
    """The first Slack message about `subject` in `target`, if one was sent."""
    return session.get(SlackThread, (subject, target))


def record_thread(
    session: Session, subject: str, target: str, channel: str, ts: str, now: datetime
) -> None:
    """Remember the first message about a subject in a target; the first writer wins."""
    if session.get(SlackThread, (subject, target)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(SlackThread(subject=subject, target=target, channel=channel, ts=ts,
                                    created=now))
    except IntegrityError:
        pass  # another worker recorded it first; its ts is as good as ours
