"""Licence register queries: apply a refresh, status-change history, renewals, and file-source health."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.models import Licence, StatusChange
from bot.redact import redact_urls, shown_url
from bot.store.schema import LicenceChange, LicenceRow, SourceState

_FIELDS = ("holder", "end_user", "licence_type", "material", "form", "destination", "issued",
           "expires", "status")


@dataclass(frozen=True)
class SourceHealth:
    """The licence register's or the trade statistics' last good load and last error."""

    name: str
    location: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    rows_loaded: int
    rows_skipped: int


def to_licence(row: LicenceRow) -> Licence:
    return Licence(
        licence_id=row.licence_id, holder=row.holder, material=row.material,
        licence_type=row.licence_type,  # type: ignore[arg-type]
        form=row.form,  # type: ignore[arg-type]
        end_user=row.end_user or "", destination=row.destination or "", issued=row.issued,
        expires=row.expires,
        status=row.status,  # type: ignore[arg-type]
    )


def apply_register(
    session: Session, licences: Sequence[Licence], now: datetime,
    keep: frozenset[str] = frozenset(),
) -> tuple[int, int, int, list[str]]:
    """Make the stored register equal `licences`; returns (added, updated, removed, changes).

    Status changes are logged to LicenceChange; licences no longer in the file are marked
    removed (kept for history), and come back unmarked if they reappear. Licences in `keep`
    (their row was in the file but invalid) keep their last good data untouched.
    """
    existing = {r.licence_id: r for r in session.scalars(select(LicenceRow))}
    added = updated = removed = 0
    changes: list[str] = []
    for lic in licences:
        row = existing.pop(lic.licence_id, None)
        if row is None:
            session.add(LicenceRow(licence_id=lic.licence_id, first_seen=now, updated=now,
                                   removed=None, **{f: getattr(lic, f) for f in _FIELDS}))
            session.add(LicenceChange(licence_id=lic.licence_id, old_status=None,
                                      new_status=lic.status, changed=now))
            added += 1
            continue
        old_status = row.status
        differs = [f for f in _FIELDS if getattr(row, f) != getattr(lic, f)]
        if not differs and row.removed is None:
            continue
        for f in differs:
            setattr(row, f, getattr(lic, f))
        if row.removed is not None:
            changes.append(f"{lic.licence_id}: back in the register")
        row.removed, row.updated = None, now
        updated += 1
        if old_status != lic.status:
            session.add(LicenceChange(licence_id=lic.licence_id, old_status=old_status,
                                      new_status=lic.status, changed=now))
            changes.append(f"{lic.licence_id}: {old_status} -> {lic.status}")
    for row in existing.values():
        if row.removed is None and row.licence_id not in keep:
            row.removed, row.updated = now, now
            removed += 1
            changes.append(f"{row.licence_id}: no longer in the register")
    return added, updated, removed, changes


def current_licences(session: Session) -> list[Licence]:
    """The licences in the register now (removed ones excluded), soonest expiry first."""
    rows = session.scalars(select(LicenceRow).where(LicenceRow.removed.is_(None)))
    licences = [to_licence(r) for r in rows]
    return sorted(licences, key=lambda lic: (lic.expires is None, lic.expires, lic.licence_id))


def status_changes(session: Session, *, unevaluated: bool = False,
                   since: datetime | None = None) -> list[StatusChange]:
    """Status changes in the order they were seen (first sights included, old_status None)."""
    query = select(LicenceChange).order_by(LicenceChange.id)
    if unevaluated:
        query = query.where(LicenceChange.evaluated.is_(False))
    if since is not None:
        query = query.where(LicenceChange.changed >= since)
    return [StatusChange(c.licence_id, c.old_status, c.new_status, c.changed, id=c.id)
            for c in session.scalars(query)]


def mark_changes_evaluated(session: Session, ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        session.execute(update(LicenceChange).where(LicenceChange.id.in_(ids[start:start + 500]))
                        .values(evaluated=True))


def record_source_success(session: Session, name: str, location: str, loaded: int,
                          skipped: int, now: datetime) -> None:
    """A file source loaded (in the caller's transaction, with the data it loaded)."""
    state = session.get(SourceState, name) or SourceState(name=name)
    state.location, state.last_success = shown_url(location), now
    state.rows_loaded, state.rows_skipped = loaded, skipped
    session.add(state)


def record_source_error(
    session: Session, name: str, location: str, error: str, now: datetime
) -> None:
    """A file source could not be used; its data is left as it was."""
    state = session.get(SourceState, name) or SourceState(name=name, rows_loaded=0, rows_skipped=0)
    state.location, state.last_error = shown_url(location), redact_urls(error)
    state.last_error_at = now
    session.add(state)


def source_health(session: Session) -> list[SourceHealth]:
    """Each file source (licences, trade) with its last success and last error."""
    return [SourceHealth(r.name, r.location, r.last_success, r.last_error, r.last_error_at,
                         r.rows_loaded, r.rows_skipped)
            for r in session.scalars(select(SourceState).order_by(SourceState.name))]
