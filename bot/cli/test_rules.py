"""`chokepoint test-rules`: a dry run of the news rules on a feed file or URL; stores and sends nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_CONFIG, EXIT_OK, add_config, load, rules_or_exit
from bot.config import Config, find_config, is_url

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("test-rules", help="dry run of the news rules on a feed file or URL")
    p.add_argument("source", metavar="SOURCE",
                   help="a feed file path or http(s) URL, or the name of a configured feed or "
                   "page (a page is read with its selectors)")
    p.add_argument("--page", metavar="NAME",
                   help="read SOURCE (e.g. a saved copy) with the selectors of this page")
    add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.templates import default_rules_dir

    path = find_config(args.config)
    if args.config is None and not path.exists():
        # No configuration at all: judge with the default rule pack, as a newcomer expects.
        return test_rules(None, args.source, as_json=args.json, rules_dir=default_rules_dir())
    return test_rules(load(args), args.source, as_json=args.json, page=args.page)


def test_rules(config: Config | None, source: str, *, as_json: bool, out: TextIO | None = None,
               rules_dir: Path | None = None, page: str | None = None) -> int:
    """Judge every entry of `source` with the news rules and print the verdicts."""
    from bot.cli.dry_run import format_json, format_text
    from bot.cli.dry_run import test_rules as judge_feed
    from bot.sources.feeds import FeedError
    from bot.sources.fetch import FetchError
    from bot.store import utcnow

    out = out or sys.stdout
    folder = rules_dir or (config.rules_dir if config else None)
    assert folder is not None, "test_rules needs a configuration or a rules folder"
    rules = rules_or_exit(folder)
    if rules is None:
        return EXIT_CONFIG
    named = {f.name: f for f in config.polled} if config else {}
    if page is not None and page not in named:
        print(f"chokepoint test-rules: no feed or page named {page!r} in the configuration",
              file=sys.stderr)
        return EXIT_CONFIG
    chosen = named.get(page or source)
    if chosen is not None and page is None:  # SOURCE named a configured feed or page
        source = chosen.url if is_url(chosen.url) \
            else config.location(chosen.url) if config else chosen.url
    location = source if is_url(source) else str(Path(source))
    try:
        results = judge_feed(location, rules, utcnow(), page=chosen)
    except (FetchError, FeedError) as exc:
        print(f"chokepoint test-rules: {source}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    out.write(format_json(results) if as_json else format_text(results))
    return EXIT_OK
