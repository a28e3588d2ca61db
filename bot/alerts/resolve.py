"""Resolution: easing news marks restrictions eased; a renewal resolves its expiry alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Alert
from bot.store.alerts import set_state, to_alert
from bot.store.schema import AlertMaterial, AlertRow, LicenceRow

# Still in force, whether or not someone has acknowledged or snoozed it: easing or renewal
# news must reach those messages too (acked_by stays on the record).
LIVE_STATES = ("open", "acknowledged", "snoozed")
# Easing news speaks to the restrictions of its season, not to every restriction ever
# recorded on the material (a year of acknowledged alerts would all be rewritten at once).
EASING_REACH = timedelta(days=90)


def live_alerts(
    session: Session, rule_type: str, materials: Iterable[str] | None = None,
    since: datetime | None = None,
) -> list[Alert]:
    q = select(AlertRow).where(AlertRow.rule_type == rule_type, AlertRow.state.in_(LIVE_STATES))
    if since is not None:
        q = q.where(AlertRow.created >= since)
    if materials is not None:
        q = q.where(AlertRow.id.in_(
            select(AlertMaterial.alert_id).where(AlertMaterial.material.in_(list(materials)))
        ))
    return [to_alert(row) for row in session.scalars(q.order_by(AlertRow.id))]


def story_time(alert: Alert) -> datetime:
    """When a news alert's story was published: its first source's time, stored as data when
    the alert was recorded; else (rows from before sources carried a time) when recorded."""
    published = alert.sources[0].published if alert.sources else None
    return published or alert.created


def ease_restrictions(session: Session, easing: Alert, now: datetime) -> list[int]:
    """Mark live news_restriction alerts sharing a material with `easing` as eased (those
    recorded in the EASING_REACH before it).

    Materials must be shared exactly: an easing on the rare earths as a group ("Beijing
    suspends the October rare-earth controls") says nothing about a dysprosium restriction
    that stays, so it does not ease it.
    """
    if not easing.materials:
        return []
    changed = []
    note = f"eased by alert {easing.id}: {easing.title}"
    reach = easing.created - EASING_REACH
    eased_at = story_time(easing)
    for alert in live_alerts(session, "news_restriction", easing.materials, since=reach):
        # A restriction published after the easing is newer news, not undone by it (both may
        # be recorded in one cycle, so the stories' publication times decide, not `created`).
        if alert.id != easing.id and story_time(alert) <= eased_at and set_state(
            session, alert.id, "eased", now, note=note
        ):
            changed.append(alert.id)
    return changed


def renewed_licences(
    session: Session, licence_ids: Iterable[str], renewals: Mapping[str, str]
) -> dict[str, str]:
    """licence id -> how it was renewed, for those of `licence_ids` that are renewed."""
    ids = set(licence_ids)
    out = {i: f"renewed by licence {renewals[i]}" for i in ids if i in renewals}
    rest = ids - set(out)
    if rest:
        rows = session.execute(
            select(LicenceRow.licence_id).where(
                LicenceRow.licence_id.in_(rest), LicenceRow.status == "renewed"
            )
        )
        out.update({lid: "licence status is renewed" for (lid,) in rows})
    return out


def resolve_renewed(session: Session, renewals: Mapping[str, str], now: datetime) -> list[int]:
    """Resolve live licence_expiry alerts of licences that were renewed (docs/rules.md)."""
    alerts = live_alerts(session, "licence_expiry")
    if not alerts:
        return []
    renewed = renewed_licences(session, {a.subject for a in alerts}, renewals)
    changed = []
    for alert in alerts:
        how = renewed.get(alert.subject)
        if how and set_state(session, alert.id, "resolved", now, note=how):
            changed.append(alert.id)
    return changed


def apply_resolutions(
    session: Session, new_alerts: Iterable[Alert], renewals: Mapping[str, str], now: datetime
) -> list[int]:
    """Apply both resolutions in the caller's transaction; the ids whose state changed.

    `new_alerts` are the alerts recorded this cycle; `renewals` maps an old licence id to the
    newer licence that renews it (bot.rules.context.find_renewals). Delivery updates the
    Slack messages of the returned ids (chat.update).
    """
    changed: list[int] = []
    for alert in new_alerts:
        if alert.rule_type == "news_easing":
            changed += ease_restrictions(session, alert, now)
    changed += resolve_renewed(session, renewals, now)
    return list(dict.fromkeys(changed))
