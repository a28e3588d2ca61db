"""Alert records: insert once per key together with their outbox rows; read back as `Alert`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import Alert, Link, Match, Target
from bot.store.schema import AlertMaterial, AlertRow, Delivery


def _source(link: Link) -> dict[str, str]:
    """A source as stored in `alerts.sources` (JSON): url, label and, if known, published."""
    data = {"url": link.url, "label": link.label}
    if link.published is not None:
        data["published"] = link.published.isoformat()
    return data


def _link(data: dict[str, str]) -> Link:
    published = data.get("published")
    return Link(url=data["url"], label=data.get("label", ""),
                published=datetime.fromisoformat(published) if published else None)


def to_alert(row: AlertRow) -> Alert:
    return Alert(
        id=row.id,
        rule_id=row.rule_id,
        rule_type=row.rule_type,
        key=row.key,
        severity=row.severity,  # type: ignore[arg-type]
        title=row.title,
        subject=row.subject,
        materials=tuple(row.materials or ()),
        facts=tuple((str(a), str(b)) for a, b in (row.facts or ())),
        sources=tuple(_link(s) for s in (row.sources or ())),
        state=row.state,  # type: ignore[arg-type]
        created=row.created,
        reason=row.reason,
        acked_by=row.acked_by,
        acked_at=row.acked_at,
    )


def alert_exists(session: Session, key: str) -> bool:
    return session.scalar(select(AlertRow.id).where(AlertRow.key == key)) is not None


def record_alert(
    session: Session, match: Match, targets: Sequence[Target], now: datetime
) -> int | None:
    """Insert the alert and one outbox row per target, atomically; None if the key exists.

    Runs in a savepoint so that a duplicate key (another replica won the race) rolls back
    only this alert, not the caller's transaction.
    """
    if alert_exists(session, match.key):
        return None
    try:
        with session.begin_nested():
            row = AlertRow(
                key=match.key,
                rule_id=match.rule_id,
                rule_type=match.rule_type,
                severity=match.severity,
                title=match.title,
                subject=match.subject,
                materials=list(match.materials),
                facts=[list(f) for f in match.facts],
                sources=[_source(s) for s in match.sources],
                reason=match.reason,
                state="open",
                created=now,
                updated=now,
            )
            session.add(row)
            session.flush()
            for material in dict.fromkeys(match.materials):
                session.add(AlertMaterial(alert_id=row.id, material=material))
            for target in dict.fromkeys(targets):
                session.add(
                    Delivery(alert_id=row.id, target=str(target), status="pending",
                             next_attempt=now, created=now)
                )
            session.flush()
    except IntegrityError:
        return None
    return row.id


def add_sources(
    session: Session, alert_id: int, links: Iterable[Link], now: datetime
) -> list[Link]:
    """Add further sources to a story alert (the same story from another feed); returns the
    links that were new to it (none: nothing changed)."""
    row = session.get(AlertRow, alert_id)
    if row is None:
        return []
    known = {s["url"] for s in row.sources or ()}
    fresh = [link for link in links if link.url not in known]
    if not fresh:
        return []
    row.sources = [*(row.sources or ()), *(_source(lk) for lk in fresh)]
    row.updated = now
    return fresh


def alert_id_for_key(session: Session, key: str) -> int | None:
    """The id of the alert with this key, if there is one."""
    return session.scalar(select(AlertRow.id).where(AlertRow.key == key))


def get_alert(session: Session, alert_id: int) -> Alert | None:
    row = session.get(AlertRow, alert_id)
    return None if row is None else to_alert(row)


def set_state(
    session: Session, alert_id: int, state: str, now: datetime, *, by: str | None = None,
    note: str | None = None,
) -> bool:
    """Move an alert to `state`; False if it already was (idempotent clicks)."""
    row = session.get(AlertRow, alert_id)
    if row is None or row.state == state:
        return False
    row.state = state
    row.updated = now
    if state == "acknowledged":
        row.acked_by, row.acked_at = by, now
    if note is not None:
        row.state_note = note
    return True


def alerts_since(session: Session, since: datetime | None, limit: int | None = None) -> list[Alert]:
    """The history, newest first."""
    q = select(AlertRow).order_by(AlertRow.created.desc(), AlertRow.id.desc())
    if since is not None:
        q = q.where(AlertRow.created >= since)
    if limit is not None:
        q = q.limit(limit)
    return [to_alert(r) for r in session.scalars(q)]


def open_alerts(
    session: Session, *, materials: Iterable[str] | None = None, rule_types: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[Alert]:
    """Open alerts (not acknowledged, snoozed, eased or resolved), newest first."""
    q = select(AlertRow).where(AlertRow.state == "open")
    if materials is not None:
        mats = list(materials)
        q = q.where(
            AlertRow.id.in_(select(AlertMaterial.alert_id).where(AlertMaterial.material.in_(mats)))
        )
    if rule_types is not None:
        q = q.where(AlertRow.rule_type.in_(list(rule_types)))
    q = q.order_by(AlertRow.created.desc(), AlertRow.id.desc())
    if limit is not None:
        q = q.limit(limit)
    return [to_alert(r) for r in session.scalars(q)]
