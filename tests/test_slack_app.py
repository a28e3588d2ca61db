"""The Slack app over real HTTP: signatures, /healthz, the buttons, App Home, a request flood."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from sqlalchemy import select

from bot.config import Config, Secrets
from bot.models import Licence, Match
from bot.slack_app.app import SlackAppError, build_app
from bot.slack_app.server import SocketModeServer, serve_http
from bot.store import Store
from bot.store.alerts import get_alert, record_alert
from bot.store.schema import Delivery, Snooze
from bot.store.subscriptions import subscribe
from tests.helpers.slack_app import (
    BUYER,
    NOW,
    SECRET,
    SlackAppHarness,
    block_texts,
)
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import (
    block_actions_body,
    sign,
    signed_headers,
    slash_command_body,
)


@pytest.fixture
def harness(tmp_path: Path, slack_peer: SlackApiPeer) -> Iterator[SlackAppHarness]:
    h = SlackAppHarness(tmp_path, slack_peer)
    yield h
    h.close()


# -- request verification ------------------------------------------------------------------

def test_a_wrong_signature_is_refused(harness: SlackAppHarness) -> None:
    body = slash_command_body("alerts", response_url=harness.peer.response_url())
    resp = harness.post(body, {**signed_headers(body, "not-the-secret")})
    assert resp.status_code == 401
    assert harness.peer.responses == []


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(harness: SlackAppHarness) -> None:
    body = slash_command_body("alerts")
    stale = int(time.time()) - 6 * 60
    resp = harness.post(body, {"Content-Type": "application/x-www-form-urlencoded",
                               **sign(body, SECRET, stale)})
    assert resp.status_code == 401


def test_unsigned_and_tampered_requests_are_refused(harness: SlackAppHarness) -> None:
    body = slash_command_body("alerts")
    assert harness.post(body, {"Content-Type": "application/x-www-form-urlencoded"}
                        ).status_code == 401
    headers = signed_headers(body, SECRET)
    tampered = body.replace(b"U0BUYER", b"U0OTHER")
    assert harness.post(tampered, headers).status_code == 401


def test_the_events_url_check_is_answered(harness: SlackAppHarness) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge,
                       "type": "url_verification"}).encode()
    resp = harness.post(body, {"Content-Type": "application/json", **sign(body, SECRET)})
    assert resp.status_code == 200
    assert challenge in resp.text


def test_healthz_answers_from_the_same_server(harness: SlackAppHarness) -> None:
    ok = harness.http.get("/healthz")
    assert ok.status_code == 200
    assert ok.json() == {"ok": True, "database": "ok"}
    harness.healthy = False
    down = harness.http.get("/healthz")
    assert down.status_code == 503
    assert down.json()["ok"] is False
    assert harness.http.get("/elsewhere").status_code == 404


def test_server_on_port_zero_stops_cleanly_with_a_connection_open(
        harness: SlackAppHarness) -> None:
    assert harness.server.port > 0
    assert harness.http.get("/healthz").status_code == 200  # keeps a keep-alive connection
    started = time.monotonic()
    harness.server.stop()
    assert time.monotonic() - started < 5
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{harness.url}/healthz", timeout=2)
    harness.server.stop()  # a second stop is harmless


def test_a_port_in_use_is_a_sentence(harness: SlackAppHarness) -> None:
    with pytest.raises(SlackAppError, match=f"127.0.0.1:{harness.server.port}: the port is "
                                            "already in use"):
        serve_http(harness.app, "127.0.0.1", harness.server.port, lambda: (True, {}))


def test_http_mode_needs_a_signing_secret(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/s.db")
    config = Config(feeds=[])
    with pytest.raises(SlackAppError, match="SLACK_SIGNING_SECRET"):
        build_app(store, config, Secrets(slack_bot_token="xoxb-1", slack_signing_secret=None))
    with pytest.raises(SlackAppError, match="SLACK_BOT_TOKEN"):
        build_app(store, config, Secrets(slack_signing_secret="s"))


def test_socket_mode_app_refuses_every_http_request(tmp_path: Path, slack_peer: SlackApiPeer
                                                    ) -> None:
    store = Store(f"sqlite:///{tmp_path}/s.db")
    app = build_app(store, Config(feeds=[]), Secrets(
        slack_bot_token="xoxb-1", slack_app_token="xapp-1-A-1-x", slack_api_url=slack_peer.url))
    server = serve_http(app, "127.0.0.1", 0, lambda: (True, {}))
    try:
        body = slash_command_body("help")
        resp = httpx.post(f"http://127.0.0.1:{server.port}/slack/events", content=body,
                          headers=signed_headers(body, ""))
        assert resp.status_code == 401  # an empty key would let anyone sign
    finally:
        server.stop()


def test_socket_mode_is_built_on_the_app_token_without_connecting(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    store = Store(f"sqlite:///{tmp_path}/s.db")
    app = build_app(store, Config(feeds=[]), Secrets(
        slack_bot_token="xoxb-1", slack_app_token="xapp-1-A-1-x", slack_api_url=slack_peer.url))
    server = SocketModeServer(app, "xapp-1-A-1-x")  # .start() would open the WebSocket
    assert server._handler.client.app_token == "xapp-1-A-1-x"
    assert server._handler.app is app
    server.stop()
    assert slack_peer.calls == []


# -- buttons -------------------------------------------------------------------------------

def test_acknowledge_records_who_and_when_and_updates_the_message(
        harness: SlackAppHarness) -> None:
    alert_id = harness.alert("China halts dysprosium oxide exports", severity="critical")
    harness.click("chokepoint_ack", alert_id)
    update = harness.peer.wait_for("chat.update")[0]
    assert (update.body["channel"], update.body["ts"]) == ("C0ALERTS", "1700000000.000100")
    assert "Acknowledged by <@U0BUYER>" in json.dumps(update.body["blocks"])
    assert "Acknowledged by <@U0BUYER>" in update.body["text"]
    buttons = [e["action_id"] for b in update.body["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert "chokepoint_ack" not in buttons
    with harness.store.session() as s:
        alert = get_alert(s, alert_id)
    assert alert is not None
    assert (alert.state, alert.acked_by, alert.acked_at) == ("acknowledged", BUYER, NOW)


def test_a_second_acknowledge_says_it_is_already_done(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Dy licence denied")
    harness.click("chokepoint_ack", alert_id)
    harness.peer.wait_for("chat.update")
    harness.click("chokepoint_ack", alert_id, user="U0SECOND")
    reply = harness.peer.wait_for("/response/act/U0SECOND")[0]
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["replace_original"] is False
    assert "Already acknowledged by <@U0BUYER>" in reply.body["text"]
    time.sleep(0.2)
    assert len(harness.peer.calls_to("chat.update")) == 1
    with harness.store.session() as s:
        assert get_alert(s, alert_id).acked_by == BUYER  # type: ignore[union-attr]


def test_a_double_click_acknowledges_exactly_once(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Tb oxide shipments halted", ("Tb",))
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda u: harness.click("chokepoint_ack", alert_id, user=u),
                      ["U0A", "U0B", "U0C", "U0D"]))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(harness.peer.responses) < 3:
        time.sleep(0.02)
    assert len(harness.peer.calls_to("chat.update")) == 1
    assert len(harness.peer.responses) == 3
    assert all("Already acknowledged" in r.body["text"] for r in harness.peer.responses)


def test_snooze_mutes_the_subject_for_seven_days_recorded_with_who(
        harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Licence LIC-7 expires in 14 days", rule_type="licence_expiry",
                             subject="LIC-7")
    harness.click("chokepoint_snooze", alert_id)
    update = harness.peer.wait_for("chat.update")[0]
    assert "Snoozed by <@U0BUYER>" in json.dumps(update.body["blocks"])
    with harness.store.session() as s:
        rows = s.scalars(select(Snooze)).all()
        assert [(r.subject, r.by_user, r.until, r.alert_id) for r in rows] == [
            ("LIC-7", BUYER, NOW + timedelta(days=7), alert_id)]
        assert get_alert(s, alert_id).state == "snoozed"  # type: ignore[union-attr]

    harness.click("chokepoint_snooze", alert_id, user="U0SECOND")
    reply = harness.peer.wait_for("/response/act/U0SECOND")[0]
    assert "Already snoozed by <@U0BUYER> until 2025-11-10 09:00 CET" in reply.body["text"]
    with harness.store.session() as s:
        assert len(s.scalars(select(Snooze)).all()) == 1
    assert len(harness.peer.calls_to("chat.update")) == 1


def test_a_click_queues_updates_of_the_alerts_other_messages(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Gallium exports suspended", ("Ga",))
    with harness.store.session() as s:
        post = s.scalars(select(Delivery).where(Delivery.alert_id == alert_id)).one()
        post.status, post.slack_channel, post.slack_ts = "sent", "C0OTHER", "1699.0001"
    harness.click("chokepoint_ack", alert_id)
    harness.peer.wait_for("chat.update")
    with harness.store.session() as s:
        updates = s.scalars(select(Delivery).where(Delivery.kind == "update")).all()
        assert [(u.slack_channel, u.slack_ts, u.status) for u in updates] == [
            ("C0OTHER", "1699.0001", "pending")]


def test_a_failed_chat_update_still_records_and_says_so(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Ge exports halted", ("Ge",))
    harness.peer.fail_next("chat.update", error="message_not_found")
    harness.click("chokepoint_ack", alert_id)
    reply = harness.peer.wait_for(f"/response/act/{BUYER}")[0]
    assert "could not update the message" in reply.body["text"]
    with harness.store.session() as s:
        assert get_alert(s, alert_id).state == "acknowledged"  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["999999", "not-a-number", ""])
def test_a_click_on_an_unknown_alert_changes_nothing(harness: SlackAppHarness, value: str) -> None:
    harness.click("chokepoint_ack", value)
    reply = harness.peer.wait_for(f"/response/act/{BUYER}")[0]
    assert "no longer in the store" in reply.body["text"] or "no alert id" in reply.body["text"]
    assert harness.peer.calls_to("chat.update") == []


# -- App Home ------------------------------------------------------------------------------

def _home_opened(user: str) -> bytes:
    return json.dumps({
        "token": "legacy", "team_id": "T0TEST", "api_app_id": "A0CHOKEPOINT",
        "type": "event_callback", "event_id": "Ev0HOME", "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0BUYER", "tab": "home",
                  "event_ts": f"{time.time():.6f}"},
    }).encode()


def _post_json(harness: SlackAppHarness, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", **sign(body, SECRET)}
    return harness.post(body, headers)


def test_app_home_shows_subscriptions_and_open_alerts_on_them(harness: SlackAppHarness) -> None:
    dy = harness.alert("Dy oxide exports halted <!channel>")
    harness.alert("Gallium quota cut", ("Ga",))
    acked = harness.alert("Old Dy story")
    with harness.store.session() as s:
        subscribe(s, BUYER, ["Dy", "Tb"], NOW)
    harness.click("chokepoint_ack", acked)
    harness.peer.wait_for("chat.update")

    assert _post_json(harness, _home_opened(BUYER)).status_code == 200
    publish = harness.peer.wait_for("views.publish")[0]
    assert publish.body["user_id"] == BUYER
    view = publish.body["view"]
    assert view["type"] == "home"
    text = block_texts(view)
    assert "dysprosium (Dy), terbium (Tb)" in text
    assert "Dy oxide exports halted &lt;!channel&gt;" in text
    assert "Gallium" not in text and "Old Dy story" not in text
    values = [e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == [str(dy), str(dy)]
    assert len(view["blocks"]) <= 100


def test_acknowledging_from_app_home_republishes_it(harness: SlackAppHarness) -> None:
    alert_id = harness.alert("Dy oxide exports halted")
    with harness.store.session() as s:
        subscribe(s, BUYER, ["Dy"], NOW)
    form = parse_qs(block_actions_body("chokepoint_ack", str(alert_id)).decode())
    payload = json.loads(form["payload"][0])
    # A click in the Home tab: the container is the view, and there is no response_url.
    payload["container"] = {"type": "view", "view_id": "V0HOME"}
    for key in ("response_url", "message", "channel"):
        payload.pop(key)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert harness.post(body).status_code == 200
    view = harness.peer.wait_for("views.publish")[0].body["view"]
    assert "None open" in block_texts(view)
    assert harness.peer.calls_to("chat.update") == []


# -- load ----------------------------------------------------------------------------------

def test_a_flood_of_200_commands_from_8_threads_is_answered_correctly(
        harness: SlackAppHarness) -> None:
    harness.alert("Dy oxide exports halted")
    harness.alert("Tb metal exports halted", ("Tb",))
    harness.licences(
        Licence("LIC-1", "Baotou Rare Earth", "Dy", expires=NOW.date() + timedelta(days=10)),
        Licence("LIC-2", "Ganzhou Metals", "Tb", expires=NOW.date() + timedelta(days=40)),
    )
    asks = [("status Dy", "Dy oxide exports halted"), ("status terbium", "Tb metal exports"),
            ("licences baotou", "LIC-1"), ("licences Tb", "LIC-2"), ("alerts", "2 open"),
            ("help", "Chokepoint commands")]
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        with httpx.Client(base_url=harness.url, timeout=10) as client:
            for i in range(25):
                text, expected = asks[(n * 25 + i) % len(asks)]
                answer = harness.slash(text, user=f"U0T{n}", client=client)
                if expected not in answer["text"] or answer.get("response_type") != "ephemeral":
                    with lock:
                        errors.append(f"{text!r}: {answer['text'][:200]!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert harness.peer.responses == []  # every answer came with its acknowledgement


def test_acknowledging_an_eased_alert_keeps_it_eased_and_records_who(tmp_path: Path) -> None:
    from bot.slack_app.actions import acknowledge
    from bot.store.alerts import set_state

    store = Store(f"sqlite:///{tmp_path}/eased.db")
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with store.session() as s:
        alert_id = record_alert(s, Match(rule_id="r", rule_type="news_restriction", key="k",
                                         severity="high", title="t", subject="s",
                                         materials=("Dy",)), [], now)
        assert alert_id is not None
        set_state(s, alert_id, "eased", now, note="eased by alert 2: China resumes Dy exports")
    with store.session() as s:
        first = acknowledge(s, alert_id, "U024BE7LH", now)
        again = acknowledge(s, alert_id, "U024BE7LX", now)
    assert first.changed and first.alert is not None and first.alert.state == "eased"
    assert first.alert.acked_by == "U024BE7LH"
    assert first.state_line is not None and "Eased" in first.state_line and "<@U024BE7LH>" in first.state_line
    assert not again.changed and "Already acknowledged by <@U024BE7LH>" in again.note
