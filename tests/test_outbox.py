"""The outbox: leases, back-off, updates, and claims that hold with several workers at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models import Match
from bot.store import Store
from bot.store.alerts import record_alert
from bot.store.outbox import (
    BACKOFF_CAP,
    claim_due,
    enqueue_update,
    mark_failed,
    mark_sent,
    next_due,
    pending_count,
)
from bot.store.schema import Delivery as DeliveryRow
from tests.helpers.store import deliveries_of

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def add_alert(store: Store, n: int, targets: tuple[str, ...] = ("slack:#risk",)) -> int:
    m = Match(rule_id="r", rule_type="news_restriction", key=f"k{n}", severity="high",
              title=f"alert {n}", subject=f"story:{n}", materials=("Dy",))
    with store.session() as s:
        alert_id = record_alert(s, m, list(targets), NOW)
    assert alert_id is not None
    return alert_id


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path}/t.db")


def test_a_claim_is_a_lease_that_expires(store: Store) -> None:
    add_alert(store, 1)
    with store.session() as s:
        first = claim_due(s, "w1", NOW, 10, LEASE)
    assert [d.target for d in first] == ["slack:#risk"]
    with store.session() as s:
        assert claim_due(s, "w2", NOW + timedelta(minutes=4), 10, LEASE) == []
    # w1 died: once its lease is over the row is due again, for anyone
    with store.session() as s:
        again = claim_due(s, "w2", NOW + timedelta(minutes=6), 10, LEASE)
    assert [d.id for d in again] == [first[0].id]
    assert again[0].attempts == 2


def test_transient_failures_back_off_exponentially_up_to_a_cap_then_give_up(store: Store) -> None:
    add_alert(store, 1)
    now, waits = NOW, []
    for _ in range(12):
        with store.session() as s:
            (d,) = claim_due(s, "w", now, 10, LEASE)
            status = mark_failed(s, d.id, "w", error="Slack answered 500", permanent=False, now=now)
            assert status == "pending"
            due = next_due(s)
        assert due is not None
        waits.append(due - now)
        now = due
    assert waits[:4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)]
    assert max(waits) == BACKOFF_CAP
    with store.session() as s:
        (d,) = claim_due(s, "w", now, 10, LEASE)
        status = mark_failed(s, d.id, "w", error="Slack answered 500", permanent=False, now=now,
                             max_attempts=13)
        row = s.get(DeliveryRow, d.id)
        assert row is not None
        assert status == "failed"
        assert row.last_error == "gave up after 13 attempts; last error: Slack answered 500"
        assert pending_count(s) == 0


def test_retry_after_is_obeyed_and_permanent_errors_stop_at_once(store: Store) -> None:
    add_alert(store, 1, ("slack:#a", "slack:#b"))
    with store.session() as s:
        a, b = claim_due(s, "w", NOW, 10, LEASE)
        mark_failed(s, a.id, "w", error="429", permanent=False, retry_after=17, now=NOW)
        assert mark_failed(s, b.id, "w", error="channel_not_found", permanent=True,
                           now=NOW) == "failed"
    with store.session() as s:
        assert claim_due(s, "w", NOW + timedelta(seconds=16), 10, LEASE) == []
        assert [d.id for d in claim_due(s, "w", NOW + timedelta(seconds=17), 10, LEASE)] == [a.id]


def test_a_send_confirmed_after_the_lease_passed_is_still_recorded(store: Store) -> None:
    alert_id = add_alert(store, 1)
    with store.session() as s:
        (d,) = claim_due(s, "slow", NOW, 10, LEASE)
    with store.session() as s:
        claim_due(s, "other", NOW + LEASE, 10, LEASE)
    with store.session() as s:
        assert mark_sent(s, d.id, "slow", NOW + LEASE, channel="C1", ts="1.1")
    with store.session() as s:
        (row,) = deliveries_of(s, alert_id)
        assert (row.status, row.slack_ts) == ("sent", "1.1")
        # the other worker's failure report cannot undo a confirmed send
        assert mark_failed(s, d.id, "other", error="x", permanent=True, now=NOW) == "sent"


def test_state_changes_queue_one_update_per_sent_slack_message(store: Store) -> None:
    alert_id = add_alert(store, 1, ("slack:#risk", "slack-dm:U1", "email:a@example.com"))
    with store.session() as s:
        for d in claim_due(s, "w", NOW, 10, LEASE):
            ts = None if d.target.startswith("email:") else f"1.{d.id}"
            mark_sent(s, d.id, "w", NOW, channel="C1", ts=ts)
    with store.session() as s:
        assert enqueue_update(s, alert_id, NOW) == 2
    with store.session() as s:
        updates = claim_due(s, "w", NOW, 10, LEASE)
        assert sorted(u.target for u in updates) == ["update:slack-dm:U1", "update:slack:#risk"]
        assert {u.kind for u in updates} == {"update"}
        for u in updates:
            mark_sent(s, u.id, "w", NOW, channel=u.slack_channel, ts=u.slack_ts)
    # a second change re-arms the same rows rather than piling up new ones
    with store.session() as s:
        assert enqueue_update(s, alert_id, NOW) == 2
    with store.session() as s:
        rows = deliveries_of(s, alert_id)
    assert len(rows) == 5
    assert sorted(r.status for r in rows if r.kind == "update") == ["pending", "pending"]


# -- several workers at once --------------------------------------------------------------------

def _claim_concurrently(url: str, rows: int, workers: int) -> list[int]:
    stores = [Store(url, create=False) for _ in range(workers)]
    claimed: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def work(i: int) -> None:
        start.wait()
        while True:
            with stores[i].session() as s:
                got = claim_due(s, f"w{i}", NOW, 7, LEASE)
            if not got:
                return
            with lock:
                claimed.extend(d.id for d in got)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for st in stores:
        st.dispose()
    return claimed


def _check_each_row_claimed_once(url: str) -> None:
    store = Store(url)
    for n in range(40):
        add_alert(store, n, ("slack:#a", "slack:#b", "slack-dm:U1"))
    with store.session() as s:
        all_ids = set(s.scalars(select(DeliveryRow.id)))
    store.dispose()
    claimed = _claim_concurrently(url, len(all_ids), workers=4)
    assert len(claimed) == len(all_ids) == 120
    assert set(claimed) == all_ids  # every row, and (same length) none twice


def test_concurrent_workers_claim_each_row_once_on_sqlite(tmp_path: Path) -> None:
    _check_each_row_claimed_once(f"sqlite:///{tmp_path}/t.db")


def test_concurrent_workers_claim_each_row_once_on_postgresql(postgres_url: str) -> None:
    _check_each_row_claimed_once(postgres_url)


def test_lease_and_backoff_work_the_same_on_postgresql(postgres_url: str) -> None:
    store = Store(postgres_url)
    add_alert(store, 1)
    with store.session() as s:
        (d,) = claim_due(s, "w1", NOW, 10, LEASE)
        mark_failed(s, d.id, "w1", error="500", permanent=False, now=NOW)
    with store.session() as s:
        assert claim_due(s, "w2", NOW + timedelta(seconds=1), 10, LEASE) == []
        (again,) = claim_due(s, "w2", NOW + timedelta(seconds=2), 10, LEASE)
        assert again.attempts == 2
    store.dispose()
