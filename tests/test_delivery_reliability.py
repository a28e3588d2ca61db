"""The outbox under a slow, failing or refusing Slack, with several workers and crashes."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.slack import SlackChannel
from bot.delivery import DeliveryWorker
from bot.store import Store
from bot.store.outbox import DEFAULT_LEASE, claim_due
from tests.peers.slack_api import SlackApiPeer
from tests.test_delivery import NOW, TOKEN, add, statuses


def worker(store: Store, peer: SlackApiPeer, name: str, *, token: str = TOKEN,
           lease: timedelta = DEFAULT_LEASE, batch: int = 100) -> DeliveryWorker:
    slack = SlackChannel(token, api_url=peer.url, timeout=5)
    return DeliveryWorker(store, slack=slack, console=None, email=None, worker_id=name,
                          lease=lease, batch=batch)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path}/t.db")


@pytest.fixture
def peer() -> SlackApiPeer:
    p = SlackApiPeer(token=TOKEN).start()
    yield p  # type: ignore[misc]
    p.close()


def alert_posts(peer: SlackApiPeer) -> Counter[int]:
    """How many accepted messages each alert got (summaries, which carry no alert, left out)."""
    ids = []
    for c in peer.calls_to("chat.postMessage"):
        meta = c.body.get("metadata") or {}
        accepted = c.answer in ("ok", "hang")  # a scripted hang is answered normally after
        if accepted and isinstance(meta, dict) and "alert_id" in (meta.get("event_payload") or {}):
            ids.append(int(meta["event_payload"]["alert_id"]))
    return Counter(ids)


def test_a_live_worker_keeps_its_claim_while_slack_answers_slowly(
    store: Store, peer: SlackApiPeer,
) -> None:
    """A slow Slack (4 s a post) and a lease of 2 s: the second worker never takes a row the
    first is still sending, so no alert is posted twice."""
    for n in range(1, 3):
        add(store, n, (f"slack:#c{n}",))
    peer.fail_next("chat.postMessage", hang=4, times=2)
    lease = timedelta(seconds=2)
    slow = worker(store, peer, "slow", lease=lease)
    done = threading.Event()

    def other() -> None:
        eager = worker(store, peer, "eager", lease=lease)
        while not done.is_set():
            eager.run_once(NOW + timedelta(seconds=time.monotonic() - started))
            time.sleep(0.2)

    started = time.monotonic()
    thread = threading.Thread(target=other)
    thread.start()
    try:
        slow.run_once(NOW)
    finally:
        done.set()
        thread.join(10)
    assert sorted(alert_posts(peer).values()) == [1, 1]


def test_a_dead_workers_rows_are_due_again_within_seconds(store: Store, peer: SlackApiPeer) -> None:
    a = add(store, 1)
    with store.session() as s:
        assert len(claim_due(s, "killed", NOW, 10, DEFAULT_LEASE)) == 1  # then kill -9
    restarted = worker(store, peer, "restarted")
    assert restarted.run_once(NOW + timedelta(seconds=20)).sent == 1
    assert statuses(store, a) == {"slack:#risk": "sent"}


def test_a_worker_holds_nothing_it_is_not_sending(store: Store, peer: SlackApiPeer) -> None:
    """Killed while the first of three posts is in flight, a worker holds only that one:
    a restarted worker sends the other two at once, without waiting for any lease."""
    for n in range(1, 4):
        add(store, n, (f"slack:#c{n}",))
    peer.fail_next("chat.postMessage", hang=3)
    stuck = worker(store, peer, "stuck")
    thread = threading.Thread(target=stuck.run_once, args=(NOW,), daemon=True)
    thread.start()
    peer.wait_for("chat.postMessage")
    report = worker(store, peer, "restarted").run_once(NOW)
    assert report.sent == 2
    thread.join(10)


def test_an_invalid_token_pauses_slack_keeps_every_alert_and_says_so_once(
    store: Store, peer: SlackApiPeer, caplog: pytest.LogCaptureFixture,
) -> None:
    ids = [add(store, n, (f"slack:#c{n}",)) for n in range(1, 10)]
    caplog.set_level(logging.ERROR)
    report = worker(store, peer, "w", token="xoxb-wrong").run_once(NOW)
    assert report.failed == () and report.pending == 9
    assert report.paused and "invalid_auth" in report.paused[0]
    assert len(peer.calls_to("chat.postMessage")) == 1, "one probe, not one post per alert"
    paused_lines = [r for r in caplog.records if "paused" in r.getMessage()]
    assert len(paused_lines) == 1
    fixed = worker(store, peer, "w2").run_once(NOW + timedelta(seconds=61))
    assert fixed.sent == 9 and fixed.pending == 0
    assert all(statuses(store, i) == {f"slack:#c{n}": "sent"} for n, i in enumerate(ids, 1))


def test_one_summary_per_rule_channel_and_cycle_across_batches_paced_to_one_post_a_second(
    store: Store, peer: SlackApiPeer,
) -> None:
    for n in range(1, 7):
        add(store, n, ("slack:#risk",))
    report = worker(store, peer, "w", batch=4).run_once(NOW)
    assert report.sent == 6 and report.pending == 0
    posts = [c for c in peer.calls_to("chat.postMessage") if c.ok]
    summaries = [c for c in posts if not alert_posts_of(c)]
    assert len(summaries) == 1, [c.body.get("text") for c in summaries]
    assert all(c.body.get("thread_ts") for c in posts if alert_posts_of(c))
    gaps = [b.at - a.at for a, b in itertools.pairwise(posts)]
    assert min(gaps) >= 0.95, f"posts to one channel {min(gaps):.2f} s apart"


def alert_posts_of(call: object) -> bool:
    meta = getattr(call, "body", {}).get("metadata") or {}
    return isinstance(meta, dict) and "alert_id" in (meta.get("event_payload") or {})


def test_retry_after_is_obeyed_exactly_and_server_errors_retry_within_seconds(
    store: Store, peer: SlackApiPeer,
) -> None:
    add(store, 1)
    peer.fail_next("chat.postMessage", status=429, retry_after=3)
    w = worker(store, peer, "w")
    assert w.run_once(NOW).next_due == NOW + timedelta(seconds=3)
    peer.fail_next("chat.postMessage", status=500)
    report = w.run_once(NOW + timedelta(seconds=3))
    assert report.next_due is not None
    assert report.next_due - (NOW + timedelta(seconds=3)) <= timedelta(seconds=5)
    assert w.run_once(report.next_due).sent == 1
