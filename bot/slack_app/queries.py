"""Read queries behind the answers: indexed, limited in SQL, with totals for 'and N more'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from bot.models import WATCHED_STATUSES, Alert, Licence
from bot.rules import NEWS_TYPES
from bot.store.alerts import to_alert
from bot.store.licences import to_licence
from bot.store.schema import (
    AlertMaterial,
    AlertRow,
    LicenceRow,
    TradeRow,
)

T = TypeVar("T")
IS_OPEN = AlertRow.state == "open"
IS_NEWS = AlertRow.rule_type.in_(NEWS_TYPES)


@dataclass(frozen=True)
class Page(Generic[T]):
    """The first items of a result and how many there are in all."""

    items: tuple[T, ...]
    total: int


def _count(session: Session, q: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)


def licences(
    session: Session, *, today: date, materials: Iterable[str] = (), holder: str | None = None,
    expiring_within: int | None = None, limit: int = 20,
) -> Page[Licence]:
    """Current licences, soonest expiry first; `holder` matches a substring of holder or id."""
    q = select(LicenceRow).where(LicenceRow.removed.is_(None))
    mats = list(materials)
    if mats:
        q = q.where(LicenceRow.material.in_(mats))
    if holder:
        # SQLite's LIKE ignores ASCII case already; ILIKE elsewhere (PostgreSQL).
        if session.get_bind().dialect.name == "sqlite":
            q = q.where(LicenceRow.holder.contains(holder, autoescape=True)
                        | LicenceRow.licence_id.contains(holder, autoescape=True))
        else:
            q = q.where(LicenceRow.holder.icontains(holder, autoescape=True)
                        | LicenceRow.licence_id.icontains(holder, autoescape=True))
    if expiring_within is not None:
        q = q.where(LicenceRow.expires.between(today, today + timedelta(days=expiring_within)),
                    LicenceRow.status.in_(WATCHED_STATUSES))
    total = _count(session, q)
    # Upcoming expiries first (soonest first), then those without a date, then the expired
    # ones (most recent first): what a buyer has to act on leads the list. Three short
    # queries, each walking the expiry index, instead of sorting the whole register.
    items: list[LicenceRow] = []
    for part, order in ((LicenceRow.expires >= today, LicenceRow.expires.asc()),
                        (LicenceRow.expires.is_(None), LicenceRow.licence_id.asc()),
                        (LicenceRow.expires < today, LicenceRow.expires.desc())):
        if len(items) >= limit:
            break
        items += session.scalars(q.where(part).order_by(order, LicenceRow.licence_id)
                                 .limit(limit - len(items)))
    return Page(tuple(to_licence(r) for r in items), total)


def _on_materials(materials: Iterable[str]) -> Any:
    # EXISTS (not IN): the planner then walks (state, created) newest first and stops at the
    # limit, checking each alert against the (alert_id, material) primary key.
    return exists().where(AlertMaterial.alert_id == AlertRow.id,
                          AlertMaterial.material.in_(list(materials)))


def _counts_on(session: Session, materials: Iterable[str], **conditions: Any) -> dict[str, int]:
    """How many alerts on these materials meet each condition, in one pass over them.

    It goes from the material side: the alert ids of these materials (a covering index),
    each checked against its alert; IN rather than a join counts an alert on two materials once.
    """
    on = AlertRow.id.in_(select(AlertMaterial.alert_id)
                         .where(AlertMaterial.material.in_(list(materials))))
    columns = [func.count().filter(cond).label(name) for name, cond in conditions.items()]
    row = session.execute(select(*columns).where(on)).one()
    return {name: int(row[i] or 0) for i, name in enumerate(conditions)}


def _newest(session: Session, limit: int, *conditions: Any) -> tuple[Alert, ...]:
    q = (select(AlertRow).where(*conditions)
         .order_by(AlertRow.created.desc(), AlertRow.id.desc()).limit(limit))
    return tuple(to_alert(r) for r in session.scalars(q))


def open_alerts(session: Session, *, materials: Iterable[str] | None = None,
                limit: int = 15) -> Page[Alert]:
    """Open alerts (not acknowledged, snoozed, eased or resolved), newest first."""
    if materials is None:
        total = int(session.scalar(select(func.count()).where(IS_OPEN)) or 0)
        return Page(_newest(session, limit, IS_OPEN), total)
    mats = list(materials)
    if not mats:
        return Page((), 0)
    total = _counts_on(session, mats, open=IS_OPEN)["open"]
    return Page(_newest(session, limit, IS_OPEN, _on_materials(mats)), total)


def material_alerts(session: Session, materials: Iterable[str], *,
                    limit: int = 5) -> tuple[Page[Alert], Page[Alert]]:
    """For `status`: the open alerts and the latest news (any state) on these materials."""
    mats = list(materials)
    counts = _counts_on(session, mats, open=IS_OPEN, news=IS_NEWS)
    return (Page(_newest(session, limit, IS_OPEN, _on_materials(mats)), counts["open"]),
            Page(_newest(session, limit, IS_NEWS, _on_materials(mats)), counts["news"]))


def trade_products(session: Session) -> list[str]:
    return sorted(session.scalars(select(TradeRow.product).distinct()))


def trade_destinations(session: Session, product: str) -> list[str]:
    q = select(TradeRow.destination).distinct().where(TradeRow.product == product)
    return sorted(session.scalars(q))


def trade_months(session: Session, product: str, destination: str,
                 months: int) -> list[tuple[str, float]]:
    """The latest `months` (period, tonnes) of a series, oldest first."""
    q = (select(TradeRow.period, TradeRow.tonnes)
         .where(TradeRow.product == product, TradeRow.destination == destination)
         .order_by(TradeRow.period.desc()).limit(months))
    return [(p, float(t)) for p, t in reversed(session.execute(q).all())]
