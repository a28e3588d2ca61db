"""feed_stale on the health the store really keeps: feeds that never once worked or published."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.rules.context import RuleContext
from bot.rules.feed_stale import FeedStale
from bot.store import Store
from bot.store.feeds import feed_health, record_failure, record_success

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
EVERY = timedelta(minutes=15)


def stale_keys(store: Store) -> list[str]:
    rule = FeedStale(id="stale", type="feed_stale", after="2d")  # type: ignore[arg-type]
    with store.reader() as s:
        feeds = tuple(feed_health(s))
    ctx = RuleContext(now=NOW, today=date(2026, 3, 10), feeds=feeds)
    return sorted(m.key for m in rule.evaluate(ctx))


def test_a_feed_that_has_failed_since_it_was_added_goes_stale(store: Store) -> None:
    for hours in (72, 48, 1):
        with store.session() as s:
            record_failure(s, "broken", "https://x.example/broken.xml", NOW - timedelta(hours=hours),
                           EVERY, "the server answered HTTP 503")
    with store.session() as s:
        record_failure(s, "young", "https://x.example/young.xml", NOW - timedelta(hours=2), EVERY,
                       "not XML")
    assert stale_keys(store) == ["stale:broken:2026-03-10"]


def test_a_feed_that_answers_but_has_never_published_goes_stale(store: Store) -> None:
    for hours in (96, 50, 1):
        with store.session() as s:
            record_success(s, "silent", "https://x.example/silent.xml", NOW - timedelta(hours=hours),
                           EVERY, etag=None, last_modified=None, stored=0)
    assert stale_keys(store) == ["stale:silent:2026-03-10"]
