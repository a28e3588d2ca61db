"""The `chokepoint` command line (docs/commands.md): parse arguments, dispatch, set exit codes.

Each command is one module of this package with a `register(sub)` that adds its parser and
`set_defaults(handler=…)`; the handlers import the heavy parts lazily so that `--help` and a
bad configuration answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from bot import __version__
from bot.cli import alerts, backtest, check, demo, digest, health, init, once, run, sources, test_rules
from bot.cli.common import EXIT_CONFIG, EXIT_DATABASE, EXIT_INTERRUPTED, EXIT_OK
from bot.config import ConfigError
from bot.logs import scrub

# The order of `chokepoint --help`.
COMMANDS = (demo, init, run, once, check, health, digest, alerts, backtest, test_rules, sources)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chokepoint",
        description="Risk alerts for critical-mineral supply chains: export-control news, "
        "licence expiries and export swings, to Slack and e-mail.",
    )
    parser.add_argument("--version", action="version", version=f"chokepoint {__version__}")
    parser.add_argument("--log-json", action="store_true", help="log one JSON object per line")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def database_problem(exc: OperationalError) -> str:
    """One sentence on a database that cannot be used, without the password of its URL."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return (f"could not reach the database ({scrub(detail).rstrip('.')}); check that it is "
            "running and `database` in the configuration")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    from bot.logs import setup_logging

    setup_logging(json_lines=args.log_json, verbose=args.verbose)
    try:
        code: int = args.handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG
    except OperationalError as exc:  # the database is down or the URL is wrong: say which
        print(f"chokepoint {args.command}: {database_problem(exc)}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `chokepoint alerts --json | head`: the reader had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return code
