"""`chokepoint backtest --from DATE --to DATE`: the alerts the rules would have raised on past
days; stores and sends nothing (the configured database is only ever read)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_CONFIG, EXIT_OK, add_config, load, rules_or_exit
from bot.config import Config, find_config, load_config

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.models import Entry

SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "chokepoint.yaml"
PROGRESS_FROM_DAYS = 31  # shorter spans finish before progress would be worth showing


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def register(sub: Subcommands) -> None:
    p = sub.add_parser("backtest", help="replay the rules over past days; stores and sends nothing")
    add_config(p)
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="DATE",
                   help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="DATE",
                   help="last day (YYYY-MM-DD), inclusive")
    p.add_argument("--feed", action="append", default=[], metavar="FILE",
                   help="a feed file whose entries to replay too (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.end < args.start:
        print("chokepoint backtest: --to is before --from", file=sys.stderr)
        return EXIT_CONFIG
    path = find_config(args.config)
    # No configuration at all: the bundled sample data, as `demo` uses.
    config = load_config(SAMPLE) if args.config is None and not path.exists() else load(args)
    return backtest(config, args.start, args.end, feeds=args.feed, as_json=args.json)


def _file_entries(config: Config, extra: list[str], err: TextIO) -> list[Entry] | None:
    """Entries of the configured feeds that are files, and of the --feed files."""
    from bot.config import is_url
    from bot.sources.entries import FeedError, parse_feed
    from bot.sources.fetch import FetchError, read_source
    from bot.store import utcnow

    found: list[Entry] = []
    named = [(f.name, config.location(f.url)) for f in config.feeds if not is_url(f.url)]
    named += [(Path(x).stem, x) for x in extra]
    for name, where in named:
        try:
            found += parse_feed(read_source(where), feed=name, now=utcnow())
        except (FetchError, FeedError) as exc:
            print(f"chokepoint backtest: {where}: {exc}", file=err)
            if where in extra:
                return None  # asked for by name: a typo must not pass for "no alerts"
    return found


def _stored_entries(config: Config, start: date, end: date, err: TextIO) -> list[Entry]:
    """Entries already in the configured database, read only; none if there is no database."""
    from datetime import UTC, datetime, time, timedelta

    from sqlalchemy import select

    from bot.logs import scrub
    from bot.models import Entry
    from bot.store import Store
    from bot.store.schema import EntryRow

    url = config.database_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return []  # never create the configured database just to read it
    store = Store(url, create=False)
    try:
        since = datetime.combine(start, time(), UTC) - timedelta(days=1)
        until = datetime.combine(end, time(), UTC) + timedelta(days=2)
        with store.reader() as s:
            rows = s.execute(select(EntryRow.uid, EntryRow.feed, EntryRow.title, EntryRow.summary,
                                    EntryRow.link, EntryRow.published)
                             .where(EntryRow.published >= since, EntryRow.published < until))
            return [Entry(uid=uid, feed=feed, title=title, summary=summary or "",
                          link=link or "", published=published)
                    for uid, feed, title, summary, link, published in rows]
    except Exception as exc:  # an unreachable or foreign database: replay without it
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"chokepoint backtest: stored entries not read: {scrub(detail)}", file=err)
        return []
    finally:
        store.dispose()


def backtest(config: Config, start: date, end: date, *, feeds: list[str] | None = None,
             as_json: bool = False, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from bot.backtest import replay
    from bot.sources.reference import from_config
    from bot.sources.trade import load_trade
    from bot.store import utcnow

    out, err = out or sys.stdout, err or sys.stderr
    started = time.monotonic()
    rules = rules_or_exit(config.rules_dir)
    if rules is None:
        return EXIT_CONFIG
    policies, exposure = from_config(config)
    for held in (policies, exposure):
        if (error := held.refresh(utcnow(), force=True)) is not None:
            print(f"chokepoint backtest: {error}", file=err)
            return EXIT_CONFIG
    trade = load_trade(config.location(config.trade.source)).records if config.trade else ()
    entries = _file_entries(config, feeds or [], err)
    if entries is None:
        return EXIT_CONFIG
    uids = {e.uid for e in entries}
    entries += [e for e in _stored_entries(config, start, end, err) if e.uid not in uids]
    show = err.isatty() and (end - start).days >= PROGRESS_FROM_DAYS

    def progress(day: date, n: int, total: int) -> None:
        if show and (n % 7 == 0 or n == total):
            err.write(f"\rbacktest: {day:%Y-%m-%d} ({n}/{total} days)")
            err.flush()

    fired = replay(rules, start=start, end=end, tz=config.tz, policies=policies.records,
                   trade=trade, entries=entries, parts=exposure.records, progress=progress)
    if show:
        err.write("\r" + " " * 48 + "\r")
    for f in fired:
        out.write((f.as_json() if as_json else f.as_text()) + "\n")
    summary = (f"{len(fired)} alert(s) would have fired from {start} to {end} "
               f"({(end - start).days + 1} days, {len(entries)} feed entries, "
               f"{time.monotonic() - started:.1f} s); nothing was stored or sent.")
    print(summary, file=err if as_json else out)
    return EXIT_OK
