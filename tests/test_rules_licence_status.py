"""licence_status: a status change between refreshes alerts once per licence and new status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.models import Licence, StatusChange
from bot.rules.context import RuleContext
from bot.rules.licence_status import LicenceStatusRule

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
LIC = Licence(licence_id="L-7", holder="Ganzhou Rare Metals", material="Tb",
              end_user="Acme Motors", expires=date(2026, 5, 1), status="denied")


def rule(**params: object) -> LicenceStatusRule:
    return LicenceStatusRule.model_validate({"id": "status", "type": "licence_status", **params})


def change(old: str | None, new: str, licence_id: str = "L-7", minutes: int = 0) -> StatusChange:
    return StatusChange(licence_id, old, new, NOW - timedelta(minutes=60 - minutes))


def keys(r: LicenceStatusRule, *changes: StatusChange) -> list[str]:
    ctx = RuleContext(now=NOW, today=TODAY, licences=(LIC,), licence_changes=changes)
    return [m.key for m in r.evaluate(ctx)]


# --- validation ---------------------------------------------------------------------

def test_unknown_status_in_to_names_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="to: unknown status 'refused'; known: active, pend"):
        rule(to=["refused"])


def test_unknown_status_in_from_is_refused() -> None:
    with pytest.raises(ValidationError, match="from: unknown status 'granted'"):
        rule(**{"from": ["granted"]})


def test_empty_filter_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        rule(to=[])


def test_bad_severity_is_refused() -> None:
    with pytest.raises(ValidationError, match="severity"):
        rule(severity="urgent")


# --- evaluate -----------------------------------------------------------------------

def test_pending_to_denied_fires_with_the_new_status_in_the_key() -> None:
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY, licences=(LIC,),
                                      licence_changes=(change("pending", "denied"),)))
    assert m.key == "status:licence:L-7:denied"
    assert m.subject == "L-7"
    assert m.severity == "high"
    assert m.materials == ("Tb",)
    assert "pending → denied" in dict(m.facts)["Status"]
    assert dict(m.facts)["Holder"] == "Ganzhou Rare Metals"
    assert "denied" in m.title


def test_first_sight_is_no_change() -> None:
    assert keys(rule(), change(None, "active")) == []


def test_to_filter() -> None:
    r = rule(to=["denied", "revoked"], severity="critical")
    assert keys(r, change("active", "revoked")) == ["status:licence:L-7:revoked"]
    assert keys(r, change("pending", "active")) == []


def test_from_filter() -> None:
    r = rule(**{"from": ["active"]})
    assert keys(r, change("active", "revoked")) == ["status:licence:L-7:revoked"]
    assert keys(r, change("pending", "denied")) == []


def test_several_changes_of_one_licence_report_the_latest() -> None:
    got = keys(rule(), change("pending", "active", minutes=1),
               change("active", "revoked", minutes=2))
    assert got == ["status:licence:L-7:revoked"]


def test_changes_of_several_licences_each_fire() -> None:
    got = keys(rule(), change("pending", "denied"), change("active", "revoked", licence_id="L-8"))
    assert sorted(got) == ["status:licence:L-7:denied", "status:licence:L-8:revoked"]


def test_change_of_a_licence_no_longer_in_the_register_still_fires() -> None:
    ctx = RuleContext(now=NOW, today=TODAY, licence_changes=(change("active", "revoked", "GONE"),))
    [m] = rule().evaluate(ctx)
    assert m.key == "status:licence:GONE:revoked"
    assert m.materials == ()
