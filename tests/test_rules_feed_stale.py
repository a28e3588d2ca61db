"""feed_stale: a feed that failed or published nothing for `after` alerts once a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.models import FeedHealth
from bot.rules.context import RuleContext
from bot.rules.feed_stale import FeedStale

NOW = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
TODAY = date(2026, 3, 11)  # already tomorrow in Europe/Berlin


def rule(**params: object) -> FeedStale:
    return FeedStale(id="stale", type="feed_stale", **params)  # type: ignore[arg-type]


def fire(r: FeedStale, *feeds: FeedHealth) -> list[str]:
    return [m.key for m in r.evaluate(RuleContext(now=NOW, today=TODAY, feeds=feeds))]


# --- validation ---------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"after": "3 parsecs"}, "unknown unit 'parsecs'"),
    ({"after": "0d"}, "duration must be positive"),
    ({"after": "2 months"}, "months are not allowed here"),
    ({"feeds": []}, "at least 1 item"),
    ({"severity": "loud"}, "severity"),
])
def test_bad_parameters_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rule(**params)


# --- evaluate -----------------------------------------------------------------------

def test_exactly_after_without_a_new_entry_fires_just_under_does_not() -> None:
    quiet = FeedHealth("mining-com", last_success=NOW, last_new_entry=NOW - timedelta(days=3))
    fresh = FeedHealth("mining-com", last_success=NOW,
                       last_new_entry=NOW - timedelta(days=3) + timedelta(seconds=1))
    assert fire(rule(), quiet) == ["stale:mining-com:2026-03-11"]
    assert fire(rule(), fresh) == []


def test_key_holds_the_day_in_the_configured_zone_so_it_alerts_once_a_day() -> None:
    quiet = FeedHealth("mining-com", last_success=NOW, last_new_entry=NOW - timedelta(days=5))
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY, feeds=(quiet,)))
    assert m.key == "stale:mining-com:2026-03-11"
    assert m.subject == "mining-com"
    assert m.severity == "warning"
    assert "published nothing new for 5 days" in m.title


def test_a_failing_feed_says_so_with_its_error() -> None:
    failing = FeedHealth("reuters", last_success=NOW - timedelta(days=4),
                         last_new_entry=NOW - timedelta(days=4), last_error="HTTP 503",
                         failures=40)
    [m] = rule(after="1d", severity="high").evaluate(RuleContext(now=NOW, today=TODAY,
                                                                 feeds=(failing,)))
    assert "has been failing for 4 days" in m.title
    assert dict(m.facts)["Last error"] == "HTTP 503"
    assert m.severity == "high"


def test_a_feed_that_never_worked_is_judged_from_its_first_attempt() -> None:
    never = FeedHealth("broken", last_error="not XML", first_attempt=NOW - timedelta(days=3))
    young = FeedHealth("young", last_error="not XML", first_attempt=NOW - timedelta(hours=1))
    unknown = FeedHealth("unknown")
    assert fire(rule(), never, young, unknown) == ["stale:broken:2026-03-11"]


def test_a_feed_that_works_but_never_published_counts_from_its_first_success() -> None:
    silent = FeedHealth("silent", last_success=NOW, first_success=NOW - timedelta(days=3))
    assert fire(rule(), silent) == ["stale:silent:2026-03-11"]


def test_feeds_filter() -> None:
    a = FeedHealth("a", last_new_entry=NOW - timedelta(days=9))
    b = FeedHealth("b", last_new_entry=NOW - timedelta(days=9))
    assert fire(rule(feeds=["b"]), a, b) == ["stale:b:2026-03-11"]


def test_the_stores_feed_health_records_can_be_judged_as_they_are() -> None:
    from bot.models import FeedHealth as StoredHealth  # what store.feeds.feed_health returns

    row = StoredHealth(name="mining-com", url="https://www.mining.com/feed/",
                       last_success=NOW, last_error=None, last_error_at=None, failures=0,
                       next_attempt=None, entries_seen=40,
                       last_new_entry=NOW - timedelta(days=4))
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY, feeds=(row,)))
    assert m.key == "stale:mining-com:2026-03-11"
