"""Backtest speed: a year of the bundled data through `chokepoint backtest`, and the same year
in process with a news desk's worth of feed entries (20 a day) added.

    .venv/bin/python benchmarks/backtest_year.py [--entries-per-day 20]

Target (docs/commands.md): a year of the bundled data in under 30 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py`: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.backtest import replay  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.models import Entry  # noqa: E402
from bot.rules.loader import load_rules  # noqa: E402
from bot.sources.exposure import load_exposure  # noqa: E402
from bot.sources.policies import load_register  # noqa: E402
from bot.sources.trade import load_trade  # noqa: E402

START, END = date(2025, 12, 1), date(2026, 11, 30)
SAMPLE = REPO / "bot" / "sample"
_TITLES = (
    "Copper prices climb on supply worries", "China halts dysprosium oxide exports",
    "Lithium miner reports record quarter", "China approves gallium export licences",
    "Beijing tightens graphite export controls", "Gold steadies as dollar slips",
    "Rare earth magnet exports to US rebound", "MOFCOM Announcement No. 70 of 2025 explained",
    "Antimony prices hit record on export ban", "Nickel output rises in Indonesia",
)


def synthetic_entries(per_day: int) -> list[Entry]:
    out = []
    for n in range((END - START).days + 1):
        day = datetime.combine(START + timedelta(days=n), datetime.min.time(), UTC)
        for i in range(per_day):
            title = f"{_TITLES[(n + i) % len(_TITLES)]} ({n}-{i})"
            out.append(Entry(uid=f"b-{n}-{i}", feed="bench", title=title, summary="",
                             link=f"https://bench.example/{n}/{i}",
                             published=day + timedelta(hours=8, minutes=i)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries-per-day", type=int, default=20)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "chokepoint"
    started = time.perf_counter()
    proc = subprocess.run([str(script), "backtest", "--from", str(START), "--to", str(END)],
                          capture_output=True, text=True, check=True, cwd="/tmp")
    cli = time.perf_counter() - started
    print(f"chokepoint backtest --from {START} --to {END} (bundled data): {cli:.2f} s, "
          f"{len(proc.stdout.splitlines()) - 1} alerts")

    config = load_config(SAMPLE / "chokepoint.yaml")
    rules = load_rules(REPO / "rules")
    entries = synthetic_entries(args.entries_per_day)
    started = time.perf_counter()
    fired = replay(rules, start=START, end=END, tz=config.tz,
                   policies=load_register().records,
                   trade=load_trade(str(SAMPLE / "exports.csv")).records,
                   entries=entries, parts=load_exposure(str(SAMPLE / "exposure.csv")).records)
    inproc = time.perf_counter() - started
    print(f"in process, {len(entries)} feed entries ({args.entries_per_day}/day) over "
          f"{(END - START).days + 1} days: {inproc:.2f} s, {len(fired)} alerts")


if __name__ == "__main__":
    main()
