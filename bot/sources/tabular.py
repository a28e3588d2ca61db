"""Shared reading of tables (docs/formats.md, "Tables"): the licence register, the export
statistics and the exposure file all come through here.

A table is a CSV file (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16, or
Windows-1252), an Excel workbook (.xlsx: the first sheet or a named one; date cells, formula
results) or a JSON list of objects. The caller names the columns it needs; a mapping lets a
file keep its own headings. Every row problem names the file, the sheet (workbooks), the row
as the user sees it and, where one is at fault, the column.

For a new kind of file (the exposure file, say), the whole recipe is:

    rows, problems = read_rows(data, name, ("material", "share"), columns={"share": "Anteil"})
    for row in rows:
        try:
            value = parse_number("share", row.get("share"))
        except RowError as exc:
            problems.append(row.problem(str(exc), "share"))

or, with load_table, one call that also reads the file, refuses an unusable one as a whole
(SourceError) and keeps the first of duplicate keys.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.sources.rows import (
    HEADER_SCAN,
    DateOrder,
    LoadResult,
    Row,
    RowError,
    RowProblem,
    SourceError,
    Table,
    TableOptions,
    cell_text,
    parse_date,
    parse_number,
)
from bot.sources.workbook import read_workbook

__all__ = [  # the names the table sources (licences, trade, exposure, policies) import from here
    "HEADER_SCAN", "DateOrder", "LoadResult", "RefreshReport", "Row", "RowError", "RowProblem",
    "SourceError", "Table", "TableOptions", "cell_text", "decode_text", "load_table",
    "parse_date", "parse_number", "read_location", "read_rows", "read_table",
]

T = TypeVar("T")

_XLSX_MAGIC = b"PK\x03\x04"
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # control bytes no text table holds


def _fold(heading: str) -> str:
    return " ".join(heading.replace("\ufeff", "").split()).lower()


def _renamer(columns: Mapping[str, str] | None) -> Callable[[str], str]:
    theirs = {_fold(v): k for k, v in (columns or {}).items()}
    return lambda heading: theirs.get(_fold(heading), _fold(heading))


def read_rows(data: bytes, name: str, required: Sequence[str], *,
              columns: Mapping[str, str] | None = None, sheet: str | None = None,
              ) -> tuple[list[Row], list[RowProblem]]:
    """Rows of a CSV, .xlsx or JSON table, under our (lower-case) column names.

    Raises SourceError when the file is not a table or lacks a required column.
    """
    table = read_table(data, name, required, TableOptions(columns or {}, sheet))
    return table.rows, table.problems


def read_table(data: bytes, name: str, required: Sequence[str],
               options: TableOptions | None = None) -> Table:
    """Like read_rows, and also the columns present and the sheet read."""
    options = options or TableOptions()
    rename = _renamer(options.columns)
    if data.startswith(_XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        table = read_workbook(data, name, required, rename, options.sheet)
    else:
        text = decode_text(data, name)
        if not text.strip():
            raise SourceError(f"{name}: is empty; it needs a header row "
                              f"({', '.join(required)}, ...)")
        is_json = name.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")
        table = _json_rows(text, name, rename) if is_json else _csv_rows(text, name, rename)
        missing = [c for c in required if c not in table.columns]
        if missing:
            raise missing_columns(name, missing, table.columns, options.columns,
                                  "in any object" if is_json else "in the header row")
    return table


def missing_columns(name: str, missing: Sequence[str], found: frozenset[str] | set[str],
                    mapping: Mapping[str, str], where: str) -> SourceError:
    named = [f"{c!r} (mapped to heading {mapping[c]!r})" if c in mapping else repr(c)
             for c in missing]
    return SourceError(
        f"{name}: required column {', '.join(named)} is missing {where} "
        f"(found: {', '.join(sorted(found)) or 'none'}); map your headings with `columns:`")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (BOM or not), UTF-16 (BOM, or the zero bytes of ASCII text), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    head = data[:200]
    if len(head) >= 4 and head.count(0) * 3 > len(head):  # UTF-16 without a BOM
        even_zeros = head[0::2].count(0)
        return data.decode("utf-16-be" if even_zeros > head[1::2].count(0) else "utf-16-le")
    if _BINARY.search(data[:4096]):
        raise SourceError(f"{name}: is not a table: it holds binary data, not text; save it as "
                          "CSV (UTF-8), .xlsx or JSON")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise SourceError(f"{name}: is not UTF-8, UTF-16 or Windows-1252 text; save it as "
                          "UTF-8 CSV, .xlsx or JSON") from None


_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter(header_line: str) -> str:
    """The separator of the header line: the one of , ; tab it has most of outside quotes."""
    bare = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: bare.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, name: str, rename: Callable[[str], str]) -> Table:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                        delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise SourceError(f"{name}: the header row is not valid CSV ({exc})") from None
    columns = [rename(h) for h in header]
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
                "quote cells that contain " + _SEPARATOR_NAMES[str(reader.dialect.delimiter)]))
            continue
        rows.append(Row(start, dict(zip(columns, cells, strict=False)), name))
    if rows and len(cells) < len(columns) and not text.endswith(("\n", "\r")):
        raise SourceError(f"{name}: ends in the middle of row {rows[-1].number} ({len(cells)} of "
                          f"{len(columns)} cells and no line end); was it read while being "
                          "written? The last good data is kept")
    return Table(rows, problems, frozenset(c for c in columns if c))


def _json_rows(text: str, name: str, rename: Callable[[str], str]) -> Table:
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
        cells = {rename(str(k)): cell_text(v) for k, v in item.items()}
        columns.update(cells)
        rows.append(Row(number, cells, name))
    return Table(rows, problems, frozenset(columns))


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


def read_location(location: str, max_size: int | None = None) -> tuple[bytes, str]:
    """A table file's bytes and the name its problems are reported under (URL without
    credentials or query values); SourceError when it cannot be read."""
    from bot.sources.fetch import MAX_BYTES, FetchError, read_source, source_name

    name = source_name(location)
    try:
        return read_source(location, max_bytes=max_size or MAX_BYTES), name
    except FetchError as exc:
        hint = " (the limit is the source's `max_size` setting)" if "limit" in str(exc) else ""
        raise SourceError(f"{name}: {exc}{hint}") from None


def load_table(
    data: bytes, name: str, required: Sequence[str], make: Callable[[Row], T],
    key: Callable[[T], object], *, options: TableOptions | None = None,
    row_key: Callable[[Row], str] | None = None, describe: Callable[[T], str] | None = None,
    table: Table | None = None,
) -> LoadResult[T]:
    """Read a table and turn each row into a record with `make` (RowError: the row is skipped
    and reported); the first of several rows with one `key` wins, the others are reported.

    `row_key` names a skipped row's key, so that its last good record can be kept.
    `table`: rows already read by an adapter (e.g. bot.sources.comtrade) instead of `data`.
    SourceError when the file is unusable as a whole, or when no row at all is usable.
    """
    if table is None:
        table = read_table(data, name, required, options)
    problems = list(table.problems)
    records: list[T] = []
    first_row: dict[object, int] = {}
    skipped: set[str] = set()
    for row in table.rows:
        try:
            record = make(row)
        except RowError as exc:
            problems.append(row.problem(str(exc), getattr(exc, "column", None)))
            if row_key is not None and (named := row_key(row)):
                skipped.add(named)
            continue
        k = key(record)
        if k in first_row:
            what = describe(record) if describe else repr(k)
            problems.append(row.problem(f"{what} is a duplicate of row {first_row[k]}; "
                                        "this row is skipped"))
            continue
        first_row[k] = row.number
        records.append(record)
    if table.rows and not records:
        raise SourceError(f"{name}: none of its {len(table.rows)} rows is usable (first problem: "
                          f"{problems[0]})")
    problems.sort(key=lambda p: p.row)
    kept = {str(k) for k in first_row}
    return LoadResult(tuple(records), tuple(problems), frozenset(skipped - kept), table.columns)
