"""Reading the store's rows back in tests (what the bot itself never needs to look up)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store import Store
from bot.store.schema import Delivery, EntryRow

T = TypeVar("T")


def read(store: Store, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`query(session, *args, **kwargs)` in a read-only transaction of `store`."""
    with store.reader() as s:
        return query(s, *args, **kwargs)


def deliveries_of(session: Session, alert_id: int) -> list[Delivery]:
    """An alert's outbox rows, in the order they were written."""
    return list(session.scalars(
        select(Delivery).where(Delivery.alert_id == alert_id).order_by(Delivery.id)))


def entry_count(session: Session, feed: str | None = None) -> int:
    """How many entries are stored (of one feed)."""
    query = select(func.count()).select_from(EntryRow)
    if feed is not None:
        query = query.where(EntryRow.feed == feed)
    return int(session.scalar(query) or 0)
