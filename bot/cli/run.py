"""`chokepoint run`: the service — the scheduler plus the Slack app."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import add_config, load

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("run", help="the service: scheduler plus the Slack app")
    add_config(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config = load(args)
    from bot.scheduler import run_service

    return run_service(config)
