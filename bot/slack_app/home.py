"""App Home: the user's subscriptions and the open alerts on their materials, with buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.channels.slack_blocks import ACK_ACTION, SNOOZE_ACTION
from bot.config import Config
from bot.material_graph import covered_by
from bot.materials import display_name
from bot.models import Alert
from bot.slack_app import queries
from bot.slack_app.blocks import MAX_HOME_BLOCKS, ReplyBuilder, alert_line, esc, local_time
from bot.store import Store
from bot.store.subscriptions import subscriptions_of

log = logging.getLogger(__name__)

HOME_ALERTS = 20


def _buttons(alert: Alert) -> dict[str, Any]:
    value = str(alert.id)
    return {"type": "actions", "block_id": f"home_actions_{alert.id}", "elements": [
        {"type": "button", "action_id": ACK_ACTION, "value": value, "style": "primary",
         "text": {"type": "plain_text", "text": "Acknowledge", "emoji": True}},
        {"type": "button", "action_id": SNOOZE_ACTION, "value": value,
         "text": {"type": "plain_text", "text": "Snooze 7 days", "emoji": True}},
    ]}


def home_view(store: Store, user: str, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The Home tab for `user` as a `views.publish` view (at most 100 blocks)."""
    with store.reader() as s:
        mine = subscriptions_of(s, user)
        page = (queries.open_alerts(s, materials=covered_by(mine), limit=HOME_ALERTS)
                if mine else None)  # through the graph: NdFeB shows Dy and REE alerts too
    view = ReplyBuilder(max_blocks=MAX_HOME_BLOCKS).header("Chokepoint · supply-risk alerts")
    if mine:
        view.section("*Your subscriptions*: " + ", ".join(esc(display_name(k)) for k in mine)
                     + "\nYou get a DM for every new alert on these materials.")
    else:
        view.section("You have no subscriptions yet. Type `/chokepoint subscribe Dy Tb` to get "
                     "a DM for alerts on dysprosium and terbium, and to see their open alerts "
                     "here.")
    view.divider()
    if page is not None:
        view.header(f"Open alerts on your materials ({page.total})")
        shown = 0
        for alert in page.items:
            if not view.has_room(3):  # the alert, its buttons and the "and N more" line
                break
            view.section(alert_line(alert, now)).block(_buttons(alert))
            shown += 1
        if not page.total:
            view.section(":white_check_mark: None open: all acknowledged, snoozed or resolved.")
        elif page.total > shown:
            view.context(f"… and {page.total - shown} more: `/chokepoint alerts` lists them all")
    view.context(f"Updated {local_time(now, tz)} · `/chokepoint help` for every command")
    return {"type": "home", "blocks": list(view.build().blocks)}


def publish(client: WebClient, store: Store, user: str, now: datetime, tz: tzinfo) -> None:
    """Publish the Home tab; a failure is logged (the user sees the previous view)."""
    try:
        client.views_publish(user_id=user, view=home_view(store, user, now, tz))
    except Exception as exc:
        log.warning("views.publish for %s failed: %s", user, exc)


def register(app: App, store: Store, config: Config, *, now: Callable[[], datetime]) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab
        user = str(event.get("user") or "")
        if user:
            publish(client, store, user, now(), config.tz)
