"""Reading the policy register: a YAML list of measures or a CSV with the same columns.

Both go through one row parser, so a YAML item and a CSV row are judged alike: a bad row is
skipped and reported with its number and reason; a file that cannot be used at all is a
SourceError (the caller keeps its last good register). The format is in docs/formats.md.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from bot.materials import UnknownMaterial, canonical
from bot.policy.measures import DIRECTIONS, Measure
from bot.sources.fetch import FetchError, read_source, source_name
from bot.sources.tabular import LoadResult, RowError, RowProblem, SourceError, read_rows

REQUIRED = ("id", "instrument", "materials", "direction", "source")
BUNDLED = Path(__file__).resolve().parents[1] / "policy" / "register.yaml"
_DATE_FIELDS = ("announced", "effective", "suspended_from", "suspended_until", "expires")


class LineProblem(RowProblem):
    """A skipped YAML item, named by the line it starts on."""

    def __str__(self) -> str:
        return f"{self.file}: line {self.row}: {self.reason}"


def _date(column: str, text: str) -> date | None:
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d\d", text):  # a month is all some announcements give
        text += "-01"
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowError(f"{column} {text!r} is not a date; write it as YYYY-MM-DD") from None


def _materials(text: str) -> tuple[str, ...]:
    names = [n for n in re.split(r"\s*[,;]\s*|\s+", text.strip()) if n]
    if not names:
        raise RowError("materials is empty; name at least one material, e.g. Dy or gallium")
    keys: list[str] = []
    for name in names:
        try:
            keys.append(canonical(name))
        except UnknownMaterial as exc:
            raise RowError(f"materials: {exc}") from None
    return tuple(dict.fromkeys(keys))


def _measure(cells: dict[str, str]) -> Measure:
    def get(column: str) -> str:
        return cells.get(column, "").strip()

    if not get("id"):
        raise RowError("id is empty")
    if not get("instrument"):
        raise RowError("instrument is empty")
    direction = get("direction").lower()
    if direction not in DIRECTIONS:
        raise RowError(f"direction {get('direction')!r} is not one of {', '.join(DIRECTIONS)}")
    if not get("source"):
        raise RowError("source is empty; say where the measure was published or reported")
    dates = {f: _date(f, get(f)) for f in _DATE_FIELDS}
    start, until = dates["suspended_from"], dates["suspended_until"]
    if until is not None and start is None:
        raise RowError("suspended_until is given without suspended_from")
    if start and until and until <= start:
        raise RowError(f"suspended_until ({until}) is not after suspended_from ({start})")
    effective, expires = dates["effective"], dates["expires"]
    if effective and expires and expires <= effective:
        raise RowError(f"expires ({expires}) is not after effective ({effective})")
    return Measure(
        id=get("id"), authority=get("authority"), instrument=get("instrument"),
        materials=_materials(get("materials")),
        direction=direction,
        source=get("source"), suspended_by=get("suspended_by"), action=get("action"),
        items=get("items"), note=get("note"), **dates,
    )


def _text(node: yaml.Node) -> str:
    """A cell as written: scalars verbatim (no YAML date guessing), lists joined by commas."""
    if isinstance(node, yaml.ScalarNode):
        return "" if node.tag.endswith(":null") else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return ", ".join(_text(n) for n in node.value)
    return "(a mapping)"


def _yaml_rows(data: bytes, name: str) -> list[tuple[int, dict[str, str]]]:
    try:
        node = yaml.compose(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SourceError(f"{name}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise SourceError(f"{name}: {where}not valid YAML") from None
    if not isinstance(node, yaml.SequenceNode):
        raise SourceError(f"{name}: must be a YAML list of measures (- id: ..., instrument: ...)")
    rows = []
    for item in node.value:
        cells = ({str(k.value).strip().lower(): _text(v) for k, v in item.value}
                 if isinstance(item, yaml.MappingNode) else {})
        rows.append((item.start_mark.line + 1, cells))
    return rows


def parse_register(data: bytes, name: str) -> LoadResult[Measure]:
    """Validate a register's bytes (YAML unless the name ends in .csv or .json)."""
    if name.lower().endswith((".csv", ".json")):
        read, problems = read_rows(data, name, REQUIRED)
        rows = [(r.number, r.cells) for r in read]
    else:
        rows, problems = _yaml_rows(data, name), []
    problem = RowProblem if name.lower().endswith((".csv", ".json")) else LineProblem
    measures: list[Measure] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        try:
            measure = _measure(cells)
        except RowError as exc:
            problems.append(problem(name, number, str(exc)))
            continue
        if measure.id in seen:
            problems.append(problem(name, number, f"id {measure.id!r} is a duplicate of row "
                                       f"{seen[measure.id]}; this row is skipped"))
            continue
        seen[measure.id] = number
        measures.append(measure)
    if rows and not measures:
        raise SourceError(f"{name}: none of its {len(rows)} measures is usable (first problem: "
                          f"{problems[0].reason})")
    return LoadResult(tuple(measures), tuple(sorted(problems, key=lambda p: p.row)))


def load_register(location: str | None = None) -> LoadResult[Measure]:
    """The register at a path or URL, or the bundled one; SourceError when it is unusable."""
    where = location or str(BUNDLED)
    name = source_name(where)
    try:
        data = read_source(where)
    except FetchError as exc:
        raise SourceError(f"{name}: {exc}") from None
    return parse_register(data, name)
