"""Recording: matches become alerts with their outbox rows, stories gain sources, and
resolutions (eased, resolved) are applied — all in one transaction per call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.alerts.resolve import apply_resolutions
from bot.alerts.revised import resolve_revised_swings
from bot.alerts.route import targets_for
from bot.config import RouteConfig
from bot.models import Alert, Match
from bot.store.alerts import add_sources, alert_id_for_key, get_alert, record_alert
from bot.store.outbox import enqueue_source_note, enqueue_update, has_sent_posts
from bot.store.subscriptions import subscribers_by_material


@dataclass
class Recorded:
    new_alerts: list[int] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)  # stories that gained a source
    changed: list[int] = field(default_factory=list)  # eased / resolved by this call


def join_story(session: Session, match: Match, now: datetime) -> int | None:
    """A match whose key exists already: a further source of that story. Add its new links,
    queue an update of the message and a thread note per new source; the alert id if any."""
    alert_id = alert_id_for_key(session, match.key)
    if alert_id is None:
        return None
    fresh = add_sources(session, alert_id, match.sources, now)
    if not fresh:
        return None
    # Not posted yet (an earlier evaluation batch of this cycle): the post will list every
    # source, so there is nothing to update or reply to (and no query per source to ask).
    if has_sent_posts(session, alert_id):
        enqueue_update(session, alert_id, now)  # the message lists every source
        for link in fresh:  # and the thread says what came in
            enqueue_source_note(session, alert_id, link, match.title, now)
    return alert_id


def record_matches(
    session: Session, matches: Sequence[Match], now: datetime, *,
    routes: Sequence[RouteConfig], default_channel: str, renewals: Mapping[str, str],
) -> Recorded:
    """Store matches as alerts with their outbox rows; join stories; apply resolutions."""
    recorded = Recorded()
    subscribers = subscribers_by_material(session)
    created: list[Alert] = []
    for match in matches:
        targets = targets_for(match, routes, default_channel, subscribers)
        alert_id = record_alert(session, match, targets, now)
        if alert_id is not None:
            alert = get_alert(session, alert_id)
            if alert is not None:
                created.append(alert)
            recorded.new_alerts.append(alert_id)
        elif match.sources:
            joined = join_story(session, match, now)
            if joined is not None:
                recorded.joined.append(joined)
    recorded.changed = apply_resolutions(session, created, dict(renewals), now)
    recorded.changed += [i for i in resolve_revised_swings(session, now)
                         if i not in recorded.changed]
    for alert_id in recorded.changed:
        enqueue_update(session, alert_id, now)
    return recorded
