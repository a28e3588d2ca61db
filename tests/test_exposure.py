"""Exposure: the file read row by row, days of cover, and what an alert says about the parts."""

from __future__ import annotations

import pytest

from bot.exposure import Part, affected_parts, annotate
from bot.models import Match
from bot.sources.exposure import parse_exposure
from bot.sources.tabular import SourceError

HEADER = b"part,material,supplier,licence_id,monthly_use,on_hand,lead_time_days\n"


def test_quantities_take_units_in_the_cell_or_a_unit_column() -> None:
    data = (b"part,material,supplier,monthly_use,on_hand,unit,lead_time_days\n"
            b"rotor-A,dysprosium,Baotou,150 kg,100kg,,60\n"
            b"stator,Tb,Ganzhou,0.2 t,50,kg,\n"
            b"sensor,Ga,Yunnan,2,4,t,\n")
    parts = parse_exposure(data, "exposure.csv").records
    assert [(p.part, p.material, p.monthly_use_kg, p.on_hand_kg) for p in parts] == [
        ("rotor-A", "Dy", 150.0, 100.0), ("stator", "Tb", 200.0, 50.0),
        ("sensor", "Ga", 2000.0, 4000.0)]
    assert parts[0].cover_days == pytest.approx(20.0)
    assert parts[0].lead_time_days == 60
    assert parts[1].lead_time_days is None


def test_bad_rows_are_skipped_with_their_row_and_reason() -> None:
    data = HEADER + (b"ok,Dy,Baotou,,10,10,\n"
                     b"bad-unit,Dy,Baotou,,10 lb,10,\n"
                     b"bad-material,unobtainium,X,,10,10,\n"
                     b"bad-number,Dy,X,,ten,10,\n"
                     b",Dy,X,,1,1,\n")
    result = parse_exposure(data, "exposure.csv")
    assert [p.part for p in result.records] == ["ok"]
    problems = [str(p) for p in result.problems]
    assert problems[0] == "exposure.csv: row 3: monthly_use '10 lb': unit 'lb' is not one of kg, g, t"
    assert problems[1].startswith("exposure.csv: row 4: material:")
    assert problems[2] == "exposure.csv: row 5: monthly_use 'ten' is not a number"
    assert problems[3] == "exposure.csv: row 6: part is empty"


def test_a_file_without_a_required_column_is_refused_naming_it() -> None:
    with pytest.raises(SourceError, match=r"exposure\.csv: required column 'on_hand' is missing"):
        parse_exposure(b"part,material,supplier,monthly_use\nx,Dy,Y,1\n", "exposure.csv")


ROTOR = Part("rotor-A", "Dy", "Baotou Rare Earth Co.", 150.0, 100.0, "LIC-1", 60)
MAGNET = Part("magnet-B", "NdFeB", "Ningbo", 100.0, 1000.0, "", 30)
SENSOR = Part("sensor-C", "Ga", "Yunnan", 1.0, 10.0, "", None)


def expiry(subject: str = "LIC-1", severity: str = "high") -> Match:
    return Match("licence-expiry", "licence_expiry", f"licence-expiry:licence:{subject}:14",
                 severity, "Licence LIC-1 expires in 10 days", subject, ("Dy",),
                 (("Holder", "Baotou Rare Earth Co."),), reason="10 days left")  # type: ignore[arg-type]


def news(*materials: str) -> Match:
    return Match("news", "news_restriction", "news:story:1", "high", "China halts exports",
                 "story:1", materials)


def test_a_licence_alert_names_the_parts_tied_to_it_and_is_raised_below_lead_time() -> None:
    out = annotate(expiry(), [ROTOR, MAGNET, SENSOR])
    facts = dict(out.facts)
    assert facts["Affected parts"].startswith("rotor-A (Dy from Baotou Rare Earth Co., licence "
                                              "LIC-1): 20 days of cover, lead time 60 days")
    assert "magnet-B" not in facts["Affected parts"]  # another supplier's magnets
    assert facts["Lowest cover"] == "20 days (rotor-A)"
    assert out.severity == "critical"
    assert "from high to critical: rotor-A has 20 days of cover, less than its 60-day" in \
        facts["Raised"]
    assert out.key == expiry().key  # the alert's identity does not change


def test_without_parts_or_without_a_shortfall_nothing_changes() -> None:
    assert annotate(expiry(), []) == expiry()
    plenty = Part("rotor-A", "Dy", "Baotou Rare Earth Co.", 10.0, 100.0, "LIC-1", 60)
    out = annotate(expiry(), [plenty])
    assert out.severity == "high"
    assert dict(out.facts)["Lowest cover"] == "300 days (rotor-A)"


def test_material_news_reaches_parts_through_the_materials_graph() -> None:
    assert [p.part for p in affected_parts(news("Dy"), [ROTOR, MAGNET, SENSOR])] == [
        "rotor-A", "magnet-B"]  # lowest cover first; a magnet contains dysprosium
    assert [p.part for p in affected_parts(news("REE"), [ROTOR, MAGNET, SENSOR])] == [
        "rotor-A", "magnet-B"]
    assert [p.part for p in affected_parts(news("Ga"), [ROTOR, MAGNET, SENSOR])] == ["sensor-C"]
    assert affected_parts(news("NdFeB"), [ROTOR]) == []  # dysprosium oxide is no magnet


def test_critical_stays_critical_but_still_says_why() -> None:
    out = annotate(news("Dy").__class__(**{**news("Dy").__dict__, "severity": "critical"}),
                   [ROTOR])
    assert out.severity == "critical"
    assert dict(out.facts)["Raised"].startswith("rotor-A has 20 days of cover")
