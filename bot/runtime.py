"""The commands that run the pipeline: `once`, `digest`, `test-rules`."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.config import Config, Secrets
from bot.delivery import DeliveryReport
from bot.pipeline import Pipeline
from bot.rules.base import RuleBase
from bot.rules.loader import RulesError, load_rules
from bot.store import Store, utcnow

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PENDING, EXIT_CONFIG = 0, 1, 2


def _rules_or_exit(rules_dir: Path) -> list[RuleBase] | None:
    try:
        return load_rules(rules_dir)
    except RulesError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def drain(pipeline: Pipeline, first: DeliveryReport, *, deadline: float,
          clock: Callable[[], datetime] = utcnow) -> tuple[DeliveryReport, bool]:
    """Retry due deliveries until none is pending or the deadline (seconds) would pass.

    Returns the last report and whether any delivery failed for good along the way.
    """
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


def run_once(config: Config, *, deadline: float = 60.0, out: TextIO | None = None) -> int:
    """One full cycle; 0 when everything was delivered, 1 when something is still pending."""
    out = out or sys.stdout
    rules = _rules_or_exit(config.rules_dir)
    if rules is None:
        return EXIT_CONFIG
    store = Store(config.database_url)
    pipeline = Pipeline(config, store, Secrets(), rules=rules)
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
        f"polled {polled} feed(s) ({errors} failed), evaluated {ev.entries} new entries: "
        f"{len(ev.new_alerts)} new alert(s), {len(ev.joined)} story update(s), "
        f"{len(ev.changed)} state change(s); delivery: {report.pending} pending"
        + (", some failed for good (see the log)" if failed else ""),
        file=out,
    )
    return EXIT_PENDING if report.pending or failed else EXIT_OK


def digest_now(config: Config, *, out: str | None, send: bool, now: datetime | None = None) -> int:
    """`chokepoint digest`: write the HTML to a file and/or send it now."""
    from bot.channels.base import DeliveryError
    from bot.channels.email import EmailSender
    from bot.digest import build_digest, digest_message, render_digest, write_digest_html

    now = now or utcnow()
    store = Store(config.database_url)
    try:
        if out or not send:
            path = write_digest_html(store, out or "chokepoint-digest.html", now=now, tz=config.tz)
            print(f"digest written to {path}")
        if send:
            if config.email is None or config.email.digest is None:
                print("chokepoint digest --send: configure email and email.digest first",
                      file=sys.stderr)
                return EXIT_CONFIG
            recipients = list(config.email.digest.recipients)
            if not recipients:
                print("chokepoint digest --send: email.digest.recipients is empty", file=sys.stderr)
                return EXIT_CONFIG
            # On demand means now, every time: the scheduled weekly send (sent once per ISO
            # week) is not used up by a manual one.
            sender = EmailSender(config.email, Secrets().smtp_password)
            rendered = render_digest(build_digest(store, now=now, tz=config.tz))
            try:
                sender.send(digest_message(rendered, sender=config.email.sender,
                                           recipients=recipients, now=now))
            except DeliveryError as exc:
                print(f"chokepoint digest --send: not sent: {exc}", file=sys.stderr)
                return EXIT_PENDING
            print(f"digest {rendered.week} sent to {', '.join(recipients)}")
    finally:
        store.dispose()
    return EXIT_OK


def test_rules(config: Config | None, source: str, *, as_json: bool, out: TextIO | None = None,
               rules_dir: Path | None = None) -> int:
    """`chokepoint test-rules`: a dry run of the news rules; stores and sends nothing."""
    from bot.rules import dry_run
    from bot.sources.feeds import FeedError
    from bot.sources.fetch import FetchError

    out = out or sys.stdout
    folder = rules_dir or (config.rules_dir if config else None)
    assert folder is not None, "test_rules needs a configuration or a rules folder"
    rules = _rules_or_exit(folder)
    if rules is None:
        return EXIT_CONFIG
    location = source if source.startswith(("http://", "https://")) else str(Path(source))
    try:
        results = dry_run.test_rules(location, rules, utcnow())
    except (FetchError, FeedError) as exc:
        print(f"chokepoint test-rules: {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    out.write(dry_run.format_json(results) if as_json else dry_run.format_text(results))
    return EXIT_OK
