"""Growth benchmark: cold-cycle cost at 100/1,000/5,000 feeds, and a year of history against none.

    python benchmarks/growth.py [--sizes 100,1000,5000] [--json]

Cycles run in subprocesses (see poll_cycle.py) so each peak RSS is that cycle's own. The
history store is filled directly through the store's tables, in bulk, as 52 weeks of a busy
deployment would leave it; then a cycle on it is timed against the same cycle on an empty store.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from _feedgen import ENTRIES_PER_FEED, ServedFeed, serve_feeds
from poll_cycle import MEMORY_COLUMNS, feed_spec, machine, memory, run_child, table

WEEKS = 52
ENTRIES_PER_FEED_PER_DAY = 2  # a news site posts a handful a day; aggregators more, blogs less
ALERTS_PER_DAY = 20


def cold_cycle(feeds: Sequence[ServedFeed], now: datetime, db: str) -> dict[str, Any]:
    got = run_child("real", {"feeds": feed_spec(feeds), "now": now.isoformat(), "db": db,
                             "warm": False})
    cold = dict(got["cold"])
    entries = max(cold["evaluated"], 1)
    cold.update(feeds=len(feeds), cpu_ms_per_entry=cold["cpu_s"] / entries * 1000,
                wall_ms_per_feed=cold["wall_s"] / len(feeds) * 1000)
    return cold


def _summaries(rng: random.Random, count: int) -> list[str]:
    words = ("export", "licence", "tonnes", "quarter", "output", "ministry", "prices", "supply",
             "magnet", "smelter", "customs", "rare", "earth", "gallium", "project", "shipments")
    return [" ".join(rng.choice(words) for _ in range(rng.randint(150, 300))) for _ in range(count)]


_ALERT_KINDS = (  # rule id, type, severity, headline, state once settled
    ("restriction-news", "news_restriction", "high", "China restricts exports of", "eased"),
    ("easing-news", "news_easing", "info", "China resumes exports of", "acknowledged"),
    ("licence-expiry", "licence_expiry", "critical", "Licence expiring for", "resolved"),
)
_ALERT_MATERIALS = ("Ga", "Ge", "Sb", "W", "graphite", "Dy", "Tb", "REE")


def _naive(when: datetime) -> str:
    """A datetime as the store keeps it in SQLite: naive UTC text with microseconds."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def build_history(db: str, feeds: Sequence[ServedFeed], now: datetime,
                  entry_days: int) -> dict[str, Any]:
    """The store after 52 weeks: alerts and deliveries of every week, entries of the last
    `entry_days` (what daily pruning leaves: the retention plus the day not pruned yet).

    The rows are generated inside SQLite (a recursive CTE): 700k entries through the ORM's
    bind processing would take minutes of the 5-minute budget. Values have the formats the
    store writes (naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff', 0/1 booleans, JSON text).
    """
    import sqlite3

    from bot.store import Store

    started = time.perf_counter()
    Store(f"sqlite:///{db}").dispose()  # the schema, exactly as the bot creates it
    rng = random.Random(52)
    start = now - timedelta(weeks=WEEKS)
    entries_start = now - timedelta(days=entry_days)
    total = entry_days * len(feeds) * ENTRIES_PER_FEED_PER_DAY
    alerts = WEEKS * 7 * ALERTS_PER_DAY
    stamp = "strftime('%Y-%m-%d %H:%M:%S', :start + {} * :step, 'unixepoch') || '.000000'"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the uid index stays in memory
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE pool (k INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO pool VALUES (?, ?)", enumerate(_summaries(rng, 400)))
    conn.execute("CREATE TEMP TABLE names (k INTEGER PRIMARY KEY, name TEXT, url TEXT)")
    conn.executemany("INSERT INTO names VALUES (?, ?, ?)",
                     [(i, f.name, f.url) for i, f in enumerate(feeds)])
    when = stamp.format("n.i")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :total) "
        "INSERT INTO entries (uid, feed, title, summary, link, published, first_seen, offered, "
        "evaluated) SELECT lower(hex(randomblob(32))), names.name, "
        "'Mining market update no. ' || n.i, pool.text, "
        "'https://history.example.com/' || names.name || '/' || n.i || '/', "
        f"{when}, {when}, 1, 1 FROM n JOIN names ON names.k = n.i % :feeds "
        "JOIN pool ON pool.k = n.i % 400",
        {"total": total, "feeds": len(feeds), "start": entries_start.timestamp(),
         "step": entry_days * 86400 / total})
    first = stamp.format(0)
    conn.execute(
        "INSERT INTO feeds (name, url, first_success, last_success, last_attempt, failures, "
        f"entries_seen, next_attempt) SELECT name, url, {first}, :now, :now, 0, :seen, :now "
        "FROM names", {"start": start.timestamp(), "step": 0, "seen": total // len(feeds),
                       "now": _naive(now)})
    # A year of alerts as the rule pack makes them: restrictions (eased within two weeks, as
    # easing news came in), easing stories, licence expiries; eight materials in turn.
    conn.execute("CREATE TEMP TABLE kinds (k INTEGER PRIMARY KEY, rule_id TEXT, rule_type TEXT, "
                 "severity TEXT, headline TEXT, settled TEXT)")
    conn.executemany("INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?)", [
        (k, *_ALERT_KINDS[0 if k < 12 else 1 if k < 15 else 2]) for k in range(20)])
    conn.execute("CREATE TEMP TABLE mats (k INTEGER PRIMARY KEY, m TEXT)")
    conn.executemany("INSERT INTO mats VALUES (?, ?)", enumerate(_ALERT_MATERIALS))
    created = stamp.format("n.i")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :total) "
        "INSERT INTO alerts (id, key, rule_id, rule_type, severity, title, subject, materials, "
        "facts, sources, reason, state, created, updated) SELECT n.i, "
        "kinds.rule_id || ':' || printf('%012x', n.i), kinds.rule_id, kinds.rule_type, "
        "kinds.severity, kinds.headline || ' ' || mats.m || ' (' || n.i || ')', "
        "printf('%012x', n.i), json_array(mats.m), json_array(json_array('Headline', "
        "kinds.headline)), json_array(json_object('url', 'https://history.example.com/a/' || n.i, "
        "'label', 'wire')), 'benchmark history', "
        f"CASE WHEN {created} < :settled THEN kinds.settled ELSE 'open' END, {created}, {created} "
        "FROM n JOIN kinds ON kinds.k = n.i % 20 JOIN mats ON mats.k = (n.i / 20) % :mats",
        {"total": alerts, "start": start.timestamp(), "step": 86400 / ALERTS_PER_DAY,
         "mats": len(_ALERT_MATERIALS), "settled": _naive(now - timedelta(days=14))})
    conn.execute("INSERT INTO alert_materials (alert_id, material) "
                 "SELECT id, json_extract(materials, '$[0]') FROM alerts")
    conn.execute(
        "INSERT INTO deliveries (alert_id, target, kind, status, attempts, next_attempt, "
        "created, sent_at) SELECT id, t.target, 'post', 'sent', 1, created, created, created "
        "FROM alerts, (SELECT 'slack:#supply-risk' AS target UNION ALL "
        "SELECT 'email:coo@example.com') AS t")
    conn.execute("COMMIT")
    conn.close()
    return {"entries": total, "alerts": alerts, "deliveries": 2 * alerts,
            "build_s": time.perf_counter() - started, **store_size(db)}


def store_size(db: str) -> dict[str, float]:
    """File size, and the bytes in use (free pages are reused, so that is the steady state)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    conn.close()
    return {"file_mb": os.path.getsize(db) / 2**20, "live_mb": (pages - free) * page / 2**20}


def prune_history(db: str, now: datetime, older_than: timedelta) -> dict[str, Any]:
    from bot.store import Store
    from bot.store.retention import prune

    store = Store(f"sqlite:///{db}")
    started = time.perf_counter()
    report = prune(store, older_than, now)
    took = time.perf_counter() - started
    store.dispose()
    return {"retention_days": older_than.days, "deleted": report.deleted, "prune_s": took,
            **store_size(db)}


def growth(sizes: Sequence[int], latency: float, large_latency: float,
           history_feeds: int, retention: bool) -> dict[str, Any]:
    from bot.config import RetentionConfig

    older_than = RetentionConfig().entries
    # With retention, the store holds the retention's days of entries and one more (today's
    # prune not run yet); without, all 52 weeks, and the prune is the first, catching up.
    entry_days = older_than.days + 1 if retention else WEEKS * 7
    now = datetime.now(UTC).replace(microsecond=0)
    load = os.getloadavg()
    series: list[dict[str, Any]] = []
    history: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(sizes) | {history_feeds}):
            lat = latency if n <= 1000 else large_latency
            with serve_feeds(n, latency=lat, now=now) as (_, feeds):
                empty = cold_cycle(feeds, now, f"{tmp}/empty-{n}.db")
                if n in sizes:
                    series.append({**empty, "latency_s": lat})
                if n == history_feeds:
                    built = build_history(f"{tmp}/history.db", feeds, now, entry_days)
                    full = cold_cycle(feeds, now, f"{tmp}/history.db")
                    history = {"feeds": n, "built": built, "empty_cycle": empty,
                               "history_cycle": full,
                               "ratio_wall": full["wall_s"] / empty["wall_s"],
                               "ratio_cpu": full["cpu_s"] / empty["cpu_s"]}
            if n == history_feeds:
                history["after_prune"] = prune_history(f"{tmp}/history.db", now, older_than)
                history["retention"] = retention
    return {"machine": machine(), "load_avg": load, "series": series,
            "history": history,
            "targets": {"history_within_20pct": history.get("ratio_wall", 9) <= 1.2}}


def _print(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(f"Growth: {ENTRIES_PER_FEED} entries per feed; {m['nproc']} CPUs ({m['cpu']}), "
          f"Python {m['python']}")
    rows: list[Sequence[object]] = [("feeds", "latency ms", "wall s", "CPU s", *MEMORY_COLUMNS,
                                     "wall ms/feed", "CPU ms/entry")]
    rows += [(s["feeds"], f"{s['latency_s'] * 1000:.0f}", s["wall_s"], s["cpu_s"], *memory(s),
              s["wall_ms_per_feed"], s["cpu_ms_per_entry"]) for s in r["series"]]
    print(table(rows))
    print(f"load average at start {r['load_avg'][0]:.1f}")
    h = r["history"]
    if not h:
        return
    b, p = h["built"], h["after_prune"]
    kept = "entries of the retention period" if h["retention"] else "every entry"
    print(f"\nHistory after {WEEKS} weeks, {h['feeds']} feeds x {ENTRIES_PER_FEED_PER_DAY} "
          f"entries/day, {kept}: {b['entries']} entries, {b['alerts']} alerts, "
          f"{b['deliveries']} deliveries (built in {b['build_s']:.0f} s): {b['live_mb']:.0f} MB")
    print(f"prune (retention {p['retention_days']} d): {p['deleted']} entries deleted in "
          f"{p['prune_s']:.1f} s; {p['live_mb']:.0f} MB in use, file {p['file_mb']:.0f} MB")
    e, f = h["empty_cycle"], h["history_cycle"]
    print(table([
        ("cold cycle", "wall s", "CPU s", *MEMORY_COLUMNS),
        ("empty store", e["wall_s"], e["cpu_s"], *memory(e)),
        (f"{WEEKS}-week store", f["wall_s"], f["cpu_s"], *memory(f)),
    ]))
    print(f"history / empty: wall {h['ratio_wall']:.2f}x, CPU {h['ratio_cpu']:.2f}x "
          f"(target <= 1.20: {'met' if r['targets']['history_within_20pct'] else 'MISSED'})")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,5000", help="feed counts, comma-separated")
    p.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    p.add_argument("--large-latency", type=float, default=0.1,
                   help="seconds per response above 1,000 feeds")
    p.add_argument("--history-feeds", type=int, default=1000)
    p.add_argument("--no-retention", action="store_true",
                   help="keep all 52 weeks of entries (the worst case; then a first prune)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    report = growth(sizes, args.latency, args.large_latency, args.history_feeds,
                    retention=not args.no_retention)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
