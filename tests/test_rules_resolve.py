"""Resolution on a real store: easing marks restrictions eased; renewals resolve expiry alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.resolve import apply_resolutions
from bot.models import Alert, Link, Match
from bot.store import Store
from bot.store.alerts import get_alert, record_alert, set_state
from bot.store.schema import AlertRow, LicenceRow

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        s = Store(request.getfixturevalue("postgres_url"))  # a database of its own
    else:
        s = Store(f"sqlite:///{tmp_path}/t.db")
    yield s
    s.dispose()


def news(key: str, rule_type: str, materials: tuple[str, ...], title: str = "") -> Match:
    return Match(rule_id=rule_type, rule_type=rule_type, key=key,
                 severity="high" if rule_type == "news_restriction" else "info",
                 title=title or key, subject=key, materials=materials)


def expiry(licence_id: str, threshold: str) -> Match:
    return Match(rule_id="expiry", rule_type="licence_expiry",
                 key=f"expiry:licence:{licence_id}:{threshold}", severity="high",
                 title=f"{licence_id} expires", subject=licence_id, materials=("Dy",))


def record(store: Store, match: Match, at: datetime = NOW) -> Alert:
    with store.session() as s:
        alert_id = record_alert(s, match, ["slack:#supply-risk"], at)
        assert alert_id is not None
        alert = get_alert(s, alert_id)
    assert alert is not None
    return alert


def state(store: Store, alert: Alert) -> str:
    with store.session() as s:
        got = get_alert(s, alert.id)
    assert got is not None
    return got.state


def resolve(store: Store, new: list[Alert], renewals: dict[str, str] | None = None) -> list[int]:
    with store.session() as s:
        return apply_resolutions(s, new, renewals or {}, NOW + timedelta(minutes=5))


def test_easing_marks_restrictions_on_the_same_material_eased_and_no_others(store: Store) -> None:
    dy = record(store, news("r:dy", "news_restriction", ("Dy", "Tb")), NOW - timedelta(days=2))
    ga = record(store, news("r:ga", "news_restriction", ("Ga",)), NOW - timedelta(days=2))
    group = record(store, news("r:ree", "news_restriction", ("REE",)), NOW - timedelta(days=2))
    ease = record(store, news("e:dy", "news_easing", ("Dy",), "China resumes Dy exports"))
    assert resolve(store, [ease]) == [dy.id]
    assert (state(store, dy), state(store, ga), state(store, group)) == ("eased", "open", "open")
    assert resolve(store, [ease]) == []  # idempotent: nothing changes twice


def story(key: str, rule_type: str, published: datetime) -> Match:
    return Match(rule_id=rule_type, rule_type=rule_type, key=key, severity="info", title=key,
                 subject=key, materials=("Dy",),
                 facts=(("Published", "not a date: display text is never read back"),),
                 sources=(Link(f"https://example.com/{key}", "feed", published=published),))


def test_the_stories_stored_publication_times_decide_what_an_easing_eases(store: Store) -> None:
    # Both recorded in one cycle: the restriction published after the easing is newer news.
    before = record(store, story("r:before", "news_restriction", NOW - timedelta(hours=3)))
    after = record(store, story("r:after", "news_restriction", NOW - timedelta(hours=1)))
    ease = record(store, story("e:dy", "news_easing", NOW - timedelta(hours=2)))
    assert ease.sources[0].published == NOW - timedelta(hours=2)
    assert resolve(store, [ease]) == [before.id]
    assert (state(store, before), state(store, after)) == ("eased", "open")


def test_a_story_stored_without_its_time_counts_from_when_it_was_recorded(store: Store) -> None:
    # Rows from before sources carried a time: the "Published" fact is not parsed back.
    old = record(store, news("r:old", "news_restriction", ("Dy",)), NOW - timedelta(hours=1))
    with store.session() as s:
        row = s.get(AlertRow, old.id)
        assert row is not None
        row.facts = [["Published", (NOW - timedelta(days=5)).strftime("%Y-%m-%d %H:%M UTC")]]
        row.sources = [{"url": "https://example.com/old", "label": "feed"}]
    ease = record(store, story("e:dy", "news_easing", NOW - timedelta(hours=2)))
    assert resolve(store, [ease]) == []  # recorded an hour ago: after the easing's story
    assert state(store, old) == "open"


def test_acknowledged_restrictions_are_eased_too(store: Store) -> None:
    dy = record(store, news("r:dy", "news_restriction", ("Dy",)), NOW - timedelta(days=1))
    with store.session() as s:
        set_state(s, dy.id, "acknowledged", NOW, by="U123")
    ease = record(store, news("e:dy", "news_easing", ("Dy",)))
    assert resolve(store, [ease]) == [dy.id]
    assert state(store, dy) == "eased"


def test_a_restriction_newer_than_the_easing_stays_open(store: Store) -> None:
    ease = record(store, news("e:ga", "news_easing", ("Ga",)), NOW - timedelta(hours=3))
    again = record(store, news("r:ga", "news_restriction", ("Ga",)), NOW)
    assert resolve(store, [ease]) == []
    assert state(store, again) == "open"


def test_restriction_alerts_are_not_resolutions_of_anything(store: Store) -> None:
    dy = record(store, news("r:dy", "news_restriction", ("Dy",)), NOW - timedelta(days=1))
    other = record(store, news("r:dy2", "news_restriction", ("Dy",)))
    assert resolve(store, [other]) == []
    assert state(store, dy) == "open"


def test_renewal_by_a_newer_licence_resolves_every_open_expiry_alert_of_it(store: Store) -> None:
    a60 = record(store, expiry("L-1", "60"), NOW - timedelta(days=30))
    a30 = record(store, expiry("L-1", "30"))
    other = record(store, expiry("L-2", "30"))
    assert sorted(resolve(store, [], {"L-1": "L-9"})) == sorted([a60.id, a30.id])
    assert (state(store, a60), state(store, a30), state(store, other)) == (
        "resolved", "resolved", "open")


def test_status_renewed_in_the_register_resolves_expiry_alerts(store: Store) -> None:
    alert = record(store, expiry("L-3", "14"))
    with store.session() as s:
        s.add(LicenceRow(licence_id="L-3", holder="Baotou", licence_type="temporary",
                         material="Dy", form="oxide", expires=date(2026, 3, 16),
                         status="renewed", first_seen=NOW, updated=NOW))
    assert resolve(store, []) == [alert.id]
    assert state(store, alert) == "resolved"


def test_an_active_licence_keeps_its_expiry_alert(store: Store) -> None:
    alert = record(store, expiry("L-4", "7"))
    with store.session() as s:
        s.add(LicenceRow(licence_id="L-4", holder="Baotou", licence_type="temporary",
                         material="Dy", form="oxide", expires=date(2026, 3, 9),
                         status="active", first_seen=NOW, updated=NOW))
    assert resolve(store, []) == []
    assert state(store, alert) == "open"


def test_easing_does_not_reach_restrictions_older_than_its_season(tmp_path: Path) -> None:
    from bot.alerts.resolve import EASING_REACH, ease_restrictions

    store = Store(f"sqlite:///{tmp_path}/reach.db")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with store.session() as s:
        def rec(key: str, kind: str, when: datetime) -> int:
            m = Match(rule_id=kind, rule_type=kind, key=key, severity="high", title=key,
                      subject=key, materials=("Dy",))
            alert_id = record_alert(s, m, [], when)
            assert alert_id is not None
            return alert_id

        old = rec("old", "news_restriction", t0)
        recent = rec("recent", "news_restriction", t0 + EASING_REACH)
        easing = get_alert(s, rec("ease", "news_easing", t0 + EASING_REACH + timedelta(days=1)))
        assert easing is not None
        assert ease_restrictions(s, easing, easing.created) == [recent]
        old_alert = get_alert(s, old)
        assert old_alert is not None and old_alert.state == "open"
