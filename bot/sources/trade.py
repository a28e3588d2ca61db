"""Monthly export statistics (docs/formats.md, "Export statistics"): read, validate row by
row, store with revisions recorded. A table file, or a UN Comtrade response (format: comtrade).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from bot.config import TradeConfig
from bot.models import TradePoint
from bot.sources.comtrade import comtrade_table
from bot.sources.tabular import (
    LoadResult,
    RefreshReport,
    Row,
    RowError,
    SourceError,
    TableOptions,
    load_table,
    parse_number,
    read_location,
)
from bot.store import Store
from bot.store.licences import record_source_error, record_source_success
from bot.store.trade import apply_trade

__all__ = ["load_trade", "parse_trade", "refresh_trade"]

log = logging.getLogger(__name__)

REQUIRED = ("period", "product", "destination", "tonnes")
SOURCE = "trade"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _point(row: Row) -> TradePoint:
    cell = row.get
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


def parse_trade(data: bytes, name: str, settings: TradeConfig | None = None
                ) -> LoadResult[TradePoint]:
    """Validate statistics bytes; bad rows become problems, a broken file a SourceError."""
    options = TableOptions(settings.columns, settings.sheet) if settings else TableOptions()
    table = comtrade_table(data, name) if settings and settings.format == "comtrade" else None
    return load_table(
        data, name, REQUIRED, _point, key=lambda p: (p.product, p.destination, p.period),
        options=options, table=table, describe=lambda p: f"{p.series} {p.period}")


def load_trade(location: str, settings: TradeConfig | None = None) -> LoadResult[TradePoint]:
    """Read and validate the statistics at a path or URL; SourceError when unusable."""
    data, name = read_location(location, settings.max_size if settings else None)
    return parse_trade(data, name, settings)


def refresh_trade(store: Store, location: str, now: datetime,
                  settings: TradeConfig | None = None) -> RefreshReport:
    """Store the file's figures in one transaction; a changed figure is a recorded revision.

    Figures missing from a later file are kept: statistics are history, not a register.
    """
    try:
        result = load_trade(location, settings)
    except SourceError as exc:
        log.error("export statistics not refreshed: %s", exc)
        with store.session() as s:
            record_source_error(s, SOURCE, location, str(exc), now)
        return RefreshReport(SOURCE, location, error=str(exc))
    for problem in result.problems:
        log.warning("export statistics: %s", problem)
    with store.session() as s:
        added, updated, changes = apply_trade(s, result.records, now)
        record_source_success(s, SOURCE, location, len(result.records), len(result.problems),
                              now, columns=result.columns)
    return RefreshReport(SOURCE, location, loaded=len(result.records), problems=result.problems,
                         added=added, updated=updated, changes=tuple(changes))
