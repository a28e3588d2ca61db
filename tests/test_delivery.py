"""The delivery worker end to end: outbox in SQLite, a loopback Slack Web API and SMTP server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.delivery
from bot.alerts.snooze import snooze_alert
from bot.channels.console import ConsoleChannel
from bot.channels.email import EmailSender
from bot.channels.pacing import Pacer
from bot.channels.slack import SlackChannel
from bot.config import EmailConfig
from bot.delivery import DeliveryWorker
from bot.models import Match
from bot.store import Store
from bot.store.alerts import record_alert, set_state
from bot.store.outbox import claim_due, enqueue_update, mark_sent
from tests.helpers.store import deliveries_of
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer

TOKEN = "xoxb-test-token-0000"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path}/t.db")


@pytest.fixture
def peer() -> Iterator[SlackApiPeer]:
    with SlackApiPeer(token=TOKEN) as p:
        yield p


def worker(store: Store, peer: SlackApiPeer | None, name: str = "w1", **kw: Any) -> DeliveryWorker:
    slack = SlackChannel(TOKEN, api_url=peer.url, timeout=0.5) if peer is not None else None
    if slack is not None:
        slack.pacer = Pacer(0.0)  # these tests inject time; pacing has tests of its own
    kw.setdefault("console", None)
    kw.setdefault("email", None)
    return DeliveryWorker(store, slack=slack, worker_id=name, lease=LEASE, **kw)


def add(store: Store, n: int, targets: tuple[str, ...] = ("slack:#risk",), *,
        rule: str = "r", subject: str | None = None, title: str | None = None) -> int:
    m = Match(rule_id=rule, rule_type="licence_expiry", key=f"k{n}", severity="high",
              title=title or f"Licence L{n} expires in 14 days", subject=subject or f"licence:L{n}",
              materials=("Dy",), facts=(("Licence", f"L{n}"),))
    with store.session() as s:
        alert_id = record_alert(s, m, list(targets), NOW)
    assert alert_id is not None
    return alert_id


def ok_posts(peer: SlackApiPeer) -> list[dict[str, Any]]:
    return [c.body for c in peer.calls_to("chat.postMessage") if c.ok]


def statuses(store: Store, alert_id: int) -> dict[str, str]:
    with store.session() as s:
        return {d.target: d.status for d in deliveries_of(s, alert_id)}


def test_each_alert_is_delivered_once_per_target(store: Store, peer: SlackApiPeer) -> None:
    a = add(store, 1, ("slack:#risk", "slack-dm:U0BUYER"))
    w = worker(store, peer)
    report = w.run_once(NOW)
    assert (report.sent, report.pending, report.failed) == (2, 0, ())
    assert sorted(p["channel"] for p in ok_posts(peer)) == ["#risk", "U0BUYER"]
    assert w.run_once(NOW + timedelta(hours=1)).sent == 0
    assert len(ok_posts(peer)) == 2
    with store.session() as s:
        rows = {d.target: d for d in deliveries_of(s, a)}
    assert rows["slack-dm:U0BUYER"].slack_channel == "D0BUYER"  # Slack's DM channel id
    assert rows["slack:#risk"].slack_ts


def test_rate_limited_post_is_sent_once_after_retry_after(store: Store, peer: SlackApiPeer) -> None:
    add(store, 1)
    peer.fail_next("chat.postMessage", status=429, retry_after=20)
    w = worker(store, peer)
    first = w.run_once(NOW)
    assert first.sent == 0 and len(first.retrying) == 1 and first.pending == 1
    assert first.next_due == NOW + timedelta(seconds=20)
    assert w.run_once(NOW + timedelta(seconds=19)).sent == 0
    assert len(peer.calls_to("chat.postMessage")) == 1  # nothing sent before Retry-After
    assert w.run_once(NOW + timedelta(seconds=20)).sent == 1
    assert len(ok_posts(peer)) == 1


def test_server_errors_are_retried_with_backoff_until_delivered(
    store: Store, peer: SlackApiPeer
) -> None:
    a = add(store, 1)
    peer.fail_next("chat.postMessage", status=500, times=3)
    w, now = worker(store, peer), NOW
    for expected_wait in (2, 4, 8):  # the first retries come within seconds
        report = w.run_once(now)
        assert report.sent == 0 and report.next_due == now + timedelta(seconds=expected_wait)
        now = report.next_due
    assert w.run_once(now).sent == 1
    assert len(ok_posts(peer)) == 1
    assert statuses(store, a) == {"slack:#risk": "sent"}


def test_a_permanent_error_is_reported_and_not_retried(store: Store, peer: SlackApiPeer) -> None:
    a = add(store, 1, ("slack:#gone", "slack:#risk"))
    peer.fail_next("chat.postMessage", error="channel_not_found")
    w = worker(store, peer)
    report = w.run_once(NOW)
    assert report.sent == 1 and report.pending == 0
    (failure,) = report.failed
    assert failure.target == "slack:#gone"
    assert "channel_not_found (the channel does not exist or the bot cannot see it" in failure.error
    assert w.run_once(NOW + timedelta(days=1)).failed == ()
    assert len(peer.calls_to("chat.postMessage")) == 2
    assert statuses(store, a) == {"slack:#gone": "failed", "slack:#risk": "sent"}


def test_a_hung_slack_times_out_pauses_slack_for_the_run_and_is_retried(
    store: Store, peer: SlackApiPeer
) -> None:
    for n in (1, 2, 3):
        add(store, n, (f"slack:#c{n}",))
    peer.fail_next("chat.postMessage", hang=30)  # answers only after the test is over
    w = worker(store, peer)
    report = w.run_once(NOW)
    # one timeout, not three: the other two wait for Slack to recover instead of timing out too
    assert len(peer.calls_to("chat.postMessage")) == 1
    assert report.sent == 0 and len(report.retrying) == 3 and report.pending == 3
    assert "timed out" in report.retrying[0].error
    later = w.run_once(NOW + timedelta(seconds=30))
    assert later.sent == 3 and later.pending == 0
    assert sorted(p["channel"] for p in ok_posts(peer)) == ["#c1", "#c2", "#c3"]


def test_crash_between_claim_and_send_loses_nothing(store: Store, peer: SlackApiPeer) -> None:
    add(store, 1)
    with store.session() as s:
        assert len(claim_due(s, "crashed", NOW, 10, LEASE)) == 1  # ... and the process died
    w = worker(store, peer, "restarted")
    assert w.run_once(NOW + timedelta(minutes=1)).sent == 0  # still leased to the dead worker
    report = w.run_once(NOW + LEASE)
    assert report.sent == 1 and report.pending == 0
    assert len(ok_posts(peer)) == 1  # sent once: the dead worker never reached Slack


def test_crash_between_send_and_mark_repeats_only_the_message_in_flight(
    store: Store, peer: SlackApiPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in (1, 2, 3):
        add(store, n, (f"slack:#c{n}",))
    marks: list[tuple[Any, ...]] = []

    def dies_on_second_mark(*args: Any, **kwargs: Any) -> bool:
        marks.append(args)
        if len(marks) == 2:
            raise SystemExit("killed after Slack accepted #c2, before recording it")
        return mark_sent(*args, **kwargs)

    monkeypatch.setattr(bot.delivery, "mark_sent", dies_on_second_mark)
    with pytest.raises(SystemExit):
        worker(store, peer, "crashed").run_once(NOW)
    monkeypatch.setattr(bot.delivery, "mark_sent", mark_sent)

    report = worker(store, peer, "restarted").run_once(NOW + LEASE)
    assert report.sent == 2 and report.pending == 0
    channels = [p["channel"] for p in ok_posts(peer)]
    # #c1 was confirmed and is not resent; #c3 was claimed but never sent, and is sent once;
    # #c2 was accepted by Slack but never confirmed: that one message is posted twice.
    assert sorted(channels) == ["#c1", "#c2", "#c2", "#c3"]


def test_follow_ups_on_a_subject_go_into_the_thread_of_its_first_message(
    store: Store, peer: SlackApiPeer
) -> None:
    add(store, 1, ("slack:#risk", "slack-dm:U0BUYER"), subject="licence:L1")
    w = worker(store, peer)
    w.run_once(NOW)
    first = {p["channel"]: p for p in ok_posts(peer)}
    assert all("thread_ts" not in p for p in first.values())
    add(store, 2, ("slack:#risk", "slack-dm:U0BUYER"), subject="licence:L1",
        title="Licence L1 expires in 7 days")
    add(store, 3, ("slack:#risk",), subject="licence:L9")
    w.run_once(NOW + timedelta(days=7))
    posts = ok_posts(peer)[2:]
    by_title = {p["blocks"][1]["text"]["text"].split("\n")[0]: p for p in posts}
    follow_up = [p for p in posts if "L1 expires in 7 days" in p["text"]]
    assert len(follow_up) == 2
    with store.session() as s:
        ts = {d.target: d.slack_ts for d in deliveries_of(s, 1)}
    assert {p["thread_ts"] for p in follow_up} == {ts["slack:#risk"], ts["slack-dm:U0BUYER"]}
    assert "thread_ts" not in by_title["*Licence L3 expires in 14 days*"]  # another subject


def test_state_changes_update_every_message_of_the_alert(store: Store, peer: SlackApiPeer) -> None:
    a = add(store, 1, ("slack:#risk", "slack-dm:U0BUYER"))
    w = worker(store, peer)
    w.run_once(NOW)
    with store.session() as s:
        set_state(s, a, "acknowledged", NOW, by="U0ALICE")
        enqueue_update(s, a, NOW)
    report = w.run_once(NOW)
    assert (report.updated, report.sent) == (2, 0)
    with store.session() as s:
        messages = [(d.slack_channel, d.slack_ts) for d in deliveries_of(s, a) if d.kind == "post"]
    for channel, ts in messages:
        message = peer.message(channel or "", ts or "")
        assert message is not None
        assert "Acknowledged by <@U0ALICE>" in message["text"]
    with store.session() as s:
        set_state(s, a, "resolved", NOW, note="renewed by licence L1-R (<b>)")
        enqueue_update(s, a, NOW)
    w.run_once(NOW + timedelta(minutes=1))
    updates = peer.calls_to("chat.update")
    assert len(updates) == 4
    assert "☑️ Resolved: renewed by licence L1-R (&lt;b&gt;)" in updates[-1].body["text"]


def test_several_alerts_of_one_rule_for_one_channel_become_one_summary_with_a_thread(
    store: Store, peer: SlackApiPeer
) -> None:
    for n in (1, 2, 3):
        add(store, n, ("slack:#risk",), rule="expiry")
    add(store, 4, ("slack:#risk",), rule="status")
    add(store, 5, ("slack:#other",), rule="expiry")
    w = worker(store, peer)
    assert w.run_once(NOW).sent == 5
    posts = ok_posts(peer)
    top = [p for p in posts if "thread_ts" not in p]
    assert sorted(p["channel"] for p in top) == ["#other", "#risk", "#risk"]
    (summary,) = [p for p in top if p["blocks"][1]["text"]["text"].startswith("*3 alerts*")]
    assert summary["text"].startswith("[HIGH] 3 Licence expiry alerts from rule expiry")
    threaded = [p for p in posts if "thread_ts" in p]
    assert sorted(p["blocks"][1]["text"]["text"] for p in threaded) == [
        f"*Licence L{n} expires in 14 days*" for n in (1, 2, 3)]
    (thread_ts,) = {p["thread_ts"] for p in threaded}
    parent = peer.message("#risk", thread_ts)
    assert parent is not None and parent["text"] == summary["text"]
    # a later follow-up on one of them joins the summary's thread
    add(store, 6, ("slack:#risk",), rule="expiry", subject="licence:L2")
    w.run_once(NOW + timedelta(days=1))
    assert ok_posts(peer)[-1]["thread_ts"] == thread_ts


def test_a_snoozed_subject_is_muted_and_its_message_says_so(
    store: Store, peer: SlackApiPeer
) -> None:
    a = add(store, 1, ("slack:#risk",), subject="licence:L1")
    w = worker(store, peer)
    w.run_once(NOW)
    with store.session() as s:
        snooze_alert(s, a, "U0BOB", NOW)
    b = add(store, 2, ("slack:#risk",), subject="licence:L1")
    report = w.run_once(NOW + timedelta(hours=1))
    assert (report.sent, report.muted, report.updated) == (0, 1, 1)
    assert statuses(store, b) == {"slack:#risk": "muted"}
    (update,) = peer.calls_to("chat.update")
    assert "🔕 Snoozed by <@U0BOB> until 2026-05-11 09:00 UTC" in update.body["text"]
    add(store, 3, ("slack:#risk",), subject="licence:L1")
    assert w.run_once(NOW + timedelta(days=8)).sent == 1  # the snooze is over


def test_without_a_token_the_console_shows_slack_alerts(store: Store) -> None:
    a = add(store, 1, ("slack:#risk", "slack-dm:U0BUYER"), title="Dy <!channel> & more")
    out = io.StringIO()
    report = worker(store, None, console=ConsoleChannel(out)).run_once(NOW)
    assert report.sent == 2
    text = out.getvalue()
    assert "── to #risk " in text and "── to U0BUYER " in text
    assert "Dy <!channel> & more" in text  # what a reader would see in Slack
    assert "[Acknowledge] [Snooze 7 days]" in text
    assert statuses(store, a) == {"slack:#risk": "sent", "slack-dm:U0BUYER": "sent"}


def test_email_targets_go_through_smtp_and_an_outage_does_not_hold_up_slack(
    store: Store, peer: SlackApiPeer, smtp_peer: SmtpPeer
) -> None:
    a = add(store, 1, ("slack:#risk", "email:coo@example.com"))
    config = EmailConfig(smtp_host="127.0.0.1", smtp_port=smtp_peer.port, security="none",
                         sender="Chokepoint <alerts@example.com>")
    w = worker(store, peer, email=EmailSender(config, None))
    smtp_peer.down()
    report = w.run_once(NOW)
    assert report.sent == 1 and [f.target for f in report.retrying] == ["email:coo@example.com"]
    smtp_peer.up()
    assert w.run_once(NOW + timedelta(seconds=30)).sent == 1
    (mail,) = smtp_peer.wait_for(1)
    assert mail.rcpt_tos == ("coo@example.com",)
    assert "Licence L1 expires in 14 days" in str(mail.message["Subject"])
    assert statuses(store, a) == {"slack:#risk": "sent", "email:coo@example.com": "sent"}
