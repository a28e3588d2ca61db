"""Excel workbooks (.xlsx) as tables, read with openpyxl (docs/formats.md, "Tables").

Cells are read as saved: a date cell is a date, a formula cell its last computed result (a
formula never calculated, as some tools write them, is a row problem naming the cell). The
header row is the first of the sheet's first rows that holds every required column, so a
title row above it is fine; a heading split over merged cells is reported, not guessed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from bot.sources.rows import (
    HEADER_SCAN,
    Row,
    RowProblem,
    SourceError,
    Table,
    cell_text,
)

__all__ = ["read_workbook"]


def _open(data: bytes, name: str, formulas: bool) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"{name}: is not an Excel workbook that can be opened ({exc}); "
                          "save it again as .xlsx, or export it as CSV") from None


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def read_workbook(data: bytes, name: str, required: Sequence[str],
                  rename: Callable[[str], str], sheet: str | None) -> Table:
    book = _open(data, name, formulas=False)
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise SourceError(f"{name}: has no sheet {sheet!r} (sheets: "
                              f"{', '.join(book.sheetnames)})")
        title = str(ws.title)
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    header_at, columns = _header(values, name, title, required, rename)
    rows: list[Row] = []
    problems: list[RowProblem] = []
    formula_rows: dict[int, list[int]] = {}
    for offset, raw in enumerate(values[header_at + 1:], start=header_at + 2):
        if not any(v is not None and str(v).strip() for v in raw):
            continue
        cells: dict[str, str] = {}
        for i, value in enumerate(raw):
            if i < len(columns) and columns[i]:
                cells[columns[i]] = cell_text(value)
            elif value is not None and str(value).strip():
                problems.append(RowProblem(
                    name, offset, f"cell {_column_letter(i)}{offset} has a value but its column "
                    "has no heading (is the heading in a merged cell?)", title))
        if any(v is None for v in raw[:len(columns)]):
            formula_rows[offset] = [i for i, v in enumerate(raw[:len(columns)]) if v is None]
        rows.append(Row(offset, cells, name, title))
    if formula_rows:
        rows, problems = _uncalculated(data, name, title, rows, problems, formula_rows, columns)
    return Table(rows, problems, frozenset(c for c in columns if c), title)


def _header(values: list[list[Any]], name: str, title: str, required: Sequence[str],
            rename: Callable[[str], str]) -> tuple[int, list[str]]:
    for at, raw in enumerate(values[:HEADER_SCAN]):
        columns = [rename(str(v)) if v is not None and str(v).strip() else "" for v in raw]
        if all(c in columns for c in required):
            return at, columns
    first = next((r for r in values if any(v is not None for v in r)), [])
    seen = ", ".join(str(v) for v in first if v is not None) or "nothing"
    raise SourceError(
        f"{name}: sheet {title}: no row among the first {HEADER_SCAN} holds the headings "
        f"{', '.join(required)} (its first row reads: {seen}); if a heading spans merged "
        "cells over two rows, put each column's heading in one cell of one row, or map your "
        "headings with `columns:`")


def _uncalculated(data: bytes, name: str, title: str, rows: list[Row],
                  problems: list[RowProblem], empty: dict[int, list[int]], columns: list[str]
                  ) -> tuple[list[Row], list[RowProblem]]:
    """Rows whose empty cells are formulas without a saved result: reported, not read as blank."""
    book = _open(data, name, formulas=True)
    try:
        formulas = {n: list(r) for n, r in enumerate(book[title].iter_rows(values_only=True),
                                                       start=1) if n in empty}
    finally:
        book.close()
    kept: list[Row] = []
    for row in rows:
        bad = [i for i in empty.get(row.number, [])
               if isinstance(v := formulas.get(row.number, [None] * (i + 1))[i], str)
               and v.startswith("=")]
        if bad:
            cells = ", ".join(f"{_column_letter(i)}{row.number} ({columns[i]})" for i in bad)
            problems.append(RowProblem(
                name, row.number, f"formula cell {cells} has no saved result; open the file in "
                "Excel (or LibreOffice) and save it, so the results are stored", title,
                columns[bad[0]]))
            continue
        kept.append(row)
    return kept, problems
