"""The store on SQLite and, when CHOKEPOINT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.models import Link, Match
from bot.store import Store
from bot.store.alerts import (
    add_sources,
    alerts_since,
    get_alert,
    open_alerts,
    record_alert,
    set_state,
)
from bot.store.schema import SCHEMA_VERSION, Delivery
from tests.helpers.store import deliveries_of

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        s = Store(request.getfixturevalue("postgres_url"))  # a database of its own
    else:
        s = Store(f"sqlite:///{tmp_path}/store.db")
    yield s
    s.dispose()


def match(key: str = "news:story:1", materials: tuple[str, ...] = ("Dy", "Tb")) -> Match:
    return Match(
        rule_id="news", rule_type="news_restriction", key=key, severity="high",
        title="China halts dysprosium oxide exports", subject="story:1", materials=materials,
        facts=(("Headline", "China halts dysprosium oxide exports"),),
        sources=(Link("https://news.example.com/a", "metals-wire"),),
    )


def test_schema_is_created_once_and_versioned(store: Store) -> None:
    store.create_schema()  # idempotent: a restart does not fail or duplicate
    assert store.schema_version() == SCHEMA_VERSION
    assert store.ping()


def test_alert_and_outbox_rows_are_written_together(store: Store) -> None:
    with store.session() as s:
        alert_id = record_alert(s, match(), ["slack:#supply-risk", "email:coo@example.com"], NOW)
    assert alert_id is not None
    with store.session() as s:
        alert = get_alert(s, alert_id)
        targets = [d.target for d in deliveries_of(s, alert_id)]
    assert alert is not None and alert.materials == ("Dy", "Tb") and alert.state == "open"
    assert alert.created == NOW and alert.created.tzinfo is not None
    assert alert.sources == (Link("https://news.example.com/a", "metals-wire"),)
    assert targets == ["slack:#supply-risk", "email:coo@example.com"]


def test_one_alert_per_key_ever(store: Store) -> None:
    with store.session() as s:
        first = record_alert(s, match(), ["slack:#a"], NOW)
    with store.session() as s:
        again = record_alert(s, match(), ["slack:#a"], NOW + timedelta(days=30))
    assert first is not None and again is None
    with store.session() as s:
        assert len(alerts_since(s, None)) == 1
        assert len(list(s.scalars(select(Delivery)))) == 1


def test_failed_transaction_leaves_no_half_alert(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        record_alert(s, match(), ["slack:#a"], NOW)
        raise RuntimeError("crash before commit")
    with store.session() as s:
        assert alerts_since(s, None) == []
        assert list(s.scalars(select(Delivery))) == []


def test_concurrent_inserts_of_one_key_make_one_alert(store: Store) -> None:
    results: list[int | None] = []
    barrier = threading.Barrier(4)

    def insert() -> None:
        barrier.wait()
        with store.session() as s:
            results.append(record_alert(s, match(), ["slack:#a"], NOW))

    threads = [threading.Thread(target=insert) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    with store.session() as s:
        assert len(alerts_since(s, None)) == 1


def test_state_changes_are_idempotent_and_recorded(store: Store) -> None:
    with store.session() as s:
        alert_id = record_alert(s, match(), [], NOW)
    assert alert_id is not None
    with store.session() as s:
        assert set_state(s, alert_id, "acknowledged", NOW, by="U123")
    with store.session() as s:
        assert not set_state(s, alert_id, "acknowledged", NOW, by="U999")
        alert = get_alert(s, alert_id)
    assert alert is not None and alert.acked_by == "U123" and alert.state == "acknowledged"


def test_open_alerts_by_material_and_history_order(store: Store) -> None:
    with store.session() as s:
        a = record_alert(s, match("k1", ("Dy",)), [], NOW)
        b = record_alert(s, match("k2", ("Ga",)), [], NOW + timedelta(hours=1))
        c = record_alert(s, match("k3", ("Dy", "Tb")), [], NOW + timedelta(hours=2))
        assert a and b and c
        set_state(s, c, "eased", NOW)
    with store.session() as s:
        assert [x.key for x in open_alerts(s, materials=["Dy"])] == ["k1"]
        assert [x.key for x in alerts_since(s, None)] == ["k3", "k2", "k1"]
        assert [x.key for x in alerts_since(s, NOW + timedelta(minutes=30))] == ["k3", "k2"]


def test_further_sources_join_a_story(store: Store) -> None:
    with store.session() as s:
        alert_id = record_alert(s, match(), [], NOW)
    assert alert_id is not None
    with store.session() as s:
        assert add_sources(s, alert_id, [Link("https://other.example/b", "asia-desk")], NOW)
        assert not add_sources(s, alert_id, [Link("https://news.example.com/a", "metals-wire")], NOW)
    with store.session() as s:
        alert = get_alert(s, alert_id)
    assert alert is not None and [x.url for x in alert.sources] == [
        "https://news.example.com/a", "https://other.example/b"]


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.session() as s:
        record_alert(s, match(), [], datetime(2026, 1, 1))


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/w.db")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
