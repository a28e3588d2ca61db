"""Export statistics queries: upsert figures with revisions logged, and read series back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import TradePoint
from bot.store.schema import TradeRevision, TradeRow


def to_point(row: TradeRow) -> TradePoint:
    return TradePoint(period=row.period, product=row.product, destination=row.destination,
                      tonnes=row.tonnes, value_usd=row.value_usd, source=row.source or "")


def apply_trade(
    session: Session, points: Sequence[TradePoint], now: datetime
) -> tuple[int, int, list[str]]:
    """Insert new figures, update changed ones; returns (added, updated, revision texts)."""
    existing = {(r.product, r.destination, r.period): r for r in session.scalars(select(TradeRow))}
    added = updated = 0
    changes: list[str] = []
    for p in points:
        row = existing.get((p.product, p.destination, p.period))
        if row is None:
            session.add(TradeRow(period=p.period, product=p.product, destination=p.destination,
                                 tonnes=p.tonnes, value_usd=p.value_usd, source=p.source,
                                 updated=now))
            added += 1
            continue
        if (row.tonnes, row.value_usd, row.source or "") == (p.tonnes, p.value_usd, p.source):
            continue
        if row.tonnes != p.tonnes:
            session.add(TradeRevision(period=p.period, product=p.product,
                                      destination=p.destination, old_tonnes=row.tonnes,
                                      new_tonnes=p.tonnes, revised=now))
            changes.append(f"{p.series} {p.period}: {row.tonnes:g} -> {p.tonnes:g} t")
        row.tonnes, row.value_usd, row.source, row.updated = p.tonnes, p.value_usd, p.source, now
        updated += 1
    return added, updated, changes


def trade_series(
    session: Session, product: str | None = None, destination: str | None = None,
    since_period: str | None = None,
) -> list[TradePoint]:
    """Figures ordered by product, destination and period; filters match case-insensitively."""
    query = select(TradeRow).order_by(TradeRow.product, TradeRow.destination, TradeRow.period)
    if product is not None:
        query = query.where(TradeRow.product == " ".join(product.split()).lower())
    if destination is not None:
        query = query.where(TradeRow.destination == destination.strip().upper())
    if since_period is not None:
        query = query.where(TradeRow.period >= since_period)
    return [to_point(r) for r in session.scalars(query)]
