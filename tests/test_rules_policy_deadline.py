"""policy_deadline: each threshold before a measure's dates once, once on the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.policy.measures import Measure
from bot.rules.context import RuleContext
from bot.rules.policy_deadline import PolicyDeadline

TODAY = date(2026, 10, 27)
NOW = datetime(2026, 10, 27, 8, 0, tzinfo=UTC)


def rule(**params: object) -> PolicyDeadline:
    return PolicyDeadline(id="policy", type="policy_deadline", **params)  # type: ignore[arg-type]


def lapsing(days: int, **kw: object) -> Measure:
    fields: dict[str, object] = {
        "id": "us-ban", "authority": "MOFCOM", "instrument": "MOFCOM Announcement No. 46 of 2024",
        "materials": ("Ga", "Ge"), "direction": "restrict", "source": "https://example.org/46",
        "effective": date(2024, 12, 3), "suspended_from": date(2025, 11, 9),
        "suspended_until": TODAY + timedelta(days=days),
        "suspended_by": "MOFCOM Announcement No. 72 of 2025"}
    fields.update(kw)
    return Measure(**fields)  # type: ignore[arg-type]


def fire(r: PolicyDeadline, *measures: Measure, today: date = TODAY) -> list[str]:
    return [m.key for m in r.evaluate(RuleContext(now=NOW, today=today, policies=measures))]


# --- validation ---------------------------------------------------------------------

def test_severity_is_derived_so_setting_it_is_an_error() -> None:
    with pytest.raises(ValidationError, match="policy_deadline derives its severity"):
        rule(severity="high")


def test_unknown_parameters_and_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValidationError, match="warn_dayz"):
        rule(warn_dayz=[30])
    with pytest.raises(ValidationError, match=r"warn_days lists \[7\] more than once"):
        rule(warn_days=[7, 7])
    with pytest.raises(ValidationError, match="unobtainium"):
        rule(materials=["unobtainium"])


# --- evaluate -----------------------------------------------------------------------

def test_a_lapse_in_14_days_warns_at_14_naming_the_instrument() -> None:
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY, policies=(lapsing(14),)))
    assert m.key == "policy:measure:us-ban:2026-11-10:14"
    assert m.title == ("MOFCOM Announcement No. 46 of 2024: suspension lapses in 14 days "
                       "(2026-11-10)")
    assert m.severity == "high"
    assert ("Suspended by", "MOFCOM Announcement No. 72 of 2025") in m.facts
    assert m.materials == ("Ga", "Ge")
    assert m.sources[0].url == "https://example.org/46"


def test_first_seen_at_10_days_warns_once_at_the_14_day_threshold() -> None:
    assert fire(rule(), lapsing(10)) == ["policy:measure:us-ban:2026-11-06:14"]


@pytest.mark.parametrize(("days", "tail", "severity"), [
    (60, "60", "warning"), (45, "60", "warning"), (30, "30", "high"), (7, "7", "critical"),
    (1, "1", "critical"), (0, "day", "critical"),
])
def test_each_threshold_and_the_day(days: int, tail: str, severity: str) -> None:
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY, policies=(lapsing(days),)))
    assert m.key.endswith(":" + tail)
    assert m.severity == severity


def test_nothing_beyond_the_largest_threshold_or_after_the_date() -> None:
    assert fire(rule(), lapsing(61)) == []
    assert fire(rule(), lapsing(-1)) == []


def test_taking_effect_and_expiring_warn_but_a_suspension_beginning_does_not() -> None:
    m = Measure(id="new", authority="MOFCOM", instrument="Announcement No. 9 of 2027",
                materials=("Dy",), direction="restrict", source="https://x",
                announced=TODAY, effective=TODAY + timedelta(days=30),
                expires=TODAY + timedelta(days=44))
    assert fire(rule(), m) == ["policy:measure:new:2026-11-26:30",
                               "policy:measure:new:2026-12-10:60"]
    ease = lapsing(100, suspended_from=TODAY + timedelta(days=5))
    assert fire(rule(), ease) == []


def test_a_materials_filter_sees_measures_on_the_group() -> None:
    ree = lapsing(14, id="ree", materials=("REE",))
    assert fire(rule(materials=["dysprosium"]), ree, lapsing(14)) == [
        "policy:measure:ree:2026-11-10:14"]


def test_day_by_day_each_threshold_fires_once() -> None:
    r, m, keys = rule(), lapsing(70), set()
    fired = []
    for offset in range(80):
        for key in fire(r, m, today=TODAY + timedelta(days=offset)):
            if key not in keys:
                keys.add(key)
                fired.append(key.rsplit(":", 1)[-1])
    assert fired == ["60", "30", "14", "7", "1", "day"]
