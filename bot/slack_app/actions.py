"""The alert buttons: Acknowledge and Snooze 7 days, recorded with who and when, idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy import case, update
from sqlalchemy.orm import Session

from bot.alerts.snooze import snooze_alert
from bot.channels.mrkdwn import user_mention
from bot.channels.slack_blocks import ACK_ACTION, SNOOZE_ACTION, describe_state, render_alert
from bot.config import Config
from bot.models import Alert
from bot.slack_app import home
from bot.slack_app.blocks import local_time
from bot.store import Store
from bot.store.alerts import get_alert
from bot.store.outbox import enqueue_update
from bot.store.schema import AlertRow
from bot.store.snoozes import active_snooze

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a click did: `alert` as it now stands (None: no such alert), whether this click
    changed it, the state line to show on the message, and a sentence if it did nothing."""

    alert: Alert | None
    changed: bool
    state_line: str | None = None
    note: str = ""


def _state_line(session: Session, alert: Alert, now: datetime) -> str | None:
    running = active_snooze(session, alert.subject, now) if alert.state == "snoozed" else None
    return describe_state(alert, snoozed_until=running.until if running else None,
                          snoozed_by=running.by_user if running else None)


def acknowledge(session: Session, alert_id: int, user: str, now: datetime,
                tz: tzinfo = UTC) -> Outcome:
    """Record who acknowledged and when; a second click changes nothing."""
    # One conditional UPDATE, so that a double click (two requests at once) acknowledges
    # exactly once on SQLite and PostgreSQL alike; a read-then-write could do it twice.
    result = session.execute(
        update(AlertRow)
        .where(AlertRow.id == alert_id, AlertRow.acked_by.is_(None),
               AlertRow.state.not_in(("acknowledged", "resolved")))
        # An eased alert stays eased (that is the news); the acknowledgement is recorded on it.
        # A snoozed alert stays snoozed (the two compose); the acknowledgement is recorded.
        .values(state=case((AlertRow.state.in_(("eased", "snoozed")), AlertRow.state),
                           else_="acknowledged"),
                acked_by=user, acked_at=now, updated=now)
    )
    changed = getattr(result, "rowcount", 0) == 1
    alert = get_alert(session, alert_id)
    if alert is None:
        return Outcome(None, False)
    if changed:
        enqueue_update(session, alert_id, now)  # every other copy (channel, DMs) shows it too
        return Outcome(alert, True, _state_line(session, alert, now))
    if alert.state == "resolved":
        return Outcome(alert, False, note="This alert is already resolved; nothing to acknowledge.")
    when = f" on {local_time(alert.acked_at, tz)}" if alert.acked_at else ""
    return Outcome(alert, False,
                   note=f"Already acknowledged by {user_mention(alert.acked_by)}{when}.")


def snooze(session: Session, alert_id: int, user: str, now: datetime,
           tz: tzinfo = UTC) -> Outcome:
    """Mute the alert's subject for 7 days, recorded with who; a second click changes nothing."""
    alert = get_alert(session, alert_id)
    if alert is None:
        return Outcome(None, False)
    if alert.state == "resolved":
        return Outcome(alert, False, note="This alert is already resolved; nothing to snooze.")
    running = active_snooze(session, alert.subject, now)
    if alert.state == "snoozed" and running is not None:
        return Outcome(alert, False, note=f"Already snoozed by {user_mention(running.by_user)} "
                                          f"until {local_time(running.until, tz)}.")
    # Claim the change first (see acknowledge): of two simultaneous clicks only one snoozes.
    claimed = session.execute(
        update(AlertRow).where(AlertRow.id == alert_id, AlertRow.state == alert.state)
        .values(state="snoozed", updated=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return Outcome(get_alert(session, alert_id), False, note="Already snoozed.")
    snoozed = snooze_alert(session, alert_id, user, now)  # snooze row + queued chat.update
    if snoozed is None:  # pragma: no cover - deleted between two statements of one transaction
        return Outcome(None, False)
    return Outcome(snoozed, True, _state_line(session, snoozed, now))


def _alert_id(body: dict[str, Any]) -> int | None:
    try:
        return int(str(body["actions"][0].get("value", "")).strip())
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


def _update_message(client: WebClient, body: dict[str, Any], outcome: Outcome) -> str | None:
    """chat.update the message that was clicked; an error sentence if Slack refused."""
    assert outcome.alert is not None
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return None  # nothing to update (e.g. an ephemeral message)
    text, blocks = render_alert(outcome.alert, state_line=outcome.state_line)
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except Exception as exc:
        log.warning("chat.update after a button click failed: %s", exc)
        return "but I could not update the message (it will be updated shortly)"
    return None


def _reply(respond: Respond, body: dict[str, Any], text: str) -> None:
    if not body.get("response_url"):
        return  # App Home has no response_url; its view is republished instead
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("could not answer a button click on response_url: %s", exc)


Action = Callable[[Session, int, str, datetime, tzinfo], Outcome]


def register(app: App, store: Store, config: Config, *, now: Callable[[], datetime]) -> None:
    def handle(act: Action, done: str, body: dict[str, Any], client: WebClient,
               respond: Respond) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        alert_id = _alert_id(body)
        if alert_id is None:
            _reply(respond, body, "This button carries no alert id; nothing was changed.")
            return
        try:
            with store.session() as s:
                outcome = act(s, alert_id, user, now(), config.tz)
        except Exception:
            log.exception("button %s on alert %s failed", done, alert_id)
            _reply(respond, body, ":warning: Sorry, that did not work; the error is logged. "
                                  "Please try again in a minute.")
            return
        if outcome.alert is None:
            _reply(respond, body, f"Alert #{alert_id} is no longer in the store.")
        elif (body.get("container") or {}).get("type") == "view":
            home.publish(client, store, user, now(), config.tz)
        elif not outcome.changed:
            _reply(respond, body, outcome.note)
        elif problem := _update_message(client, body, outcome):
            _reply(respond, body, f"{done.capitalize()} alert #{alert_id}, {problem}.")

    @app.action(ACK_ACTION)
    def on_ack(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle(acknowledge, "acknowledged", body, client, respond)

    @app.action(SNOOZE_ACTION)
    def on_snooze(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        handle(snooze, "snoozed", body, client, respond)
