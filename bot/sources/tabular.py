"""Shared reading of row files (CSV with a header row, or a JSON list of objects) and row problems."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


class SourceError(Exception):
    """A whole file that cannot be used; the message names the file and the reason."""


class RowError(ValueError):
    """One bad row: the message is the reason, a sentence without the file or row."""


@dataclass(frozen=True)
class RowProblem:
    """A skipped row: `licences.csv: row 7: expires (2025-01-01) is before issued (2025-06-01)`."""

    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: {self.reason}"


@dataclass(frozen=True)
class LoadResult(Generic[T]):
    """The valid records of a file and the rows that were skipped, with why."""

    records: tuple[T, ...]
    problems: tuple[RowProblem, ...]
    # Keys of rows that were skipped but named a key: their last good data must stay.
    skipped_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    """One data row: its number as a user sees it (CSV: the line it starts on) and its cells."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def read_rows(data: bytes, name: str, required: Sequence[str]) -> tuple[list[Row], list[RowProblem]]:
    """Rows of a CSV (header row, commas) or a JSON list of objects, column names lower-cased.

    Raises SourceError when the file is not text, not a table, or lacks a required column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{name}: is not UTF-8 text; save it as UTF-8 CSV or JSON") from None
    if not text.strip():
        raise SourceError(f"{name}: is empty; it needs a header row ({', '.join(required)}, ...)")
    is_json = name.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")
    rows, problems, columns = _json_rows(text, name) if is_json else _csv_rows(text, name)
    missing = [c for c in required if c not in columns]
    if missing:
        where = "in the header row" if not is_json else "in any object"
        raise SourceError(
            f"{name}: required column {', '.join(repr(c) for c in missing)} is missing {where} "
            f"(found: {', '.join(sorted(columns)) or 'none'})"
        )
    return rows, problems


def _csv_rows(text: str, name: str) -> tuple[list[Row], list[RowProblem], set[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise SourceError(f"{name}: the header row is not valid CSV ({exc})") from None
    columns = [h.strip().lower() for h in header]
    if len(columns) == 1 and ";" in columns[0]:
        raise SourceError(f"{name}: uses semicolons; save it as comma-separated CSV")
    rows: list[Row] = []
    problems: list[RowProblem] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise SourceError(f"{name}: row {start}: not valid CSV ({exc})") from None
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines are layout, not data
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            problems.append(RowProblem(
                name, start, f"has {len(cells)} cells but the header has {len(columns)}; "
                "quote cells that contain commas"))
            continue
        rows.append(Row(start, dict(zip(columns, cells, strict=False))))
    return rows, problems, set(columns)


def _json_rows(text: str, name: str) -> tuple[list[Row], list[RowProblem], set[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{name}: is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, list):
        raise SourceError(f"{name}: must be a JSON list of objects, one per row")
    rows: list[Row] = []
    problems: list[RowProblem] = []
    columns: set[str] = set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(RowProblem(name, number, "is not an object"))
            continue
        cells = {str(k).strip().lower(): _cell(v) for k, v in item.items()}
        columns.update(cells)
        rows.append(Row(number, cells))
    return rows, problems, columns


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh of a file source did; `error` is set when nothing was applied."""

    source: str  # "licences" or "trade"
    location: str
    loaded: int = 0
    problems: tuple[RowProblem, ...] = ()
    added: int = 0
    updated: int = 0
    removed: int = 0
    changes: tuple[str, ...] = ()  # "L-7: pending -> denied", "rare earths/ALL 2025-11: 5000 -> 5100 t"
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __str__(self) -> str:
        if self.error:
            return f"{self.source}: not refreshed, the last good data stays in use: {self.error}"
        text = (f"{self.source}: {self.loaded} rows loaded ({self.added} new, {self.updated} "
                f"changed, {self.removed} removed)")
        return text + (f", {len(self.problems)} rows skipped" if self.problems else "")
