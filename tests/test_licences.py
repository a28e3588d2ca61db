"""Licence register (SPEC §4): row validation, whole-file failures, atomic refresh, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import LicenceValidity
from bot.models import find_renewals
from bot.sources.licences import SourceError, load_licences, refresh_licences
from bot.store import Store
from bot.store.licences import (
    current_licences,
    source_health,
    status_changes,
)
from bot.store.schema import LicenceRow
from tests.helpers.store import read
from tests.peers.http_feeds import FeedServer

DATA = Path(__file__).parent / "data" / "licences"
NOW = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
VALIDITY = LicenceValidity()
HEADER = "licence_id,holder,end_user,licence_type,material,form,destination,issued,expires,status\n"


def write(tmp_path: Path, rows: str, name: str = "register.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def test_good_rows_load_with_canonical_materials_and_defaults() -> None:
    result = load_licences(str(DATA / "licences.csv"), VALIDITY)
    by_id = {lic.licence_id: lic for lic in result.records}
    assert sorted(by_id) == ["L-001", "L-002", "L-013"]
    assert (by_id["L-001"].material, by_id["L-001"].destination) == ("Dy", "US")
    l002 = by_id["L-002"]  # no type: temporary; no expiry: issued + 6 months
    assert (l002.licence_type, l002.form, l002.expires) == ("temporary", "metal", date(2025, 9, 1))
    l013 = by_id["L-013"]  # general: 12 months; "renewal filed" spelled with a space
    assert (l013.material, l013.expires, l013.status) == ("NdFeB", date(2026, 2, 15),
                                                           "renewal_filed")


def test_every_bad_row_is_skipped_with_its_row_number_and_reason() -> None:
    problems = [str(p) for p in load_licences(str(DATA / "licences.csv"), VALIDITY).problems]
    assert problems == [
        "licences.csv: row 4: licence_id is empty",
        "licences.csv: row 5: issued '2025-13-01' is not a date; write it as YYYY-MM-DD",
        "licences.csv: row 6: status 'granted' is not one of active, pending, renewal_filed, "
        "renewed, expired, denied, revoked; map the file's words with `statuses:`",
        "licences.csv: row 7: material 'unobtainium' is not a known material; use a name or "
        "symbol such as dysprosium or Dy",
        "licences.csv: row 8: expires (2025-02-01) is before issued (2025-08-01)",
        "licences.csv: row 9: licence_id 'L-001' is a duplicate of row 2; this row is skipped",
        "licences.csv: row 10: material 'Dy, Tb' names several materials (Dy, Tb); a licence "
        "covers one material, so write one row per material",
        "licences.csv: row 11: licence_type 'permanent' is not one of temporary, general, "
        "individual",
        "licences.csv: row 12: form 'powder' is not one of oxide, metal, alloy, compound, magnet",
        "licences.csv: row 13: holder is empty",
        "licences.csv: row 15: has 11 cells but the header has 10; quote cells that contain commas",
    ]


def test_json_register_is_a_list_of_objects() -> None:
    result = load_licences(str(DATA / "licences.json"), VALIDITY)
    assert [(lic.licence_id, lic.material, lic.expires) for lic in result.records] == [
        ("J-1", "Dy", date(2025, 12, 2)), ("J-2", "Tb", date(2026, 3, 1))]
    assert [str(p) for p in result.problems] == [
        "licences.json: row 3: is not an object",
        "licences.json: row 4: status 'cancelled' is not one of active, pending, renewal_filed, "
        "renewed, expired, denied, revoked; map the file's words with `statuses:`",
    ]


def test_configured_validity_applies_when_expires_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "L-1,Ganzhou,,temporary,Dy,,,2025-01-31,,active\n")
    (lic,) = load_licences(path, LicenceValidity(temporary="3 months")).records  # type: ignore[arg-type]
    assert lic.expires == date(2025, 4, 30)


def test_utf8_bom_and_header_case_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffLicence_ID,Holder,Material\nL-1,Ganzhou,Tb4O7\n".encode())
    (lic,) = load_licences(str(path), VALIDITY).records
    assert (lic.licence_id, lic.material, lic.status, lic.expires) == ("L-1", "Tb", "active", None)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing_holder.csv", None, "missing_holder.csv: required column 'holder' is missing"),
    ("absent.csv", None, "absent.csv: .*absent.csv does not exist"),
    ("empty.csv", b"", "empty.csv: is empty"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image.csv: is not a table: it holds binary"),
    ("broken.json", b'[{"licence_id": "J-1",', "broken.json: is not valid JSON"),
    ("object.json", b'{"licence_id": "J-1"}', "object.json: must be a JSON list of objects"),
    ("allbad.csv", (HEADER + ",x,,,Dy,,,,,\n").encode(), "allbad.csv: none of its 1 rows"),
])
def test_a_file_that_cannot_be_used_is_a_source_error(tmp_path: Path, name: str,
                                                      content: bytes | None, message: str) -> None:
    path = DATA / name if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        load_licences(str(path), VALIDITY)


def test_refresh_records_status_changes_and_marks_removed_licences(tmp_path: Path,
                                                                   store: Store) -> None:
    path = write(tmp_path, "L-1,Ganzhou,Acme,,Dy,,US,2025-01-02,,active\n"
                           "L-2,Baotou,Acme,,Tb,,US,2025-02-01,,pending\n"
                           "L-3,Jiangxi,Beta,,Dy,,JP,2025-03-01,,active\n")
    first = refresh_licences(store, path, VALIDITY, NOW)
    assert (first.loaded, first.added, first.error) == (3, 3, None)
    later = NOW + timedelta(hours=1)
    write(tmp_path, "L-1,Ganzhou,Acme,,Dy,,US,2025-01-02,,revoked\n"
                    "L-2,Baotou,Acme,,Tb,,US,2025-02-01,,denied\n")
    second = refresh_licences(store, path, VALIDITY, later)
    assert (second.updated, second.removed) == (2, 1)
    assert set(second.changes) == {"L-1: active -> revoked", "L-2: pending -> denied",
                                   "L-3: no longer in the register"}
    changes = [(c.licence_id, c.old_status, c.new_status, c.changed)
               for c in read(store, status_changes) if c.old_status is not None]
    assert changes == [("L-1", "active", "revoked", later), ("L-2", "pending", "denied", later)]
    assert [lic.licence_id for lic in read(store, current_licences)] == ["L-1", "L-2"]
    with store.reader() as s:
        assert s.get(LicenceRow, "L-3").removed == later  # type: ignore[union-attr]
    # An unchanged refresh changes nothing and records no history.
    third = refresh_licences(store, path, VALIDITY, later + timedelta(hours=1))
    assert (third.added, third.updated, third.removed, third.changes) == (0, 0, 0, ())
    assert len(read(store, status_changes)) == 5


def test_a_removed_licence_is_reported_and_unmarked_when_it_returns(tmp_path: Path,
                                                                    store: Store) -> None:
    both = "L-1,Ganzhou,,,Dy,,,2025-01-02,,active\nL-2,Baotou,,,Tb,,,2025-01-02,,active\n"
    path = write(tmp_path, both)
    refresh_licences(store, path, VALIDITY, NOW)
    write(tmp_path, "L-2,Baotou,,,Tb,,,2025-01-02,,active\n")
    report = refresh_licences(store, path, VALIDITY, NOW + timedelta(hours=1))
    assert (report.removed, report.changes) == (1, ("L-1: no longer in the register",))
    assert "1 removed" in str(report)
    write(tmp_path, both)
    report = refresh_licences(store, path, VALIDITY, NOW + timedelta(hours=2))
    assert report.changes == ("L-1: back in the register",)
    assert [lic.licence_id for lic in read(store, current_licences)] == ["L-1", "L-2"]


@pytest.mark.parametrize("breakage", ["missing column", "deleted", "all rows bad"])
def test_an_unusable_file_keeps_the_last_good_register(tmp_path: Path, store: Store,
                                                       breakage: str) -> None:
    path = write(tmp_path, "L-1,Ganzhou,,,Dy,,,2025-01-02,,active\n")
    refresh_licences(store, path, VALIDITY, NOW)
    if breakage == "missing column":
        Path(path).write_text("licence_id,material\nL-9,Dy\n", encoding="utf-8")
    elif breakage == "deleted":
        Path(path).unlink()
    else:
        write(tmp_path, "L-1,Ganzhou,,,Dy,,,2025-01-02,,lapsed\n")
    later = NOW + timedelta(hours=1)
    report = refresh_licences(store, path, VALIDITY, later)
    assert report.error is not None and report.error.startswith("register.csv: ")
    assert "not refreshed, the last good data stays in use" in str(report)
    assert [(lic.licence_id, lic.status) for lic in read(store, current_licences)] == [("L-1", "active")]
    (health,) = read(store, source_health)
    assert (health.name, health.last_success, health.last_error, health.last_error_at) == \
        ("licences", NOW, report.error, later)


def test_register_from_an_http_url(feed_server: FeedServer, store: Store) -> None:
    url = feed_server.add("/registry/licences.csv", HEADER + "L-1,Ganzhou,,,Dy,,,2025-01-02,,active\n",
                          content_type="text/csv")
    assert refresh_licences(store, url, VALIDITY, NOW).loaded == 1
    feed_server.set("/registry/licences.csv", status=503)
    report = refresh_licences(store, url, VALIDITY, NOW + timedelta(hours=1))
    assert report.error == "licences.csv: the server answered HTTP 503 Service Unavailable"
    assert len(read(store, current_licences)) == 1


def test_a_later_granted_licence_for_the_same_parties_renews_the_older(tmp_path: Path,
                                                                        store: Store) -> None:
    path = write(tmp_path,
                 "OLD,Ganzhou Rare Metals,Acme,,Dy,,US,2025-01-02,2025-07-02,active\n"
                 "NEW,ganzhou rare metals,acme,,dysprosium,,US,2025-06-20,2025-12-20,active\n"
                 "OTHER-USER,Ganzhou Rare Metals,Beta,,Dy,,US,2025-01-02,2025-07-02,active\n"
                 "TB,Ganzhou Rare Metals,Acme,,Tb,,US,2025-01-02,2025-07-02,active\n"
                 "TB-ASKED,Ganzhou Rare Metals,Acme,,Tb,,US,2025-06-20,2025-12-20,pending\n")
    refresh_licences(store, path, VALIDITY, NOW)
    # a pending application renews nothing yet
    assert find_renewals(read(store, current_licences)) == {"OLD": "NEW"}
