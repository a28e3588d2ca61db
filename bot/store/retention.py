"""Retention: delete feed entries older than `retention.entries`; alerts and deliveries are kept.

Unlike the repositories beside it, `prune` takes the `Store`, not a `Session`: it is a job
that opens its own transactions, one per chunk, so it never holds SQLite's write lock long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, delete, func, not_, select

from bot.store import Store
from bot.store.schema import EntryRow

# Entries deleted per transaction. Smaller chunks hold SQLite's one write lock for less time
# but rewrite the same (random) uid-index pages once per chunk: on a year of 1,000 feeds,
# 5,000 took 43 s for the first prune and 50,000 took 17 s, about 2 s of lock per chunk,
# well under the 10 s other writers wait. Daily prunes delete one day's entries: one chunk.
_CHUNK = 50_000
# A feed may still serve entries we first saw long ago (a quiet feed's 20 latest can span a
# year). Deleting those would make the next poll store them as new and evaluate them again,
# so the newest entries of every feed stay whatever their age.
KEEP_PER_FEED = 100


@dataclass(frozen=True)
class PruneReport:
    """What a prune did: entries deleted, and old entries kept on purpose (and why)."""

    cutoff: datetime
    deleted: int
    kept_pending: int  # older than the cutoff but not evaluated yet (a crash mid-cycle)
    kept_latest: int  # older than the cutoff but among the newest of a feed that may serve them

    def __str__(self) -> str:
        return (f"pruned {self.deleted} feed entries first seen before {self.cutoff:%Y-%m-%d}; "
                f"kept {self.kept_pending} awaiting evaluation and {self.kept_latest} "
                "that their feed may still serve")


def _pending() -> ColumnElement[bool]:
    return and_(EntryRow.offered.is_(True), EntryRow.evaluated.is_(False))


def _delete_chunked(store: Store, where: list[ColumnElement[bool]]) -> int:
    """Delete the rows matching `where`, oldest id first, at most _CHUNK per transaction."""
    deleted = 0
    while True:
        with store.session() as s:
            # Bound each transaction by an id range, not a list of ids (no parameter limit).
            last = s.scalar(select(EntryRow.id).where(*where).order_by(EntryRow.id)
                            .offset(_CHUNK - 1).limit(1))
            upto = [EntryRow.id <= last] if last is not None else []
            done = cast(CursorResult[Any], s.execute(delete(EntryRow).where(*where, *upto)))
            count = done.rowcount or 0
        deleted += count
        if last is None or count == 0:
            return deleted


def _protected_floors(store: Store, cutoff: datetime, keep: int) -> dict[str, int | None]:
    """Feeds whose newest `keep` entries reach back before the cutoff -> the lowest id to keep.

    None: the feed has no more than `keep` entries, so none of them goes. A busy feed is not
    listed: its newest entries are all recent (ids grow with first sight), so the cutoff
    alone never reaches them, and its old entries can go in the cheap store-wide delete.
    """
    if keep == 0:
        return {}
    floors: dict[str, int | None] = {}
    with store.reader() as s:
        for feed in s.scalars(select(EntryRow.feed).distinct()).all():
            row = s.execute(select(EntryRow.id, EntryRow.first_seen).where(EntryRow.feed == feed)
                            .order_by(EntryRow.id.desc()).offset(keep - 1).limit(1)).first()
            if row is None:
                floors[feed] = None
            elif row.first_seen < cutoff:
                floors[feed] = row.id
    return floors


def prune(
    store: Store, older_than: timedelta, now: datetime, *, keep_per_feed: int = KEEP_PER_FEED
) -> PruneReport:
    """Delete entries first seen more than `older_than` before `now`, in small transactions.

    Kept whatever their age: entries still pending evaluation, and the newest `keep_per_feed`
    of each feed. Alerts, their deliveries and feed health are never touched: an alert keeps
    its headline and source links itself, so the audit trail outlives the entries behind it.
    """
    if now.tzinfo is None:
        raise ValueError("prune needs an aware datetime (UTC) for `now`")
    if older_than <= timedelta(0):
        raise ValueError(f"retention must be a positive duration, not {older_than}")
    if keep_per_feed < 0:
        raise ValueError("keep_per_feed must be 0 or more")
    cutoff = now - older_than
    old = [EntryRow.first_seen < cutoff, not_(_pending())]
    floors = _protected_floors(store, cutoff, keep_per_feed)
    # One store-wide delete in id order writes each page about once; a delete per feed
    # rewrote the same index pages in many small transactions (5x slower on a year's entries).
    deleted = _delete_chunked(store, [*old, EntryRow.feed.not_in(list(floors))])
    for feed, floor in floors.items():
        if floor is not None:
            deleted += _delete_chunked(store, [*old, EntryRow.feed == feed, EntryRow.id < floor])
    with store.reader() as s:
        aged = select(func.count()).select_from(EntryRow).where(EntryRow.first_seen < cutoff)
        remaining = int(s.scalar(aged) or 0)
        pending = int(s.scalar(aged.where(_pending())) or 0)
    return PruneReport(cutoff=cutoff, deleted=deleted, kept_pending=pending,
                       kept_latest=remaining - pending)
