"""The fixed digest week (tests/data/digest) loaded into a store: alerts, licences, trade, feeds."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.materials import canonical
from bot.store import Store
from bot.store.schema import (
    AlertMaterial,
    AlertRow,
    FeedState,
    LicenceChange,
    LicenceRow,
    SourceState,
    TradeRow,
)

FOLDER = Path(__file__).parents[1] / "data" / "digest"


def _week() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FOLDER / "week.yaml").read_text(encoding="utf-8"))
    return data


NOW: datetime = _week()["now"]
TZ = ZoneInfo(_week()["timezone"])
WEEK = "2026-W03"


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def load_week(store: Store) -> None:
    """Fill `store` with the fixture week; the same data every time (a golden-file input)."""
    week = _week()
    first_seen = week["licence_first_seen"]
    with store.session() as s:
        with (FOLDER / "licences.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                seen = first_seen.get(row["licence_id"], first_seen["default"])
                s.add(LicenceRow(
                    licence_id=row["licence_id"], holder=row["holder"], end_user=row["end_user"],
                    licence_type=row["licence_type"], material=canonical(row["material"]),
                    form=row["form"], destination=row["destination"],
                    issued=_day(row["issued"]), expires=_day(row["expires"]),
                    status=row["status"], first_seen=seen, updated=seen, removed=None,
                ))
        for c in week["licence_changes"]:
            s.add(LicenceChange(licence_id=c["licence_id"], old_status=c["old"],
                                new_status=c["new"], changed=c["at"], evaluated=True))
        with (FOLDER / "exports.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                s.add(TradeRow(period=row["period"], product=row["product"],
                               destination=row["destination"], tonnes=float(row["tonnes"]),
                               value_usd=None, source=row["source"], updated=NOW))
        for n, a in enumerate(week["alerts"]):
            add_alert(s, key=f"fixture:{n}", **a)
        for feed in week["feeds"]:
            s.add(FeedState(name=feed["name"], url=feed["url"],
                            last_success=feed.get("last_success"),
                            failures=feed.get("failures", 0), last_error=feed.get("last_error"),
                            last_error_at=feed.get("last_error_at"), entries_seen=40))
        for source in week["sources"]:
            s.add(SourceState(name=source["name"], last_success=source["last_success"]))


def add_alert(session: Any, *, key: str, created: datetime, materials: list[str] | None = None,
              facts: list[Any] | None = None, sources: list[Any] | None = None,
              updated: datetime | None = None, **fields: Any) -> int:
    """Insert one alert row as the alert pipeline would have left it."""
    row = AlertRow(key=key, materials=materials or [], facts=facts or [], sources=sources or [],
                   reason="", created=created, updated=updated or created, **fields)
    session.add(row)
    session.flush()
    for material in materials or []:
        session.add(AlertMaterial(alert_id=row.id, material=material))
    return int(row.id)
