"""The exposure file: parts, their material, supplier, use and stock (docs/formats.md).

Read through tabular.py like the licence register, so it reads whatever that reads (header
row, rows numbered as a user sees them); a bad row is skipped with its number and reason.
"""

from __future__ import annotations

import re

from bot.exposure import Part
from bot.materials import UnknownMaterial, canonical
from bot.sources.fetch import FetchError, read_source, source_name
from bot.sources.tabular import (
    LoadResult,
    RowError,
    RowProblem,
    SourceError,
    parse_number,
    read_rows,
)

REQUIRED = ("part", "material", "supplier", "monthly_use", "on_hand")
_KG_PER = {"kg": 1.0, "kgs": 1.0, "g": 0.001, "t": 1000.0, "mt": 1000.0, "tonne": 1000.0,
           "tonnes": 1000.0, "ton": 1000.0, "tons": 1000.0}
_QUANTITY = re.compile(r"^\s*(\S*?\d)\s*([A-Za-z]+)?\s*$")


def quantity_kg(column: str, text: str, unit: str) -> float:
    """'150 kg', '0.2 t' or a plain number in `unit` (kg when none is given), in kg."""
    m = _QUANTITY.match(text)
    if not m:
        parse_number(column, text)  # says why when it can: empty, not a number, a comma
        raise RowError(f"{column} {text!r} is not a quantity; write a number and a unit, "
                       "e.g. 150 kg")
    number = parse_number(column, m.group(1))
    assert number is not None
    said = (m.group(2) or unit or "kg").lower()
    if said not in _KG_PER:
        raise RowError(f"{column} {text!r}: unit {said!r} is not one of kg, g, t")
    return number * _KG_PER[said]


def _part(cells: dict[str, str]) -> Part:
    def get(column: str) -> str:
        return cells.get(column, "").strip()

    if not get("part"):
        raise RowError("part is empty")
    try:
        material = canonical(get("material"))
    except UnknownMaterial as exc:
        raise RowError(f"material: {exc}") from None
    lead = parse_number("lead_time_days", get("lead_time_days"), required=False)
    return Part(
        part=get("part"), material=material, supplier=re.sub(r"\s+", " ", get("supplier")),
        licence_id=get("licence_id"),
        monthly_use_kg=quantity_kg("monthly_use", get("monthly_use"), get("unit")),
        on_hand_kg=quantity_kg("on_hand", get("on_hand"), get("unit")),
        lead_time_days=None if lead is None else round(lead),
    )


def parse_exposure(data: bytes, name: str) -> LoadResult[Part]:
    rows, problems = read_rows(data, name, REQUIRED)
    parts: list[Part] = []
    for row in rows:
        try:
            parts.append(_part(row.cells))
        except RowError as exc:
            problems.append(RowProblem(name, row.number, str(exc)))
    if rows and not parts:
        raise SourceError(f"{name}: none of its {len(rows)} rows is usable (first problem: "
                          f"{problems[0].reason})")
    return LoadResult(tuple(parts), tuple(sorted(problems, key=lambda p: p.row)))


def load_exposure(location: str) -> LoadResult[Part]:
    name = source_name(location)
    try:
        data = read_source(location)
    except FetchError as exc:
        raise SourceError(f"{name}: {exc}") from None
    return parse_exposure(data, name)
