"""`chokepoint alerts`: the audit trail — what was alerted, to whom, and what became of it."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.common import EXIT_CONFIG, add_config, load
from bot.config import Config
from bot.durations import parse_duration
from bot.models import Alert

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.store import Store


def register(sub: Subcommands) -> None:
    p = sub.add_parser("alerts", help="the alert history, newest first")
    add_config(p)
    p.add_argument("--since", default="7d", help="how far back, e.g. 24h, 7d, 4w (default 7d)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        return print_history(load(args), since=args.since, as_json=args.json)
    except ValueError as exc:  # a bad --since
        print(f"chokepoint alerts: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def history(
    store: Store, since: timedelta | None, now: datetime
) -> list[tuple[Alert, list[dict[str, str]]]]:
    """Alerts newest first, each with its deliveries (target and status)."""
    from sqlalchemy import select

    from bot.store.alerts import alerts_since
    from bot.store.schema import Delivery

    with store.reader() as s:
        alerts = alerts_since(s, now - since if since else None)
        deliveries: dict[int, list[dict[str, str]]] = defaultdict(list)
        ids = [a.id for a in alerts]
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            rows = s.execute(
                select(Delivery.alert_id, Delivery.target, Delivery.status, Delivery.kind)
                .where(Delivery.alert_id.in_(chunk)).order_by(Delivery.id)
            )
            for alert_id, target, status, kind in rows:
                if kind == "post":
                    deliveries[alert_id].append({"target": target, "status": status})
    return [(a, deliveries[a.id]) for a in alerts]


def alert_json(alert: Alert, deliveries: list[dict[str, str]]) -> dict[str, Any]:
    """The `--json` contract of docs/commands.md (operators script against it: add keys, never rename)."""
    return {
        "id": alert.id,
        "rule": alert.rule_id,
        "type": alert.rule_type,
        "severity": alert.severity,
        "materials": list(alert.materials),
        "title": alert.title,
        "subject": alert.subject,
        "sources": [s.url for s in alert.sources],
        "state": alert.state,
        "created": alert.created.isoformat(),
        "deliveries": deliveries,
    }


def print_history(config: Config, *, since: str, as_json: bool, out: TextIO | None = None,
                  now: datetime | None = None) -> int:
    from bot.store import Store, utcnow

    out = out or sys.stdout
    window = None if since in ("all", "0") else parse_duration(since)
    store = Store(config.database_url)
    try:
        rows = history(store, window, now or utcnow())
    finally:
        store.dispose()
    for alert, deliveries in rows:
        if as_json:
            out.write(json.dumps(alert_json(alert, deliveries), ensure_ascii=False) + "\n")
            continue
        local = alert.created.astimezone(config.tz)
        sent = ", ".join(f"{d['target']} {d['status']}" for d in deliveries) or "no targets"
        out.write(
            f"#{alert.id:<5} {local:%Y-%m-%d %H:%M} {alert.severity:<8} {alert.state:<12} "
            f"{','.join(alert.materials) or '-':<10} {alert.title}\n"
            f"       rule {alert.rule_id} · subject {alert.subject} · {sent}\n"
        )
    if not as_json and not rows:
        out.write(f"No alerts in the last {since}.\n")
    return 0
