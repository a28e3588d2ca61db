"""An export-swing alert whose month was revised so that the swing is gone is resolved.

The swing is judged again from the figures the store now holds for the alert's two months
(its "Months", "Product" and "Destination" facts) against the threshold the rule used (its
reason says it); when the change is now below it, or a month was withdrawn, the alert is
resolved with a note giving the revised figures.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts.resolve import live_alerts
from bot.models import Alert
from bot.store.alerts import set_state
from bot.store.schema import TradeRow

_THRESHOLD = re.compile(r"threshold ([0-9.]+)%")


def _tonnes(session: Session, product: str, destination: str, period: str) -> float | None:
    return session.scalar(select(TradeRow.tonnes).where(
        TradeRow.product == product, TradeRow.destination == destination,
        TradeRow.period == period))


def revision_note(session: Session, alert: Alert) -> str | None:
    """Why the alert's swing is gone after a revision; None while it still stands."""
    facts = dict(alert.facts)
    months = facts.get("Months", "").split(" → ")
    threshold = _THRESHOLD.search(alert.reason or "")
    product, destination = facts.get("Product"), facts.get("Destination")
    if len(months) != 2 or threshold is None or not product or not destination:
        return None  # not an alert this module can judge again
    before, latest = (_tonnes(session, product, destination, m) for m in months)
    if before is None or latest is None:
        return f"the figures for {months[0]} or {months[1]} were withdrawn"
    if before <= 0:
        return None
    change = (latest - before) / before * 100
    if round(abs(change), 6) >= float(threshold.group(1)):
        return None
    return (f"revised: {months[0]} → {months[1]} is now {change:+.1f}%, below the "
            f"{threshold.group(1)}% threshold")


def resolve_revised_swings(session: Session, now: datetime) -> list[int]:
    """Resolve live export_swing alerts that a revision undid; the ids resolved."""
    changed = []
    for alert in live_alerts(session, "export_swing"):
        note = revision_note(session, alert)
        if note and set_state(session, alert.id, "resolved", now, note=note):
            changed.append(alert.id)
    return changed
