"""Export statistics (SPEC §4): row validation, revisions, whole-file failures, the real data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sources.trade import SourceError, load_trade, refresh_trade
from bot.store import Store
from bot.store.licences import source_health
from bot.store.schema import TradeRevision
from bot.store.trade import trade_series
from tests.helpers.store import read

DATA = Path(__file__).parent / "data" / "trade"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "china_exports_monthly.csv"
NOW = datetime(2026, 1, 20, 6, 0, tzinfo=UTC)
HEADER = "period,product,destination,tonnes,value_usd,source\n"


def write(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "exports.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


BUNDLED = Path(__file__).resolve().parents[1] / "bot" / "sample" / "exports.csv"


@pytest.mark.parametrize("path", [SHARED, BUNDLED], ids=["shared", "bundled copy"])
def test_the_real_china_export_figures_load_cleanly(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not there (no ../shared checkout)")
    result = load_trade(str(path))
    assert result.problems == ()
    assert len(result.records) == len(path.read_text(encoding="utf-8").splitlines()) - 1
    series = {p.series for p in result.records}
    assert {"rare earths/ALL", "rare earth magnets/ALL", "rare earth magnets/US",
            "rare earth products/ALL"} <= series
    nov = next(p for p in result.records if p.series == "rare earths/ALL" and p.period == "2025-11")
    assert nov.tonnes == 5493.9 and nov.source.startswith("https://")


def test_every_bad_row_is_skipped_with_its_row_number_and_reason() -> None:
    result = load_trade(str(DATA / "exports.csv"))
    assert [(p.period, p.series, p.tonnes, p.value_usd) for p in result.records] == [
        ("2025-04", "rare earth magnets/ALL", 2627.0, None),
        ("2025-05", "rare earth magnets/US", 46.0, 1_200_000.0),  # case and spaces folded
        ("2025-10", "rare earths/KR", 12.5, None),
    ]
    assert [str(p) for p in result.problems] == [
        "exports.csv: row 4: period '2025/06' is not a month; write it as YYYY-MM (e.g. 2025-04)",
        "exports.csv: row 5: product is empty",
        "exports.csv: row 6: destination 'United States' is not an ISO country code (e.g. US, "
        "DE) or ALL",
        "exports.csv: row 7: tonnes '5,493.9' contains a comma; write plain numbers without "
        "thousands separators (write 5493.9)",
        "exports.csv: row 8: tonnes '-4' must be a number of zero or more",
        "exports.csv: row 9: tonnes 'lots' is not a number",
        "exports.csv: row 10: tonnes is empty",
        "exports.csv: row 11: rare earth magnets/US 2025-05 is a duplicate of row 3; this row "
        "is skipped",
        "exports.csv: row 12: value_usd 'n/a' is not a number",
        "exports.csv: row 13: period '2025-13' is not a month; write it as YYYY-MM (e.g. 2025-04)",
    ]


def test_a_missing_required_column_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "exports.csv"
    path.write_text("period,product,tonnes\n2025-04,rare earths,10\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"exports\.csv: required column 'destination' is missing"):
        load_trade(str(path))


def test_a_revised_figure_replaces_the_old_one_and_is_recorded(tmp_path: Path,
                                                               store: Store) -> None:
    path = write(tmp_path, "2025-09,rare earths,ALL,4000.3,,first release\n"
                           "2025-10,rare earths,ALL,4343.5,,first release\n")
    assert refresh_trade(store, path, NOW).added == 2
    later = NOW + timedelta(days=1)
    write(tmp_path, "2025-09,rare earths,ALL,4100,,revised\n"
                    "2025-10,rare earths,ALL,4343.5,,first release\n"
                    "2025-11,rare earths,ALL,5493.9,,first release\n")
    report = refresh_trade(store, path, later)
    assert (report.added, report.updated, report.changes) == (
        1, 1, ("rare earths/ALL 2025-09: 4000.3 -> 4100 t",))
    assert [(p.period, p.tonnes, p.source) for p in read(store, trade_series, "Rare Earths", "all")] == [
        ("2025-09", 4100.0, "revised"), ("2025-10", 4343.5, "first release"),
        ("2025-11", 5493.9, "first release")]
    with store.reader() as s:
        (rev,) = s.scalars(select(TradeRevision)).all()
        assert (rev.period, rev.old_tonnes, rev.new_tonnes, rev.revised) == (
            "2025-09", 4000.3, 4100, later)


def test_figures_missing_from_a_later_file_are_kept(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, "2025-09,rare earths,ALL,4000.3,,\n")
    refresh_trade(store, path, NOW)
    write(tmp_path, "2025-10,rare earths,ALL,4343.5,,\n")
    refresh_trade(store, path, NOW + timedelta(days=1))
    assert [p.period for p in read(store, trade_series)] == ["2025-09", "2025-10"]


def test_an_unusable_file_keeps_the_last_good_figures(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, "2025-09,rare earths,ALL,4000.3,,\n")
    refresh_trade(store, path, NOW)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    report = refresh_trade(store, path, NOW + timedelta(days=1))
    assert report.error == ("exports.csv: is not a table: it holds binary data, not text; "
                            "save it as CSV (UTF-8), .xlsx or JSON")
    assert [(p.period, p.tonnes) for p in read(store, trade_series)] == [("2025-09", 4000.3)]
    (health,) = read(store, source_health)
    assert (health.name, health.rows_loaded, health.last_error) == ("trade", 1, report.error)


def test_series_filters_by_product_destination_and_period(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, "2025-08,rare earth magnets,US,590,,\n2025-09,rare earth magnets,US,420.5,,\n"
                           "2025-09,rare earth magnets,DE,1288,,\n2025-09,rare earths,ALL,4000.3,,\n")
    refresh_trade(store, path, NOW)
    assert [p.series for p in read(store, trade_series, product="rare earth magnets")] == [
        "rare earth magnets/DE", "rare earth magnets/US", "rare earth magnets/US"]
    assert [p.period for p in read(store, trade_series, destination="us", since_period="2025-09")] == [
        "2025-09"]


@pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is not there (no ../shared checkout)")
def test_the_demo_carries_the_current_real_figures() -> None:
    assert BUNDLED.read_bytes() == SHARED.read_bytes(), "copy shared/data/china_exports_monthly.csv again"
