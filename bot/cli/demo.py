"""`chokepoint demo`: one full cycle on the bundled sample data, printed as Slack would show it."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import Config, Secrets, load_config
from bot.templates import default_rules_dir
from bot.wording import count

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.pipeline import CycleReport, Pipeline

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
# The sample week's news runs up to this morning; time is fixed so the demo never goes stale.
DEMO_NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
# The digest's week is [start, end): written a minute after the cycle it counts its alerts.
DIGEST_AT = DEMO_NOW + timedelta(minutes=1)


def register(sub: Subcommands) -> None:
    p = sub.add_parser("demo", help="one full cycle on bundled sample data; no tokens needed")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not args.verbose:  # the demo's output is the alerts; progress logs stamped with today's clock only confuse
        logging.getLogger("bot").setLevel(logging.WARNING)
    return run_demo(out=Path("chokepoint-digest.html"))


def run_demo(out: Path, *, stream: TextIO | None = None) -> int:
    # The pipeline loads only when the command runs, not for `chokepoint --help`.
    from bot.pipeline import Pipeline
    from bot.store import Store

    stream = stream or sys.stdout
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chokepoint-demo-") as tmp:
        config = demo_config(Path(tmp))
        store = Store(config.database_url)
        # No tokens, whatever the environment holds: the demo prints instead of posting.
        pipeline = Pipeline(config, store, Secrets.model_construct(), console=stream,
                            worker_id="demo")
        try:
            stream.write(
                f"Chokepoint demo — {DEMO_NOW.astimezone(config.tz):%A %d %B %Y, %H:%M} "
                f"({config.timezone})\n"
                f"Sample data: {len(config.feeds)} feeds, a licence register, real export figures, "
                "the policy register and an exposure file.\n"
                "Alerts as they would appear in Slack:\n\n"
            )
            report = demo_cycle(pipeline)
            path = _write_digest(pipeline, out, config.tz)
        finally:
            pipeline.close()
            store.dispose()
    ev = report.evaluation
    stream.write(
        f"\n{count(len(ev.new_alerts), 'alert')} from {count(ev.entries, 'new entry')}, "
        f"the licence register and the export statistics; {count(len(ev.joined), 'story update')}, "
        f"{len(ev.changed)} eased or resolved.\n"
        f"Digest written to {path} ({time.monotonic() - started:.1f} s).\n"
    )
    return 0


def demo_config(folder: Path) -> Config:
    """The sample configuration with its database in `folder` and the bundled rule pack."""
    return load_config(SAMPLE / "chokepoint.yaml").model_copy(
        update={"database": f"sqlite:///{folder / 'demo.db'}", "rules": str(default_rules_dir())}
    )


def demo_cycle(pipeline: Pipeline) -> CycleReport:
    """The demo's cycle at DEMO_NOW (also used by scripts/render_pictures.py)."""
    from bot.store.licences import mark_changes_evaluated, status_changes

    # Yesterday's register first, so today's refresh shows status changes.
    yesterday = DEMO_NOW - timedelta(days=1)
    pipeline.refresh_licences(yesterday, location=str(SAMPLE / "licences-previous.csv"))
    with pipeline.store.session() as s:
        changes = status_changes(s, unevaluated=True)
        mark_changes_evaluated(s, [c.id for c in changes])
    return pipeline.cycle(DEMO_NOW)


def _write_digest(pipeline: Pipeline, out: Path, tz: object) -> Path:
    from bot.digest.render import write_digest_html  # matplotlib loads only here

    return write_digest_html(pipeline.store, out, now=DIGEST_AT, tz=tz,  # type: ignore[arg-type]
                             policies=pipeline.policies.records,
                             parts=pipeline.exposure.records)
