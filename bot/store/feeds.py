"""Feed entries (stored once by uid) and per-feed health: what the poller writes and others read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.models import Entry, FeedHealth
from bot.redact import shown_url
from bot.store.schema import EntryRow, FeedState

_ENTRIES = cast(Table, EntryRow.__table__)
_BATCH = 500  # stays under SQLite's bound-parameter limit with room to spare


@dataclass(frozen=True)
class FeedSnapshot:
    """What the poller needs to know about a feed before fetching it."""

    url: str
    etag: str | None
    last_modified: str | None
    next_attempt: datetime | None
    first_success: datetime | None
    failures: int
    fingerprint: str | None = None


def feed_snapshots(session: Session, names: Sequence[str]) -> dict[str, FeedSnapshot]:
    rows = session.scalars(select(FeedState).where(FeedState.name.in_(list(names))))
    return {r.name: FeedSnapshot(r.url, r.etag, r.last_modified, r.next_attempt,
                                 r.first_success, r.failures or 0, r.fingerprint) for r in rows}


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows whose uid is not stored yet; returns the uids inserted (race-safe)."""
    dialect = session.get_bind().dialect
    upsert = dialect.name in ("sqlite", "postgresql") and dialect.insert_returning  # SQLite 3.35+
    inserted: set[str] = set()
    for start in range(0, len(rows), _BATCH):
        batch = rows[start:start + _BATCH]
        if upsert:
            # Core (not ORM) insert: a cold cycle writes tens of thousands of rows.
            ins = sqlite_insert(_ENTRIES) if dialect.name == "sqlite" else pg_insert(_ENTRIES)
            stmt = ins.on_conflict_do_nothing(index_elements=["uid"]).returning(_ENTRIES.c.uid)
            inserted.update(session.execute(stmt, batch).scalars())
            continue
        known = set(session.scalars(select(EntryRow.uid)
                                    .where(EntryRow.uid.in_([r["uid"] for r in batch]))))
        fresh = [r for r in batch if r["uid"] not in known]
        if fresh:
            session.execute(insert(_ENTRIES), fresh)
        inserted.update(r["uid"] for r in fresh)
    return inserted


def store_entries(
    session: Session, entries: Sequence[Entry], now: datetime, *,
    quiet_before: datetime | None = None,
) -> tuple[list[Entry], int]:
    """Store entries not seen before; return the new ones to offer to rules, and how many were stored.

    Entries published before `quiet_before` (a feed's first sight) are stored as seen and
    already evaluated, so they never alert.
    """
    rows: dict[str, dict[str, Any]] = {}
    for e in entries:
        quiet = quiet_before is not None and (not e.dated or e.published < quiet_before)
        rows.setdefault(e.uid, {
            "uid": e.uid, "feed": e.feed, "title": e.title, "summary": e.summary,
            "link": e.link, "published": e.published, "first_seen": now,
            "offered": not quiet, "evaluated": quiet,
        })
    if not rows:
        return [], 0
    inserted = _insert_new(session, list(rows.values()))
    stored = len(inserted)
    new: list[Entry] = []
    for e in entries:
        if e.uid in inserted and rows[e.uid]["offered"]:
            inserted.discard(e.uid)  # an entry repeated within one feed is offered once
            new.append(e)
    return new, stored


def preload_states(session: Session, feeds: Mapping[str, str]) -> list[FeedState]:
    """Load (creating the missing ones) these feeds' state rows, `{name: url}`, a few
    statements for all of them, so that writing each needs no statement of its own.

    Hold on to the list while writing: the session keeps only weak references, so rows
    nobody holds are dropped at once and `session.get` would query each of them again.
    """
    names = list(feeds)
    states: list[FeedState] = []
    for start in range(0, len(names), _BATCH):
        batch = names[start:start + _BATCH]
        query = select(FeedState).where(FeedState.name.in_(batch))
        found = session.scalars(query).all()
        missing = set(batch) - {s.name for s in found}
        if missing and _insert_or_ignore(session, [_new_state(n, feeds[n]) for n in missing]):
            found = session.scalars(query).all()
        states += found
    return states


def _new_state(name: str, url: str) -> dict[str, Any]:
    return {"name": name, "url": shown_url(url), "failures": 0, "entries_seen": 0}


def _insert_or_ignore(session: Session, rows: list[dict[str, Any]]) -> bool:
    """Insert state rows unless present (another replica may create them at the same moment);
    False where the database has no such statement."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return False
    ins = sqlite_insert(FeedState) if dialect == "sqlite" else pg_insert(FeedState)
    session.execute(ins.on_conflict_do_nothing(index_elements=["name"]), rows)
    return True


def _state(session: Session, name: str, url: str) -> FeedState:
    url = shown_url(url)  # the store never holds a URL's credentials
    state = session.get(FeedState, name)
    if state is None:
        values = _new_state(name, url)
        if _insert_or_ignore(session, [values]):
            state = session.get(FeedState, name)
        if state is None:
            state = FeedState(**values)
            session.add(state)
    if state.url != url:
        # A new address is a new resource: its validators and first sight start over.
        state.url, state.etag, state.last_modified = url, None, None
        state.first_success, state.fingerprint, state.first_attempt = None, None, None
    return state


def record_success(
    session: Session, name: str, url: str, now: datetime, every: timedelta, *,
    etag: str | None, last_modified: str | None, stored: int, fingerprint: str | None = None,
) -> None:
    state = _state(session, name, url)
    state.last_attempt = state.last_success = now
    state.first_success = state.first_success or now
    state.first_attempt = state.first_attempt or now
    state.failures, state.next_attempt = 0, now + every
    state.etag, state.last_modified = etag, last_modified
    if fingerprint is not None:
        state.fingerprint = fingerprint
    if stored:
        state.entries_seen = (state.entries_seen or 0) + stored
        state.last_new_entry = now


def record_failure(
    session: Session, name: str, url: str, now: datetime, every: timedelta, error: str
) -> None:
    state = _state(session, name, url)
    state.failures = (state.failures or 0) + 1
    state.last_attempt, state.last_error, state.last_error_at = now, error, now
    state.first_attempt = state.first_attempt or now
    # Exponential back-off, capped at 8 intervals.
    state.next_attempt = now + min(every * 2 ** (state.failures - 1), every * 8)


def pending_entries(session: Session, limit: int | None = None) -> list[Entry]:
    """Entries offered to rules but not yet evaluated, oldest first (survives a crash)."""
    # Plain columns, not ORM objects: a cold cycle reads tens of thousands of these.
    query = (select(EntryRow.uid, EntryRow.feed, EntryRow.title, EntryRow.summary, EntryRow.link,
                    EntryRow.published)
             .where(EntryRow.offered.is_(True), EntryRow.evaluated.is_(False))
             .order_by(EntryRow.id).limit(limit))
    return [Entry(uid=uid, feed=feed, title=title, summary=summary or "", link=link or "",
                  published=published)
            for uid, feed, title, summary, link, published in session.execute(query)]


def mark_evaluated(session: Session, uids: Iterable[str]) -> None:
    uids = list(uids)
    for start in range(0, len(uids), _BATCH):
        session.execute(update(EntryRow).where(EntryRow.uid.in_(uids[start:start + _BATCH]))
                        .values(evaluated=True))


def feed_health(session: Session, names: Sequence[str] | None = None) -> list[FeedHealth]:
    """Every polled feed (or those named) with its last success, last error and back-off."""
    query = select(FeedState).order_by(FeedState.name)
    if names is not None:
        query = query.where(FeedState.name.in_(list(names)))
    return [FeedHealth(r.name, r.url, r.last_success, r.last_error, r.last_error_at,
                       r.failures or 0, r.next_attempt, r.entries_seen or 0,
                       r.last_new_entry, r.first_success, r.first_attempt)
            for r in session.scalars(query)]
