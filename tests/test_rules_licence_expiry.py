"""licence_expiry: each threshold once, once more when expired, never for renewed licences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.models import Licence
from bot.rules.context import RuleContext, find_renewals
from bot.rules.licence_expiry import LicenceExpiry
from bot.store import Store
from bot.store.alerts import alerts_since, record_alert

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def rule(**params: object) -> LicenceExpiry:
    return LicenceExpiry(id="expiry", type="licence_expiry", **params)  # type: ignore[arg-type]


def licence(days_left: int | None, **kw: object) -> Licence:
    expires = None if days_left is None else TODAY + timedelta(days=days_left)
    fields: dict[str, object] = {"licence_id": "MOFCOM-2025-0042", "holder": "Baotou Magnet Co",
                                 "material": "Dy", "end_user": "Acme Motors", "expires": expires}
    fields.update(kw)
    return Licence(**fields)  # type: ignore[arg-type]


def fire(r: LicenceExpiry, *licences: Licence, today: date = TODAY, **ctx: object) -> list[str]:
    context = RuleContext(now=NOW, today=today, licences=licences, **ctx)  # type: ignore[arg-type]
    return [m.key for m in r.evaluate(context)]


# --- validation ---------------------------------------------------------------------

@pytest.mark.parametrize(("warn_days", "message"), [
    ([30, 0, 7], "warn_days must be positive whole days; got [0]"),
    ([30, -7], "warn_days must be positive whole days; got [-7]"),
    ([30, 14, 14], "warn_days lists [14] more than once"),
    ([], "at least 1 item"),
    (["ten"], "valid integer"),
])
def test_bad_warn_days_are_refused_with_a_reason(warn_days: list[object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        rule(warn_days=warn_days)


def test_severity_is_derived_so_setting_it_is_an_error() -> None:
    with pytest.raises(ValidationError, match="licence_expiry derives its severity"):
        rule(severity="high")


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(ValidationError, match="warn_dayz"):
        rule(warn_dayz=[30])


def test_warn_days_in_any_order_mean_the_same() -> None:
    assert rule(warn_days=[7, 60, 30]).warn_days == [60, 30, 7]


# --- evaluate -----------------------------------------------------------------------

@pytest.mark.parametrize(("days_left", "key", "severity"), [
    (60, "expiry:licence:MOFCOM-2025-0042:60", "warning"),
    (31, "expiry:licence:MOFCOM-2025-0042:60", "warning"),
    (30, "expiry:licence:MOFCOM-2025-0042:30", "high"),
    (14, "expiry:licence:MOFCOM-2025-0042:14", "high"),
    (8, "expiry:licence:MOFCOM-2025-0042:14", "high"),
    (7, "expiry:licence:MOFCOM-2025-0042:7", "critical"),
    (1, "expiry:licence:MOFCOM-2025-0042:1", "critical"),
    (0, "expiry:licence:MOFCOM-2025-0042:1", "critical"),
    (-1, "expiry:licence:MOFCOM-2025-0042:expired", "critical"),
])
def test_threshold_boundaries(days_left: int, key: str, severity: str) -> None:
    [match] = rule().evaluate(RuleContext(now=NOW, today=TODAY, licences=(licence(days_left),)))
    assert (match.key, match.severity) == (key, severity)
    assert match.subject == "MOFCOM-2025-0042"
    assert match.materials == ("Dy",)


def test_outside_every_threshold_nothing_fires() -> None:
    assert fire(rule(), licence(61)) == []


def test_first_seen_at_ten_days_left_fires_once_for_fourteen() -> None:
    assert fire(rule(), licence(10)) == ["expiry:licence:MOFCOM-2025-0042:14"]


def test_a_licence_walked_day_by_day_alerts_once_per_threshold_then_expired(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    r, lic = rule(), licence(75)
    for day in range(80):
        today = TODAY + timedelta(days=day)
        now = NOW + timedelta(days=day)
        matches = r.evaluate(RuleContext(now=now, today=today, licences=(lic,)))
        with store.session() as s:
            for m in matches:
                record_alert(s, m, ["console"], now)
    with store.session() as s:
        keys = [a.key.rsplit(":", 1)[1] for a in reversed(alerts_since(s, None))]
    assert keys == ["60", "30", "14", "7", "1", "expired"]


def test_facts_name_holder_licence_expiry_and_days_left() -> None:
    [match] = rule().evaluate(RuleContext(now=NOW, today=TODAY, licences=(licence(14),)))
    facts = dict(match.facts)
    assert facts["Holder"] == "Baotou Magnet Co"
    assert facts["Licence"].startswith("MOFCOM-2025-0042")
    assert facts["Expiry"] == "2026-03-16"
    assert facts["Days left"] == "14"
    assert "14 days" in match.title


def test_status_expired_fires_expired_even_before_the_date() -> None:
    expired = licence(20, status="expired")
    assert fire(rule(), expired) == ["expiry:licence:MOFCOM-2025-0042:expired"]


def test_long_expired_licence_is_history_not_news() -> None:
    assert fire(rule(), licence(-31)) == []
    assert fire(rule(), licence(-30)) == ["expiry:licence:MOFCOM-2025-0042:expired"]
    assert fire(rule(max_expired_days=90), licence(-60)) != []


@pytest.mark.parametrize("status", ["renewed", "pending", "denied", "revoked"])
def test_licences_not_in_force_or_renewed_never_warn(status: str) -> None:
    assert fire(rule(), licence(5, status=status)) == []


@pytest.mark.parametrize(("status", "in_force", "watched"), [
    ("active", True, True), ("renewal_filed", True, True), ("renewed", True, False),
    ("pending", False, False), ("expired", False, False), ("denied", False, False),
    ("revoked", False, False),
])
def test_one_answer_to_is_this_licence_live(status: str, in_force: bool, watched: bool) -> None:
    lic = licence(5, status=status)
    assert (lic.in_force, lic.watched) == (in_force, watched)


def test_renewal_filed_still_warns() -> None:
    assert fire(rule(), licence(5, status="renewal_filed")) == ["expiry:licence:MOFCOM-2025-0042:7"]


def test_licence_renewed_by_a_newer_one_does_not_warn() -> None:
    old = licence(5)
    new = licence(185, licence_id="MOFCOM-2026-0007", issued=TODAY)
    renewals = find_renewals([old, new])
    assert renewals == {"MOFCOM-2025-0042": "MOFCOM-2026-0007"}
    assert fire(rule(), old, new, renewals=renewals) == []


def test_a_newer_licence_for_another_end_user_renews_nothing() -> None:
    old = licence(5)
    other = licence(185, licence_id="MOFCOM-2026-0007", end_user="Other GmbH")
    assert find_renewals([old, other]) == {}


def test_unknown_expiry_is_skipped() -> None:
    assert fire(rule(), licence(None)) == []


def test_custom_thresholds() -> None:
    r = rule(warn_days=[21, 3])
    assert fire(r, licence(21)) == ["expiry:licence:MOFCOM-2025-0042:21"]
    assert fire(r, licence(22)) == []
    [match] = r.evaluate(RuleContext(now=NOW, today=TODAY, licences=(licence(21),)))
    assert match.severity == "high"
