"""The CLI commands' bodies (SPEC §2). Each returns the process exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import EXIT_CONFIG, EXIT_OK, load
from bot.config import find_config


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the configuration, the rule files and the data files; print every problem."""
    from bot.checks import check_all

    path = find_config(args.config)
    problems = check_all(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: configuration, rules and data files are valid.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo(out=Path("chokepoint-digest.html"))


def cmd_once(args: argparse.Namespace) -> int:
    config = load(args)  # before the heavy imports: a bad file is reported at once
    from bot.runtime import run_once

    return run_once(config, deadline=args.wait)


def cmd_run(args: argparse.Namespace) -> int:
    config = load(args)
    from bot.scheduler import run_service

    return run_service(config)


def cmd_digest(args: argparse.Namespace) -> int:
    config = load(args)
    from bot.runtime import digest_now

    return digest_now(config, out=args.out, send=args.send)


def cmd_alerts(args: argparse.Namespace) -> int:
    from bot.history import print_history

    try:
        return print_history(load(args), since=args.since, as_json=args.json)
    except ValueError as exc:  # a bad --since
        print(f"chokepoint alerts: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def cmd_test_rules(args: argparse.Namespace) -> int:
    from bot.runtime import test_rules
    from bot.templates import default_rules_dir

    path = find_config(args.config)
    if args.config is None and not path.exists():
        # No configuration at all: judge with the default rule pack, as a newcomer expects.
        return test_rules(None, args.source, as_json=args.json, rules_dir=default_rules_dir())
    return test_rules(load(args), args.source, as_json=args.json)
