"""The records of table reading (docs/formats.md, "Tables"): rows, row problems, whole-file
errors, and the cell readers every table source shares (dates, numbers). bot.sources.tabular
reads files into these; bot.sources.workbook reads workbooks into them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, Literal, TypeVar

__all__ = [
    "HEADER_SCAN", "DateOrder", "LoadResult", "Row", "RowError", "RowProblem", "SourceError",
    "Table", "TableOptions", "cell_text", "parse_date", "parse_number",
]

T = TypeVar("T")
DateOrder = Literal["dmy", "mdy", "ymd"]
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
HEADER_SCAN = 10  # rows of a sheet searched for the header row (title rows may sit above it)


class SourceError(Exception):
    """A whole file that cannot be used; the message names the file and the reason."""


class RowError(ValueError):
    """One bad row: the message is the reason, a sentence without the file or row."""


@dataclass(frozen=True)
class RowProblem:
    """A skipped row: `licences.xlsx: sheet Lizenzen: row 7: expires (2025-01-01) is before ...`."""

    file: str
    row: int
    reason: str
    sheet: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: sheet {self.sheet}" if self.sheet else self.file
        return f"{where}: row {self.row}: {self.reason}"


@dataclass(frozen=True)
class LoadResult(Generic[T]):
    """The valid records of a file and the rows that were skipped, with why."""

    records: tuple[T, ...]
    problems: tuple[RowProblem, ...]
    # Keys of rows that were skipped but named a key: their last good data must stay.
    skipped_keys: frozenset[str] = frozenset()
    # The columns the file has (our names): a later file without one of them is refused.
    columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    """One data row: its number as a user sees it (CSV: the line it starts on; a workbook: the
    sheet's row number) and its cells under our column names."""

    number: int
    cells: dict[str, str]
    file: str = ""
    sheet: str | None = None

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def problem(self, reason: str, column: str | None = None) -> RowProblem:
        return RowProblem(self.file, self.number, reason, self.sheet, column)


@dataclass(frozen=True)
class Table:
    """What read_table found: rows, row problems, and the columns present (our names)."""

    rows: list[Row]
    problems: list[RowProblem]
    columns: frozenset[str]
    sheet: str | None = None


@dataclass(frozen=True)
class TableOptions:
    """How a file's own layout maps onto ours; every field is optional.

    columns: our column name -> the file's heading (case and spacing ignored).
    sheet: the workbook sheet to read (default: the first).
    date_order: how to read 01.12.2026-style dates; without it an ambiguous one is a row error.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None
    date_order: DateOrder | None = None


def cell_text(value: object) -> str:
    """A cell as text: dates as ISO dates (a date cell is never ambiguous), whole floats bare."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+Z-]*)?(?:\s*\(.*\))?$")
_YMD = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$")
_XYZ = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 Feb 1900)


def parse_date(column: str, text: str, order: DateOrder | None = None) -> date | None:
    """A date cell: ISO (2026-12-01, a trailing note in brackets allowed), 2026/12/01,
    an Excel serial (46357), or 01.12.2026 / 12/01/2026 read by `order`.

    Without `order`, a day-month date is read only when it cannot be read two ways
    (13.12.2026); 01.12.2026 is a RowError, never a guess.
    """
    text = text.strip()
    if not text:
        return None
    try:
        if m := _ISO.match(text) or _YMD.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if _SERIAL.match(text):
            return _EXCEL_EPOCH + timedelta(days=int(float(text)))
        if m := _XYZ.match(text):
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if order == "dmy" or (order is None and a > 12 >= b):
                return date(year, b, a)
            if order == "mdy" or (order is None and b > 12 >= a):
                return date(year, a, b)
            if order is None and a == b:
                return date(year, a, b)
            if order is None:
                raise RowError(
                    f"{column} {text!r} is ambiguous: it could be {a} {_month(b)} or "
                    f"{b} {_month(a)}; set `date_order: dmy` or `mdy` for this file, "
                    "or write dates as YYYY-MM-DD")
    except ValueError as exc:
        if isinstance(exc, RowError):
            raise
        raise RowError(f"{column} {text!r} is not a date; write it as YYYY-MM-DD") from None
    raise RowError(f"{column} {text!r} is not a date; write it as YYYY-MM-DD")


def _month(n: int) -> str:
    return date(2000, n, 1).strftime("%B") if 1 <= n <= 12 else f"month {n}"


def parse_number(column: str, text: str, *, required: bool = True) -> float | None:
    """A plain non-negative number; thousands separators are refused rather than guessed."""
    if not text:
        if required:
            raise RowError(f"{column} is empty")
        return None
    if "," in text:
        # Refused rather than guessed: "5,493" is 5493 in one locale and 5.493 in another.
        hint = (f"write {text.replace(',', '')}" if _THOUSANDS.match(text)
                else "use '.' for decimals")
        raise RowError(f"{column} {text!r} contains a comma; write plain numbers without "
                       f"thousands separators ({hint})")
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise RowError(f"{column} {text!r} must be a number of zero or more")
    return value
