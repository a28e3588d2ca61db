"""Who may act through the Slack app: signature first, then replays, the body, the workspace."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from bot.store.alerts import get_alert
from tests.helpers.slack_app import BUYER, SECRET, SlackAppHarness
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import block_actions_body, sign, signed_headers


@pytest.fixture
def harness(tmp_path: Path, slack_peer: SlackApiPeer) -> Iterator[SlackAppHarness]:
    h = SlackAppHarness(tmp_path, slack_peer)
    yield h
    h.close()


def other_team(body: bytes) -> bytes:
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    payload["team"] = {"id": "T0EVIL", "domain": "evil"}
    payload["user"]["team_id"] = "T0EVIL"
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_signed_click_from_another_workspace_is_refused_and_changes_nothing(
    harness: SlackAppHarness,
) -> None:
    alert_id = harness.alert("China halts dysprosium oxide exports")
    for action in ("chokepoint_ack", "chokepoint_snooze"):
        body = other_team(block_actions_body(action, str(alert_id), channel="C0VICTIM",
                                             message_ts="1700000000.999999"))
        assert harness.post(body).status_code == 401
    time.sleep(0.5)
    assert harness.peer.calls_to("chat.update") == []
    with harness.store.session() as s:
        alert = get_alert(s, alert_id)
    assert alert is not None and alert.state == "open" and alert.acked_by is None


def test_a_replayed_signed_click_is_answered_but_not_acted_on_twice(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Dy licence denied")
    body = block_actions_body("chokepoint_ack", str(alert_id),
                              response_url=harness.peer.response_url("act/replay"))
    headers = signed_headers(body, SECRET)
    assert harness.post(body, headers).status_code == 200
    harness.peer.wait_for("chat.update")
    assert harness.post(body, headers).status_code == 200  # the replay
    time.sleep(1.0)
    assert len(harness.peer.calls_to("chat.update")) == 1
    assert harness.peer.calls_to("/response/act/replay") == [], "the replay got an answer of its own"


@pytest.mark.parametrize("body", [b"payload=%7Bnot-json", "payload={}".encode("utf-16"),
                                  b"\xff\xfe\x00garbage", b"team_id=T0TEST&%%%"])
def test_a_malformed_body_is_400_when_signed_and_401_when_not(
    harness: SlackAppHarness, body: bytes,
) -> None:
    assert harness.post(body, {"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401
    assert harness.post(body).status_code == 400


@pytest.mark.parametrize("timestamp", ["abc", "", "-5", "1e9", "0x65"])
def test_a_malformed_timestamp_is_401_not_500(harness: SlackAppHarness, timestamp: str) -> None:
    body = b"payload=%7Bnot-json"
    headers = {**signed_headers(body, SECRET), "X-Slack-Request-Timestamp": timestamp}
    assert harness.post(body, headers).status_code == 401


def test_a_json_body_that_is_not_an_object_is_400(harness: SlackAppHarness) -> None:
    body = b"[1, 2, 3]"
    headers = {**sign(body, SECRET), "Content-Type": "application/json"}
    assert harness.post(body, headers).status_code == 400


def test_a_click_from_the_bots_own_workspace_still_acts(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Tb exports halted")
    harness.click("chokepoint_ack", alert_id)
    harness.peer.wait_for("chat.update")
    assert harness.peer.calls_to("auth.test"), "the workspace comes from auth.test"
    with harness.store.session() as s:
        alert = get_alert(s, alert_id)
    assert alert is not None and alert.acked_by == BUYER
