"""Acknowledging and snoozing compose: the message shows both, neither erases the other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.alerts import get_alert
from tests.helpers.slack_app import SlackAppHarness
from tests.peers.slack_api import SlackApiPeer


@pytest.fixture
def harness(tmp_path: Path, slack_peer: SlackApiPeer) -> Iterator[SlackAppHarness]:
    h = SlackAppHarness(tmp_path, slack_peer)
    yield h
    h.close()


def last_update(h: SlackAppHarness, count: int) -> tuple[str, list[str]]:
    update = h.peer.wait_for("chat.update", count)[-1].body
    buttons = [e["action_id"] for b in update["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return json.dumps(update["blocks"], ensure_ascii=False) + update["text"], buttons


@pytest.mark.parametrize("order", [("chokepoint_ack", "chokepoint_snooze"),
                                   ("chokepoint_snooze", "chokepoint_ack")])
def test_the_message_shows_who_acknowledged_and_who_snoozed_in_either_order(
    harness: SlackAppHarness, order: tuple[str, str],
) -> None:
    alert_id = harness.alert("China halts dysprosium oxide exports", severity="critical")
    harness.click(order[0], alert_id, user="U0ACKER" if order[0] == "chokepoint_ack" else "U0SNOOZER")
    harness.peer.wait_for("chat.update", 1)
    harness.click(order[1], alert_id, user="U0ACKER" if order[1] == "chokepoint_ack" else "U0SNOOZER")
    text, buttons = last_update(harness, 2)
    assert "<@U0ACKER>" in text and "cknowledged" in text
    assert "<@U0SNOOZER>" in text and "Snoozed" in text
    assert buttons == [], "neither button comes back"
    with harness.store.session() as s:
        alert = get_alert(s, alert_id)
    assert alert is not None and alert.state == "snoozed" and alert.acked_by == "U0ACKER"
