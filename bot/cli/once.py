"""`chokepoint once`: one full cycle — poll, refresh, evaluate, deliver — then exit."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_CONFIG, EXIT_OK, EXIT_PENDING, add_config, load, rules_or_exit
from bot.config import Config, Secrets
from bot.wording import count

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.delivery import DeliveryReport
    from bot.pipeline import Pipeline


def register(sub: Subcommands) -> None:
    p = sub.add_parser("once", help="one cycle: poll, refresh, evaluate, deliver, exit")
    add_config(p)
    p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="how long to keep retrying pending deliveries before exit 1 (default 60)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config = load(args)  # before the heavy imports: a bad file is reported at once
    return run_once(config, deadline=args.wait)


def drain(pipeline: Pipeline, first: DeliveryReport, *, deadline: float,
          clock: Callable[[], datetime] | None = None) -> tuple[DeliveryReport, bool]:
    """Retry due deliveries until none is pending or the deadline (seconds) would pass.

    Returns the last report and whether any delivery failed for good along the way.
    """
    from bot.store import utcnow

    clock = clock or utcnow
    report, failed = first, bool(first.failed)
    end = time.monotonic() + deadline
    while report.pending:
        wait = 1.0
        if report.next_due is not None:
            wait = max(0.05, (report.next_due - clock()).total_seconds())
        if time.monotonic() + wait > end:
            break
        time.sleep(wait)
        report = pipeline.deliver(clock())
        failed = failed or bool(report.failed)
    return report, failed


PROGRESS_FROM_FEEDS = 20  # fewer feeds poll in a moment: no progress line


def progress_line(stream: TextIO, what: str) -> Callable[[int, int], None]:
    """A line on a terminal that counts `done/total` in place, then clears itself."""

    def show(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            stream.write(f"\r{what}: {done:,}/{total:,}")
            if done == total:
                stream.write("\r" + " " * (len(what) + 24) + "\r")
            stream.flush()

    return show


def run_once(config: Config, *, deadline: float = 60.0, out: TextIO | None = None) -> int:
    """One full cycle; 0 when everything was delivered, 1 when something is still pending."""
    from bot.pipeline import Pipeline
    from bot.store import Store, utcnow

    out = out or sys.stdout
    rules = rules_or_exit(config.rules_dir)
    if rules is None:
        return EXIT_CONFIG
    store = Store(config.database_url)
    pipeline = Pipeline(config, store, Secrets(), rules=rules)
    if sys.stderr.isatty() and len(config.polled) >= PROGRESS_FROM_FEEDS:
        pipeline.poller.progress = progress_line(sys.stderr, "polling feeds")
    try:
        cycle = pipeline.cycle(utcnow())
        assert cycle.delivery is not None
        report, failed = drain(pipeline, cycle.delivery, deadline=deadline)
    finally:
        pipeline.close()
        store.dispose()
    polled = sum(p.status != "skipped" for p in cycle.polls)
    errors = sum(p.status == "error" for p in cycle.polls)
    ev = cycle.evaluation
    print(
        f"polled {count(polled, 'feed')} ({errors} failed), evaluated {count(ev.entries, 'new entry')}: "
        f"{count(len(ev.new_alerts), 'new alert')}, {count(len(ev.joined), 'story update')}, "
        f"{count(len(ev.changed), 'state change')}; delivery: {report.pending} pending"
        + (", some failed for good (see the log)" if failed else "")
        + "".join(f"; paused, {why}" for why in report.paused),
        file=out,
    )
    return EXIT_PENDING if report.pending or failed else EXIT_OK
