"""Retention: old feed entries go, pending ones, a feed's newest ones and the alert trail stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.models import Entry, Link, Match
from bot.store import Store, retention
from bot.store.alerts import get_alert, record_alert
from bot.store.feeds import store_entries
from bot.store.retention import prune
from bot.store.schema import EntryRow
from tests.helpers.store import deliveries_of

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RETAIN = timedelta(days=180)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    # PostgreSQL gets a database of its own (postgres_url): prune is store-wide.
    url = (f"sqlite:///{tmp_path}/t.db" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    s = Store(url)
    try:
        yield s
    finally:
        s.dispose()


def entry(feed: str, n: int, published: datetime) -> Entry:
    return Entry(uid=f"{feed}-{n}", feed=feed, title=f"Story {n}", summary="",
                 link=f"https://news.example.com/{feed}/{n}", published=published)


def add(store: Store, feed: str, ages_days: list[int], *, evaluated: bool = True) -> list[Entry]:
    """Store one entry per age (first seen that many days before NOW), oldest first."""
    entries = []
    for n, age in enumerate(sorted(ages_days, reverse=True)):
        seen = NOW - timedelta(days=age)
        e = entry(feed, n, seen)
        with store.session() as s:
            store_entries(s, [e], seen)
            if evaluated:
                s.execute(EntryRow.__table__.update().where(EntryRow.uid == e.uid)
                          .values(evaluated=True))
        entries.append(e)
    return entries


def uids(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(EntryRow.uid)))


def test_entries_older_than_the_retention_are_deleted(store: Store) -> None:
    add(store, "wire", [400, 200, 181, 179, 10, 0])

    report = prune(store, RETAIN, NOW, keep_per_feed=0)

    assert uids(store) == {"wire-3", "wire-4", "wire-5"}  # 179, 10 and 0 days old
    assert report.deleted == 3
    assert report.cutoff == NOW - RETAIN
    assert (report.kept_pending, report.kept_latest) == (0, 0)


def test_entries_still_pending_evaluation_survive_whatever_their_age(store: Store) -> None:
    add(store, "wire", [300, 250], evaluated=False)
    add(store, "desk", [300], evaluated=True)

    report = prune(store, RETAIN, NOW, keep_per_feed=0)

    assert uids(store) == {"wire-0", "wire-1"}
    assert (report.deleted, report.kept_pending) == (1, 2)


def test_entries_stored_quietly_on_first_sight_are_pruned_too(store: Store) -> None:
    # First sight of a feed stores its old entries as seen (not offered, already evaluated).
    old = entry("wire", 1, NOW - timedelta(days=400))
    with store.session() as s:
        store_entries(s, [old], NOW - timedelta(days=300), quiet_before=NOW - timedelta(days=307))

    assert prune(store, RETAIN, NOW, keep_per_feed=0).deleted == 1
    assert uids(store) == set()


def test_a_feeds_newest_entries_stay_so_a_repoll_does_not_offer_them_again(store: Store) -> None:
    # A quiet feed: its three latest entries span a year and it still serves all three.
    served = add(store, "quiet", [365, 250, 200])
    add(store, "busy", [365, 250, 200, 1])

    report = prune(store, RETAIN, NOW, keep_per_feed=3)

    assert uids(store) == {"quiet-0", "quiet-1", "quiet-2", "busy-1", "busy-2", "busy-3"}
    assert (report.deleted, report.kept_latest) == (1, 5)
    with store.session() as s:
        new, stored = store_entries(s, served, NOW)
    assert (new, stored) == ([], 0)


def test_alerts_and_their_deliveries_are_kept(store: Store) -> None:
    add(store, "wire", [400])
    match = Match(
        rule_id="news", rule_type="news_restriction", key="news:story:abc", severity="high",
        title="China halts dysprosium oxide exports", subject="abc", materials=("Dy",),
        facts=(("Headline", "China halts dysprosium oxide exports"),),
        sources=(Link("https://news.example.com/wire/0", "wire"),),
    )
    with store.session() as s:
        alert_id = record_alert(s, match, ["slack:#supply-risk", "email:coo@example.com"],
                                NOW - timedelta(days=400))
    assert alert_id is not None

    assert prune(store, RETAIN, NOW, keep_per_feed=0).deleted == 1

    with store.session() as s:
        alert = get_alert(s, alert_id)
        targets = {d.target for d in deliveries_of(s, alert_id)}
    assert alert is not None and alert.title == "China halts dysprosium oxide exports"
    assert [link.url for link in alert.sources] == ["https://news.example.com/wire/0"]
    assert targets == {"slack:#supply-risk", "email:coo@example.com"}


def test_large_backlogs_are_deleted_across_several_transactions(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "_CHUNK", 4)
    add(store, "wire", [200 + n for n in range(11)] + [5])

    report = prune(store, RETAIN, NOW, keep_per_feed=1)

    assert report.deleted == 11
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(EntryRow)) == 1


def test_pruning_twice_deletes_nothing_more(store: Store) -> None:
    add(store, "wire", [300, 200, 1])
    prune(store, RETAIN, NOW, keep_per_feed=0)

    assert prune(store, RETAIN, NOW, keep_per_feed=0).deleted == 0
    assert uids(store) == {"wire-2"}


@pytest.mark.parametrize(("older_than", "now", "message"), [
    (timedelta(0), NOW, "positive duration"),
    (timedelta(days=-1), NOW, "positive duration"),
    (RETAIN, NOW.replace(tzinfo=None), "aware datetime"),
])
def test_bad_arguments_are_refused_with_the_reason(
    tmp_path: Path, older_than: timedelta, now: datetime, message: str
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    add(store, "wire", [400])
    with pytest.raises(ValueError, match=message):
        prune(store, older_than, now)
    assert uids(store) == {"wire-0"}
