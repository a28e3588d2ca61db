"""The licence register (docs/formats.md, "Licence register"): read, validate row by row, vet
the file as a whole against the last good one, and replace the stored register atomically.

A register that would quietly lie is refused as a whole, keeping the last good data with an
operator alert: a column the last good file had is missing (without `status` every licence
would read as active; without `expires`, expiries would be recomputed from `issued`), or the
file would remove more than `max_removed_share` of the licences at once (a header-only file,
a file cut short while being replaced). A licence removed by an accepted file is reported.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache, partial

from bot.config import LicencesConfig, LicenceValidity
from bot.models import FORMS, LICENCE_STATUSES, LICENCE_TYPES, Licence
from bot.sources.fetch import source_name
from bot.sources.tabular import (
    LoadResult,
    RefreshReport,
    Row,
    RowError,
    RowProblem,
    SourceError,
    TableOptions,
    load_table,
    parse_date,
    read_location,
)
from bot.store import Store
from bot.store.licences import (
    apply_register,
    current_licences,
    last_columns,
    record_source_error,
    record_source_success,
)

__all__ = [
    "LoadResult", "RefreshReport", "RowProblem", "SourceError",
    "load_licences", "parse_licences", "refresh_licences", "vet_register",
]

log = logging.getLogger(__name__)

REQUIRED = ("licence_id", "holder", "material")
# Optional columns whose absence changes what the other rows mean.
MEANINGFUL = ("status", "expires", "issued", "licence_type", "form", "destination", "end_user")
SOURCE = "licences"
MIN_FOR_SHARE = 2  # removing a single licence is never "most of the register"


def _word(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _choice(column: str, text: str, allowed: tuple[str, ...], default: str,
            words: Mapping[str, str] | None = None) -> str:
    """The file's word as one of ours: through `words`, or itself, or its leading word
    ("temporary (six-month)" is temporary); anything else is a RowError."""
    if not text:
        return default
    return _chosen(column, text, allowed, tuple(sorted((words or {}).items())))


@lru_cache(maxsize=4096)  # a register repeats a handful of words over thousands of rows
def _chosen(column: str, text: str, allowed: tuple[str, ...],
            words: tuple[tuple[str, str], ...]) -> str:
    folded = {_word(k): v for k, v in words}
    lead = _word(re.split(r"[\s(,;]", text.strip(), maxsplit=1)[0])
    for candidate in (_word(text), lead):
        value = folded.get(candidate, candidate)
        if value in allowed:
            return value
    hint = "; map the file's words with `statuses:`" if column == "status" else ""
    raise RowError(f"{column} {text!r} is not one of {', '.join(allowed)}{hint}")


@lru_cache(maxsize=4096)
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


def _settings(settings: LicencesConfig | LicenceValidity
              ) -> tuple[LicenceValidity, TableOptions, Mapping[str, str]]:
    if isinstance(settings, LicenceValidity):
        return settings, TableOptions(), {}
    options = TableOptions(settings.columns, settings.sheet, settings.date_order)
    return settings.default_validity, options, settings.statuses


def _licence(row: Row, validity: LicenceValidity, options: TableOptions,
             statuses: Mapping[str, str]) -> Licence:
    get = row.get
    licence_id, holder = get("licence_id"), get("holder")
    if not licence_id:
        raise RowError("licence_id is empty")
    if not holder:
        raise RowError("holder is empty")
    material = _material(get("material"))
    licence_type = _choice("licence_type", get("licence_type"), LICENCE_TYPES, "temporary")
    form = _choice("form", get("form"), FORMS, "oxide")
    status = _choice("status", get("status"), LICENCE_STATUSES, "active", statuses)
    issued = parse_date("issued", get("issued"), options.date_order)
    expires = parse_date("expires", get("expires"), options.date_order)
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


def parse_licences(data: bytes, name: str, settings: LicencesConfig | LicenceValidity
                   ) -> LoadResult[Licence]:
    """Validate a register's bytes; bad rows become problems, a broken file a SourceError.

    `settings`: the `licences:` section (mappings, sheet, date order), or only the validity.
    """
    validity, options, statuses = _settings(settings)
    return load_table(
        data, name, REQUIRED, partial(_licence, validity=validity, options=options,
                                      statuses=statuses),
        key=lambda lic: lic.licence_id, options=options, row_key=lambda r: r.get("licence_id"),
        describe=lambda lic: f"licence_id {lic.licence_id!r}")


def load_licences(location: str, settings: LicencesConfig | LicenceValidity
                  ) -> LoadResult[Licence]:
    """Read and validate the register at a path or URL; SourceError when it is unusable."""
    max_size = settings.max_size if isinstance(settings, LicencesConfig) else None
    data, name = read_location(location, max_size)
    return parse_licences(data, name, settings)


def vet_register(result: LoadResult[Licence], name: str, previous: frozenset[str] | None,
                 stored: set[str], max_removed_share: float = 0.5) -> str | None:
    """Why this register must not replace the stored one, or None when it may.

    `previous`: the columns of the last good file; `stored`: the licence ids stored now.
    """
    if previous:
        gone = [c for c in MEANINGFUL if c in previous and c not in result.columns]
        if gone:
            what = ", ".join(repr(c) for c in gone)
            return (f"{name}: column {what} was in the last good file but is missing now "
                    "(without it the other cells would be read differently, e.g. every licence "
                    "as active); put the column back (blank cells take the default)")
    keep = {lic.licence_id for lic in result.records} | set(result.skipped_keys)
    removed = stored - keep
    if stored and len(removed) > max_removed_share * len(stored) and \
            (len(removed) >= MIN_FOR_SHARE or not result.records):
        return (f"{name}: would remove {len(removed)} of the {len(stored)} licences at once "
                f"(more than {max_removed_share:.0%}); if the file is complete, raise "
                "`licences.max_removed_share` for one refresh")
    return None


def refresh_licences(
    store: Store, location: str, settings: LicencesConfig | LicenceValidity, now: datetime
) -> RefreshReport:
    """Replace the stored register with the file's, in one transaction; keep it on a bad file."""
    share = settings.max_removed_share if isinstance(settings, LicencesConfig) else 0.5
    try:
        result = load_licences(location, settings)
        with store.reader() as s:
            previous = last_columns(s, SOURCE)
            stored = {lic.licence_id for lic in current_licences(s)}
        if (refused := vet_register(result, source_name(location), previous, stored,
                                    share)) is not None:
            raise SourceError(refused)
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
        record_source_success(s, SOURCE, location, len(result.records), len(result.problems),
                              now, columns=result.columns)
    for change in changes:
        if change.endswith("no longer in the register"):
            log.warning("licence register: %s", change)
    return RefreshReport(
        SOURCE, location, loaded=len(result.records), problems=result.problems, added=added,
        updated=updated, removed=removed, changes=tuple(changes),
    )
