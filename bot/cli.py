"""The `chokepoint` command line (SPEC §2): parse arguments, call the pipeline, set exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from bot import __version__
from bot.config import Config, ConfigError, find_config, load_config
from bot.logs import scrub

EXIT_OK, EXIT_PENDING, EXIT_CONFIG = 0, 1, 2


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c", "--config", metavar="FILE",
        help="configuration file (default: ./chokepoint.yaml, then $CHOKEPOINT_CONFIG)",
    )


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

    sub.add_parser("demo", help="one full cycle on bundled sample data; no tokens needed")

    p = sub.add_parser("run", help="the service: scheduler plus the Slack app")
    _add_config(p)

    p = sub.add_parser("once", help="one cycle: poll, refresh, evaluate, deliver, exit")
    _add_config(p)
    p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="how long to keep retrying pending deliveries before exit 1 (default 60)")

    p = sub.add_parser("check", help="validate configuration, rule files and data files")
    _add_config(p)

    p = sub.add_parser("digest", help="render the weekly digest now")
    _add_config(p)
    p.add_argument("--out", metavar="FILE", help="write the HTML digest to FILE")
    p.add_argument("--send", action="store_true", help="send it to email.digest.recipients")

    p = sub.add_parser("alerts", help="the alert history, newest first")
    _add_config(p)
    p.add_argument("--since", default="7d", help="how far back, e.g. 24h, 7d, 4w (default 7d)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")

    p = sub.add_parser("test-rules", help="dry run of the news rules on a feed file or URL")
    p.add_argument("source", metavar="SOURCE", help="a feed file path or http(s) URL")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def database_problem(exc: OperationalError) -> str:
    """One sentence on a database that cannot be used, without the password of its URL."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"cannot use the database: {scrub(detail)}; check `database` in the configuration"


def load(args: argparse.Namespace) -> Config:
    return load_config(find_config(getattr(args, "config", None)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    from bot import commands
    from bot.logs import setup_logging

    setup_logging(json_lines=args.log_json, verbose=args.verbose)
    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        code: int = handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG
    except OperationalError as exc:  # the database is down or the URL is wrong: say which
        print(f"chokepoint {args.command}: {database_problem(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chokepoint alerts --json | head`: the reader had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
