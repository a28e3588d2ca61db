"""Who gets a DM for which materials (`/chokepoint subscribe Dy Tb`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.schema import Subscription


def subscribe(session: Session, user: str, materials: Iterable[str], now: datetime) -> list[str]:
    """Subscribe `user` to canonical `materials`; returns the ones that were new."""
    have = set(subscriptions_of(session, user))
    added = [m for m in dict.fromkeys(materials) if m not in have]
    for material in added:
        session.add(Subscription(user_id=user, material=material, created=now))
    session.flush()
    return added


def unsubscribe(session: Session, user: str, materials: Iterable[str]) -> list[str]:
    """Remove `user`'s subscriptions to `materials`; returns the ones that existed."""
    wanted = list(dict.fromkeys(materials))
    have = set(subscriptions_of(session, user))
    removed = [m for m in wanted if m in have]
    if removed:
        session.execute(
            delete(Subscription).where(
                Subscription.user_id == user, Subscription.material.in_(removed)
            )
        )
    return removed


def subscriptions_of(session: Session, user: str) -> list[str]:
    """The materials `user` is subscribed to, sorted."""
    q = select(Subscription.material).where(Subscription.user_id == user)
    return sorted(session.scalars(q))


def subscribers_by_material(session: Session) -> dict[str, list[str]]:
    """{material: [user, ...]} for routing (users in the order they subscribed)."""
    out: dict[str, list[str]] = {}
    q = select(Subscription).order_by(Subscription.created, Subscription.user_id)
    for row in session.scalars(q):
        out.setdefault(row.material, []).append(row.user_id)
    return out
