"""What every CLI command shares: the exit codes (docs/commands.md) and the `--config` option."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, find_config, load_config

if TYPE_CHECKING:
    from bot.rules.base import RuleBase

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK, EXIT_PENDING, EXIT_CONFIG = 0, 1, 2
EXIT_DATABASE = 3  # the database could not be reached or used
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells count it (128 + SIGINT)


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c", "--config", metavar="FILE",
        help="configuration file (default: ./chokepoint.yaml, then $CHOKEPOINT_CONFIG)",
    )


def load(args: argparse.Namespace) -> Config:
    return load_config(find_config(getattr(args, "config", None)))


def rules_or_exit(rules_dir: Path) -> list[RuleBase] | None:
    """The rules of a folder, or None after printing every problem in them."""
    from bot.rules.loader import RulesError, load_rules

    try:
        return load_rules(rules_dir)
    except RulesError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None
