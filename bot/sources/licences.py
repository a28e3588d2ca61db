"""The licence register (SPEC §4): read, validate row by row, and replace the stored register atomically."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

from bot.config import LicenceValidity
from bot.models import FORMS, LICENCE_STATUSES, LICENCE_TYPES, Licence
from bot.sources.fetch import FetchError, read_source, source_name
from bot.sources.tabular import (
    LoadResult,
    RefreshReport,
    RowError,
    RowProblem,
    SourceError,
    read_rows,
)
from bot.store import Store
from bot.store.licences import apply_register, record_source_error, record_source_success

__all__ = [
    "LoadResult", "RefreshReport", "RowProblem", "SourceError",
    "load_licences", "parse_licences", "refresh_licences",
]

log = logging.getLogger(__name__)

REQUIRED = ("licence_id", "holder", "material")
SOURCE = "licences"


def _choice(column: str, text: str, allowed: tuple[str, ...], default: str) -> str:
    if not text:
        return default
    value = re.sub(r"[\s-]+", "_", text.strip().lower())
    if value not in allowed:
        raise RowError(f"{column} {text!r} is not one of {', '.join(allowed)}")
    return value


def _date(column: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10] if re.match(r"^\d{4}-\d\d-\d\dT", text) else text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not a date; write it as YYYY-MM-DD") from None


def _material(text: str) -> str:
    from bot.materials import resolve

    if not text:
        raise RowError("material is empty")
    keys = resolve(text)
    if not keys:
        raise RowError(f"material {text!r} is not a known material; use a name or symbol "
                       "such as dysprosium or Dy")
    if len(keys) > 1:
        raise RowError(f"material {text!r} names several materials ({', '.join(keys)}); "
                       "a licence covers one material, so write one row per material")
    return keys[0]


def _licence(cells: dict[str, str], validity: LicenceValidity) -> Licence:
    def get(column: str) -> str:
        return cells.get(column, "").strip()

    licence_id, holder = get("licence_id"), get("holder")
    if not licence_id:
        raise RowError("licence_id is empty")
    if not holder:
        raise RowError("holder is empty")
    material = _material(get("material"))
    licence_type = _choice("licence_type", get("licence_type"), LICENCE_TYPES, "temporary")
    form = _choice("form", get("form"), FORMS, "oxide")
    status = _choice("status", get("status"), LICENCE_STATUSES, "active")
    issued, expires = _date("issued", get("issued")), _date("expires", get("expires"))
    if expires is None and issued is not None:
        expires = getattr(validity, licence_type).after(issued)
    if issued and expires and expires < issued:
        raise RowError(f"expires ({expires}) is before issued ({issued})")
    destination = get("destination")
    if re.fullmatch(r"[A-Za-z]{2,3}", destination):
        destination = destination.upper()
    return Licence(
        licence_id=licence_id, holder=re.sub(r"\s+", " ", holder), material=material,
        licence_type=licence_type,  # type: ignore[arg-type]
        form=form,  # type: ignore[arg-type]
        end_user=get("end_user"), destination=destination, issued=issued, expires=expires,
        status=status,  # type: ignore[arg-type]
    )


def parse_licences(data: bytes, name: str, validity: LicenceValidity) -> LoadResult[Licence]:
    """Validate a register's bytes; bad rows become problems, a broken file a SourceError."""
    rows, problems = read_rows(data, name, REQUIRED)
    records: list[Licence] = []
    first_row: dict[str, int] = {}
    skipped: set[str] = set()
    for row in rows:
        try:
            licence = _licence(row.cells, validity)
        except RowError as exc:
            problems.append(RowProblem(name, row.number, str(exc)))
            if (row.cells.get("licence_id") or "").strip():
                skipped.add((row.cells.get("licence_id") or "").strip())
            continue
        if licence.licence_id in first_row:
            problems.append(RowProblem(
                name, row.number, f"licence_id {licence.licence_id!r} is a duplicate of row "
                f"{first_row[licence.licence_id]}; this row is skipped"))
            continue
        first_row[licence.licence_id] = row.number
        records.append(licence)
    if rows and not records:
        raise SourceError(f"{name}: none of its {len(rows)} rows is usable (first problem: "
                          f"{problems[0].reason})")
    problems.sort(key=lambda p: p.row)
    return LoadResult(tuple(records), tuple(problems), frozenset(skipped - set(first_row)))


def load_licences(location: str, validity: LicenceValidity) -> LoadResult[Licence]:
    """Read and validate the register at a path or URL; SourceError when it is unusable."""
    name = source_name(location)
    try:
        data = read_source(location)
    except FetchError as exc:
        raise SourceError(f"{name}: {exc}") from None
    return parse_licences(data, name, validity)


def refresh_licences(
    store: Store, location: str, validity: LicenceValidity, now: datetime
) -> RefreshReport:
    """Replace the stored register with the file's, in one transaction; keep it on a bad file."""
    try:
        result = load_licences(location, validity)
    except SourceError as exc:
        log.error("licence register not refreshed: %s", exc)
        with store.session() as s:
            record_source_error(s, SOURCE, location, str(exc), now)
        return RefreshReport(SOURCE, location, error=str(exc))
    for problem in result.problems:
        log.warning("licence register: %s", problem)
    with store.session() as s:
        added, updated, removed, changes = apply_register(s, result.records, now,
                                                         keep=result.skipped_keys)
        record_source_success(s, SOURCE, location, len(result.records), len(result.problems), now)
    return RefreshReport(
        SOURCE, location, loaded=len(result.records), problems=result.problems, added=added,
        updated=updated, removed=removed, changes=tuple(changes),
    )
