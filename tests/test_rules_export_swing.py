"""export_swing: consecutive months only, both months heavy enough, |change| >= the threshold."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.models import TradePoint
from bot.rules.context import RuleContext
from bot.rules.export_swing import ExportSwing, previous_month

NOW = datetime(2026, 4, 20, 6, 0, tzinfo=UTC)
TODAY = date(2026, 4, 20)
# The demo's bundled copy of shared/data/china_exports_monthly.csv (test_trade checks they match).
REAL_DATA = Path(__file__).resolve().parents[1] / "bot" / "sample" / "exports.csv"


def rule(**params: object) -> ExportSwing:
    return ExportSwing(id="swing", type="export_swing", **params)  # type: ignore[arg-type]


def pt(
    period: str, tonnes: float, product: str = "rare earth magnets", dest: str = "US"
) -> TradePoint:
    return TradePoint(period=period, product=product, destination=dest, tonnes=tonnes)


def swings(r: ExportSwing, *points: TradePoint) -> list[str]:
    return [m.key for m in r.evaluate(RuleContext(now=NOW, today=TODAY, trade=points))]


# --- validation ---------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"threshold_pct": 0}, "threshold_pct\n  Input should be greater than 0"),
    ({"threshold_pct": "ten"}, "threshold_pct\n  Input should be a valid number"),
    ({"min_tonnes": -1}, "min_tonnes\n  Input should be greater than or equal to 0"),
    ({"products": []}, "products\n  List should have at least 1 item"),
    ({"destinations": [" "]}, "names must not be empty"),
    ({"severity": "high"}, "export_swing derives its severity"),
    ({"threshold": 10}, "threshold\n  Extra inputs are not permitted"),
])
def test_bad_parameters_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        rule(**params)
    assert message in str(exc.value)


# --- evaluate -----------------------------------------------------------------------

def test_exactly_the_threshold_fires_just_under_does_not() -> None:
    assert swings(rule(), pt("2025-10", 1000), pt("2025-11", 900)) == [
        "swing:rare earth magnets/US:2025-11"]
    assert swings(rule(), pt("2025-10", 1000), pt("2025-11", 901)) == []
    assert swings(rule(), pt("2025-10", 100), pt("2025-11", 110)) != []


def test_severity_is_high_at_twice_the_threshold() -> None:
    [warn] = rule().evaluate(RuleContext(now=NOW, today=TODAY,
                                         trade=(pt("2025-10", 1000), pt("2025-11", 801))))
    [high] = rule().evaluate(RuleContext(now=NOW, today=TODAY,
                                         trade=(pt("2025-10", 1000), pt("2025-11", 800))))
    assert (warn.severity, high.severity) == ("warning", "high")


def test_both_months_must_reach_min_tonnes() -> None:
    assert swings(rule(), pt("2025-05", 50), pt("2025-06", 353)) != []
    assert swings(rule(), pt("2025-05", 46), pt("2025-06", 353)) == []
    assert swings(rule(), pt("2025-05", 353), pt("2025-06", 49.9)) == []
    assert swings(rule(min_tonnes=0), pt("2025-05", 46), pt("2025-06", 353)) != []


def test_a_gap_month_means_no_swing() -> None:
    # China reports January and February together: March has no month before it.
    assert swings(rule(), pt("2025-12", 5952), pt("2026-03", 5238)) == []


def test_year_boundary_is_consecutive() -> None:
    assert previous_month("2026-01") == "2025-12"
    assert swings(rule(), pt("2025-12", 1000), pt("2026-01", 500)) == [
        "swing:rare earth magnets/US:2026-01"]


def test_only_the_latest_month_is_judged() -> None:
    # A swing two months ago was news then; the latest month is flat.
    assert swings(rule(), pt("2025-09", 100), pt("2025-10", 500), pt("2025-11", 505)) == []


def test_a_revision_is_judged_again_under_the_same_key() -> None:
    before = swings(rule(), pt("2025-10", 1000), pt("2025-11", 950))
    revised = swings(rule(), pt("2025-10", 1000), pt("2025-11", 850))
    revised_again = swings(rule(), pt("2025-10", 1000), pt("2025-11", 700))
    assert before == []
    assert revised == revised_again == ["swing:rare earth magnets/US:2025-11"]


def test_series_are_judged_separately_and_filters_apply() -> None:
    points = (pt("2025-10", 1000), pt("2025-11", 500),
              pt("2025-10", 1000, dest="DE"), pt("2025-11", 1500, dest="DE"),
              pt("2025-10", 5000, "rare earths", "ALL"), pt("2025-11", 2000, "rare earths", "ALL"))
    assert sorted(swings(rule(), *points)) == [
        "swing:rare earth magnets/DE:2025-11", "swing:rare earth magnets/US:2025-11",
        "swing:rare earths/ALL:2025-11"]
    assert swings(rule(destinations=["de"]), *points) == ["swing:rare earth magnets/DE:2025-11"]
    assert swings(rule(products=["Rare Earths"]), *points) == ["swing:rare earths/ALL:2025-11"]


def test_facts_name_product_destination_months_tonnes_and_change() -> None:
    [m] = rule().evaluate(RuleContext(now=NOW, today=TODAY,
                                      trade=(pt("2025-04", 2627), pt("2025-05", 1238))))
    assert m.subject == "rare earth magnets/US"
    assert dict(m.facts) == {
        "Product": "rare earth magnets", "Destination": "US", "Months": "2025-04 → 2025-05",
        "Tonnes": "2,627 t → 1,238 t", "Change": "-52.9%"}
    assert m.materials == ("REE", "NdFeB")
    assert "fell 53%" in m.title


def test_real_reported_figures() -> None:
    with REAL_DATA.open(encoding="utf-8") as f:
        points = tuple(TradePoint(r["period"], r["product"], r["destination"], float(r["tonnes"]))
                       for r in csv.DictReader(f))
    matches = rule().evaluate(RuleContext(now=NOW, today=TODAY, trade=points))
    # Only rare earths/ALL has a latest month with its month before (Dec 2025 vs Nov: -20%).
    assert [(m.key, m.severity, dict(m.facts)["Change"]) for m in matches] == [
        ("swing:rare earths/ALL:2025-12", "high", "-20.1%")]
