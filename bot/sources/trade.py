"""Monthly export statistics (SPEC §4): read, validate row by row, store with revisions recorded."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from bot.models import TradePoint
from bot.sources.fetch import FetchError, read_source, source_name
from bot.sources.tabular import (
    LoadResult,
    RefreshReport,
    RowError,
    RowProblem,
    SourceError,
    parse_number,
    read_rows,
)
from bot.store import Store
from bot.store.licences import record_source_error, record_source_success
from bot.store.trade import apply_trade

__all__ = ["load_trade", "parse_trade", "refresh_trade"]

log = logging.getLogger(__name__)

REQUIRED = ("period", "product", "destination", "tonnes")
SOURCE = "trade"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _point(cells: dict[str, str]) -> TradePoint:
    def cell(column: str) -> str:
        return cells.get(column, "").strip()

    period = cell("period")
    if not _PERIOD.match(period):
        raise RowError(f"period {period!r} is not a month; write it as YYYY-MM (e.g. 2025-04)"
                       if period else "period is empty")
    # Series names are matched case-insensitively everywhere, so they are stored folded.
    product = re.sub(r"\s+", " ", cell("product")).lower()
    if not product:
        raise RowError("product is empty")
    destination = cell("destination").upper()
    if not re.fullmatch(r"[A-Z]{2,3}", destination):
        raise RowError(f"destination {cell('destination')!r} is not an ISO country code "
                       "(e.g. US, DE) or ALL" if destination else "destination is empty")
    tonnes = parse_number("tonnes", cell("tonnes"))
    assert tonnes is not None  # required=True never returns None
    value = parse_number("value_usd", cell("value_usd"), required=False)
    return TradePoint(period=period, product=product, destination=destination, tonnes=tonnes,
                      value_usd=value, source=cell("source"))


def parse_trade(data: bytes, name: str) -> LoadResult[TradePoint]:
    """Validate statistics bytes; bad rows become problems, a broken file a SourceError."""
    rows, problems = read_rows(data, name, REQUIRED)
    records: list[TradePoint] = []
    first_row: dict[tuple[str, str, str], int] = {}
    for row in rows:
        try:
            point = _point(row.cells)
        except RowError as exc:
            problems.append(RowProblem(name, row.number, str(exc)))
            continue
        key = (point.product, point.destination, point.period)
        if key in first_row:
            problems.append(RowProblem(
                name, row.number, f"{point.series} {point.period} is a duplicate of row "
                f"{first_row[key]}; this row is skipped"))
            continue
        first_row[key] = row.number
        records.append(point)
    if rows and not records:
        raise SourceError(f"{name}: none of its {len(rows)} rows is usable (first problem: "
                          f"{problems[0].reason})")
    problems.sort(key=lambda p: p.row)
    return LoadResult(tuple(records), tuple(problems))


def load_trade(location: str) -> LoadResult[TradePoint]:
    """Read and validate the statistics at a path or URL; SourceError when unusable."""
    name = source_name(location)
    try:
        data = read_source(location)
    except FetchError as exc:
        raise SourceError(f"{name}: {exc}") from None
    return parse_trade(data, name)


def refresh_trade(store: Store, location: str, now: datetime) -> RefreshReport:
    """Store the file's figures in one transaction; a changed figure is a recorded revision.

    Figures missing from a later file are kept: statistics are history, not a register.
    """
    try:
        result = load_trade(location)
    except SourceError as exc:
        log.error("export statistics not refreshed: %s", exc)
        with store.session() as s:
            record_source_error(s, SOURCE, location, str(exc), now)
        return RefreshReport(SOURCE, location, error=str(exc))
    for problem in result.problems:
        log.warning("export statistics: %s", problem)
    with store.session() as s:
        added, updated, changes = apply_trade(s, result.records, now)
        record_source_success(s, SOURCE, location, len(result.records), len(result.problems), now)
    return RefreshReport(SOURCE, location, loaded=len(result.records), problems=result.problems,
                         added=added, updated=updated, changes=tuple(changes))
