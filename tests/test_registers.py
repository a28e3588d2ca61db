"""Licence registers as people keep them: Excel workbooks, semicolon and UTF-16 CSV exports,
their own headings and words, day-first dates; and registers that would quietly lie."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from pydantic import SecretStr

from bot.cli.check import check_all
from bot.config import LicencesConfig, Secrets, load_config
from bot.pipeline import Pipeline
from bot.sources.licences import load_licences, parse_licences, refresh_licences
from bot.sources.tabular import SourceError
from bot.store import Store
from bot.store.alerts import alerts_since
from bot.store.licences import current_licences, source_health
from tests.helpers.store import read
from tests.peers.slack_api import SlackApiPeer

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
# licence id, holder, material, expires (days from today), status
REGISTER = [
    ("L-1", "Ganzhou Example Magnetics", "Dy", 5, "active"),
    ("L-2", "Baotou Example Metals", "Tb", 29, "active"),
    ("L-3", "Jiangxi Example Oxides", "Gd", 200, "active"),
    ("L-4", "Ningbo Example Works", "NdFeB", 13, "pending"),
    ("L-5", "Hunan Example Targets", "Lu", 1, "active"),
]
GERMAN_STATUS = {"active": "Aktiv", "pending": "Beantragt"}
GERMAN = {"licence_id": "Lizenznummer", "holder": "Inhaber", "material": "Material",
          "expires": "Gültig bis", "status": "Status"}
MAPPING = {"columns": GERMAN, "statuses": {"Aktiv": "active", "Beantragt": "pending"}}


def expiry(days: int) -> date:
    return TODAY + timedelta(days=days)


def iso_csv(folder: Path) -> Path:
    lines = ["licence_id,holder,material,expires,status"] + [
        f"{i},{h},{m},{expiry(d).isoformat()},{s}" for i, h, m, d, s in REGISTER]
    path = folder / "register.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def german_xlsx(folder: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Lizenzen"
    sheet.append(["Exportlizenzen Seltene Erden (Stand 24.11.2026)"])  # a title row, merged
    sheet.merge_cells("A1:E1")
    sheet.append([GERMAN[c] for c in ("licence_id", "holder", "material", "expires", "status")])
    for i, h, m, d, s in REGISTER:
        sheet.append([i, h, m, datetime.combine(expiry(d), datetime.min.time()),
                      GERMAN_STATUS[s]])
    for row in sheet.iter_rows(min_row=3, min_col=4, max_col=4):
        row[0].number_format = "DD.MM.YYYY"  # shown German-style, stored as a date cell
    path = folder / "register.xlsx"
    book.save(path)
    return path


def semicolon_csv(folder: Path) -> Path:
    lines = [";".join(GERMAN[c] for c in ("licence_id", "holder", "material", "expires",
                                          "status"))] + [
        f"{i};{h};{m};{expiry(d):%d.%m.%Y};{GERMAN_STATUS[s]}" for i, h, m, d, s in REGISTER]
    path = folder / "register-export.csv"
    # Excel's "CSV (semicolon)" export on a German Windows: Windows-1252, CRLF line ends
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def alerts_of(folder: Path, register: Path, peer: SlackApiPeer, extra: str = "") -> list[str]:
    (folder / "c.yaml").write_text(
        f"database: sqlite:///{folder}/{register.stem}.db\nrules: {ROOT / 'rules'}\nfeeds: []\n"
        f"licences:\n  source: {register.name}\n{extra}slack: {{default_channel: '#risk'}}\n",
        encoding="utf-8")
    config = load_config(folder / "c.yaml")
    store = Store(config.database_url)
    secrets = Secrets.model_construct(slack_bot_token=SecretStr("xoxb-t"), slack_api_url=peer.url)
    pipeline = Pipeline(config, store, secrets, worker_id="t")
    try:
        report = pipeline.cycle(NOW)
        assert report.source_errors == []
        with store.reader() as s:
            return sorted(f"{a.rule_type}: {a.title}" for a in alerts_since(s, None))
    finally:
        pipeline.close()
        store.dispose()


def mapping_yaml(date_order: str | None = None) -> str:
    lines = ["  columns:"] + [f"    {k}: {v}" for k, v in GERMAN.items()]
    lines += ["  statuses:", "    Aktiv: active", "    Beantragt: pending"]
    if date_order:
        lines.append(f"  date_order: {date_order}")
    return "\n".join(lines) + "\n"


def test_an_excel_workbook_and_a_semicolon_export_fire_the_alerts_the_iso_csv_fires(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    (tmp_path / "iso").mkdir(), (tmp_path / "xlsx").mkdir(), (tmp_path / "semi").mkdir()
    iso = alerts_of(tmp_path / "iso", iso_csv(tmp_path / "iso"), slack_peer)
    expiry_alerts = [a for a in iso if a.startswith("licence_expiry")]
    assert len(expiry_alerts) == 3, iso  # L-1 (5 days), L-2 (29), L-5 (1); L-4 is pending
    xlsx = alerts_of(tmp_path / "xlsx", german_xlsx(tmp_path / "xlsx"), slack_peer, mapping_yaml())
    semi = alerts_of(tmp_path / "semi", semicolon_csv(tmp_path / "semi"), slack_peer,
                     mapping_yaml("dmy"))
    assert xlsx == iso
    assert semi == iso


def test_an_ambiguous_day_month_date_without_date_order_is_a_row_error(tmp_path: Path) -> None:
    path = semicolon_csv(tmp_path)
    settings = LicencesConfig.model_validate({"source": str(path), **MAPPING})
    result = load_licences(str(path), settings)
    # 29.11.2026 and 25.12.2026 read one way only; 01.12.2026 could be 1 December or 12 January
    ambiguous = [p for p in result.problems if "ambiguous" in p.reason]
    assert ambiguous, result.problems
    first = ambiguous[0]
    assert str(first).startswith(f"register-export.csv: row {first.row}: expires ")
    assert "set `date_order: dmy` or `mdy`" in first.reason
    ids = {lic.licence_id for lic in result.records}
    assert all(f"row {p.row}" in str(p) for p in ambiguous) and len(ids) + len(ambiguous) == 5


def test_licences_example_loads_with_the_documented_mapping() -> None:
    candidates = [ROOT.parent / "shared" / "data" / "licences_example.csv",
                  ROOT.parents[1] / "shared" / "data" / "licences_example.csv"]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        pytest.skip("shared/data/licences_example.csv is not there (no shared checkout)")
    settings = LicencesConfig.model_validate({   # the mapping docs/formats.md shows
        "source": str(path),
        "columns": {"licence_id": "licence_number", "end_user": "end_user_or_destination"},
        "statuses": {"granted": "active", "control suspended": "expired",
                     "not controlled": "expired"},
    })
    result = load_licences(str(path), settings)
    by_id = {lic.licence_id: lic for lic in result.records}
    assert by_id["TEST-DU-2026-000042"].expires == date(2026, 7, 9)
    assert by_id["TEST-DU-2026-000042"].licence_type == "temporary"  # "temporary (six-month)"
    assert by_id["TEST-DU-2025-000215"].status == "denied"
    assert by_id["UNDISCLOSED"].status == "active"  # "granted"
    assert by_id["UNDISCLOSED"].expires == date(2025, 12, 2)  # "2025-12-02 (approx; …)"
    # the rest are reported by row, none silently: repeated "UNDISCLOSED" numbers, materials
    # that are not one material ("rare-earth items (not disclosed)")
    assert len(result.records) + len(result.problems) == 17
    assert all(str(p).startswith("licences_example.csv: row ") for p in result.problems)


# -- formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_separator_and_encoding_are_detected(encoding: str, separator: str) -> None:
    text = separator.join(["licence_id", "holder", "material", "expires"]) + "\n" + \
        separator.join(["L-1", "Müller Magnete", "Dy", "2027-01-31"]) + "\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)
    (lic,) = parse_licences(data, "r.csv", LicencesConfig(source="r.csv")).records
    assert (lic.holder, lic.expires) == ("Müller Magnete", date(2027, 1, 31))


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("46357", None, date(2026, 12, 1)),  # an Excel serial, as a CSV export writes a date cell
    ("2026/12/01", None, date(2026, 12, 1)),
    ("13.12.2026", None, date(2026, 12, 13)),
    ("12/13/2026", None, date(2026, 12, 13)),
    ("01.12.2026", "dmy", date(2026, 12, 1)),
    ("12/01/2026", "mdy", date(2026, 12, 1)),
])
def test_dates_as_registers_write_them(text: str, order: str | None, expected: date) -> None:
    data = f"licence_id,holder,material,expires\nL-1,X,Dy,{text}\n".encode()
    (lic,) = parse_licences(data, "r.csv", LicencesConfig.model_validate(
        {"source": "r.csv", "date_order": order})).records
    assert lic.expires == expected


def test_a_named_sheet_and_a_missing_one(tmp_path: Path) -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["Notes"])
    other = book.create_sheet("Register")
    other.append(["licence_id", "holder", "material", "expires"])
    other.append(["L-9", "X", "Tb", date(2027, 3, 1)])
    book.save(tmp_path / "r.xlsx")
    data = (tmp_path / "r.xlsx").read_bytes()
    (lic,) = parse_licences(data, "r.xlsx", LicencesConfig(source="r.xlsx", sheet="Register")).records
    assert lic.expires == date(2027, 3, 1)
    with pytest.raises(SourceError, match=r"r.xlsx: has no sheet 'Lizenzen' \(sheets: Sheet, Register\)"):
        parse_licences(data, "r.xlsx", LicencesConfig(source="r.xlsx", sheet="Lizenzen"))
    with pytest.raises(SourceError, match=r"r\.xlsx: sheet Sheet: no row among the first 10 holds "
                                          r"the headings licence_id, holder, material"):
        parse_licences(data, "r.xlsx", LicencesConfig(source="r.xlsx"))


def test_merged_group_headings_are_passed_over_and_an_uncalculated_formula_is_reported(
        tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Lizenz", None, "Ware", "Daten", None])  # group headings over merged cells
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("D1:E1")
    sheet.append(["licence_id", "holder", "material", "issued", "Ablauf"])
    sheet.append(["L-1", "X", "Dy", date(2026, 6, 1), "=D3+182"])  # never calculated
    sheet.append(["L-2", "Y", "Tb", date(2026, 6, 1), None, "note without heading"])
    book.save(tmp_path / "r.xlsx")
    settings = LicencesConfig(source="r.xlsx", columns={"expires": "Ablauf"})
    result = parse_licences((tmp_path / "r.xlsx").read_bytes(), "r.xlsx", settings)
    problems = [str(p) for p in result.problems]
    assert any(p.startswith("r.xlsx: sheet Sheet: row 3: formula cell E3 (expires) has no saved "
                            "result") for p in problems), problems
    assert any(p.startswith("r.xlsx: sheet Sheet: row 4: cell F4 has a value but its column has "
                            "no heading") for p in problems), problems
    assert [lic.licence_id for lic in result.records] == ["L-2"]


def with_saved_results(path: Path, results: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell also holds its last result (<v>),
    which openpyxl cannot compute, so it is written into the sheet's XML here."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, value in results.items():
                    kind = "" if value.replace(".", "").isdigit() else ' t="str"'  # text result
                    text = re.sub(rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v ?/>',
                                  rf'<c r="{cell}"\1{kind}><f>\2</f><v>{value}</v>', text)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_formula_cells_are_read_as_their_saved_results(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["licence_id", "holder", "material", "issued", "expires", "status"])
    sheet.append(["L-1", "X", "Dy", date(2026, 6, 1), "=D2+183", '=IF(E2<TODAY(),"expired","active")'])
    sheet["E2"].number_format = "DD.MM.YYYY"
    book.save(tmp_path / "r.xlsx")
    data = with_saved_results(tmp_path / "r.xlsx", {"E2": "46357", "F2": "active"})
    (lic,) = parse_licences(data, "r.xlsx", LicencesConfig(source="r.xlsx")).records
    assert (lic.expires, lic.status) == (date(2026, 12, 1), "active")


def test_a_workbook_that_cannot_be_opened_keeps_the_last_good_register(tmp_path: Path,
                                                                      store: Store) -> None:
    path = iso_csv(tmp_path)
    settings = LicencesConfig(source=str(path))
    refresh_licences(store, str(path), settings, NOW)
    broken = tmp_path / "register.xlsx"
    broken.write_bytes(b"PK\x03\x04 this zip was cut short")
    report = refresh_licences(store, str(broken), LicencesConfig(source=str(broken)), NOW)
    assert report.error is not None and "register.xlsx: is not an Excel workbook that can be " \
        "opened" in report.error
    assert len(read(store, current_licences)) == 5


def test_the_size_limit_is_a_setting(tmp_path: Path) -> None:
    path = iso_csv(tmp_path)
    small = LicencesConfig.model_validate({"source": str(path), "max_size": "1 KB"})
    path.write_text(path.read_text() + "".join(
        f"L-{n},Holder {n},Dy,2027-01-01,active\n" for n in range(10, 60)))
    with pytest.raises(SourceError, match=r"larger than the 1024 bytes limit \(the limit is the "
                                          r"source's `max_size` setting\)"):
        load_licences(str(path), small)
    assert len(load_licences(str(path), LicencesConfig(source=str(path))).records) == 55


# -- registers that would lie ----------------------------------------------------------------

LIARS = {
    "no status column": "licence_id,holder,material,expires\n" + "".join(
        f"{i},{h},{m},{expiry(d)}\n" for i, h, m, d, _ in REGISTER),
    "no expires column": "licence_id,holder,material,status\n" + "".join(
        f"{i},{h},{m},{s}\n" for i, h, m, _, s in REGISTER),
    "header only": "licence_id,holder,material,expires,status\n",
    "cut mid-row": "licence_id,holder,material,expires,status\n"
                   f"L-1,Ganzhou Example Magnetics,Dy,{expiry(5)},active\nL-2,Baotou Ex",
}


@contextmanager
def register_pipeline(tmp_path: Path, slack_peer: SlackApiPeer) -> Iterator[tuple[Path, Store, Pipeline]]:
    """The ISO register as a configured licence source, and a pipeline posting to the Slack peer."""
    good = iso_csv(tmp_path)
    (tmp_path / "c.yaml").write_text(
        f"database: sqlite:///{tmp_path}/r.db\nrules: {ROOT / 'rules'}\nfeeds: []\n"
        f"licences: {{source: {good.name}}}\nslack: {{default_channel: '#risk'}}\n")
    config = load_config(tmp_path / "c.yaml")
    store = Store(config.database_url)
    secrets = Secrets.model_construct(slack_bot_token=SecretStr("xoxb-t"), slack_api_url=slack_peer.url)
    pipeline = Pipeline(config, store, secrets, worker_id="t")
    try:
        yield good, store, pipeline
    finally:
        pipeline.close()
        store.dispose()


@pytest.mark.parametrize("lie", sorted(LIARS))
def test_a_register_that_would_lie_keeps_the_last_good_one_and_check_says_why(
        tmp_path: Path, lie: str, slack_peer: SlackApiPeer) -> None:
    with register_pipeline(tmp_path, slack_peer) as (good, store, pipeline):
        assert pipeline.cycle(NOW).source_errors == []
        before = read(store, current_licences)
        good.write_text(LIARS[lie])
        assert check_all(tmp_path / "c.yaml"), f"check called a register with {lie} valid"
        report = pipeline.cycle(NOW + timedelta(hours=1))
        assert len(report.source_errors) == 1, report.source_errors
        assert read(store, current_licences) == before
        operator = [c.body["text"] for c in slack_peer.calls_to("chat.postMessage")
                    if "could not be loaded" in c.body["text"]]
        assert len(operator) == 1
        (health,) = [h for h in read(store, source_health) if h.name == "licences"]
        assert health.last_error == report.source_errors[0]


def test_a_removed_licence_is_told_to_operators(tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    with register_pipeline(tmp_path, slack_peer) as (good, _store, pipeline):
        pipeline.cycle(NOW)
        good.write_text("\n".join(good.read_text().splitlines()[:-1]) + "\n")  # L-5 goes
        assert pipeline.cycle(NOW + timedelta(hours=1)).source_errors == []
        told = [c.body for c in slack_peer.calls_to("chat.postMessage")
                if "no longer in the register" in c.body["text"]]
        assert len(told) == 1 and "1 licence no longer in the register" in told[0]["text"]
        assert "L-5" in str(told[0]["blocks"])
        pipeline.cycle(NOW + timedelta(hours=2))
        assert len([c for c in slack_peer.calls_to("chat.postMessage")
                    if "no longer in the register" in c.body["text"]]) == 1  # told once
