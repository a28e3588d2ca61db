"""`chokepoint check`: every problem in the configuration, rule files and data files, with where and why."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_CONFIG, EXIT_OK, add_config
from bot.config import Config, ConfigError, find_config, is_url, load_config
from bot.wording import count

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.models import Licence
    from bot.sources.tabular import LoadResult


def register(sub: Subcommands) -> None:
    p = sub.add_parser("check", help="validate configuration, rule files and data files")
    add_config(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Validate the configuration, the rule files and the data files; print every problem."""
    path = find_config(args.config)
    problems = check_all(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{count(len(problems), 'problem')} found.", file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path}: configuration, rules and data files are valid.")
    return EXIT_OK


def check_all(path: Path) -> list[str]:
    """Return one line per problem (file, line or row, reason); empty when all is valid."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return check_rules(config) + check_data(config)


def check_rules(config: Config) -> list[str]:
    rules_dir = config.rules_dir
    if not rules_dir.is_dir():
        return [f"{rules_dir}: rules folder not found (set `rules:` in the configuration)"]
    from bot.rules.loader import check_rules as _check

    return [str(p) for p in _check(rules_dir)]


def check_data(config: Config) -> list[str]:
    """Row problems in the licence register and trade statistics, and feed files that are local."""
    from bot.sources.licences import SourceError, load_licences
    from bot.sources.trade import load_trade

    problems: list[str] = []
    if config.licences is not None:
        try:
            where = config.location(config.licences.source)
            result = load_licences(where, config.licences)
            problems += [str(p) for p in result.problems]
            problems += licence_vetting(config, where, result)
        except SourceError as exc:
            problems.append(str(exc))
    problems += check_reference(config)
    if config.trade is not None:
        try:
            trade = load_trade(config.location(config.trade.source), config.trade)
            problems += [str(p) for p in trade.problems]
        except SourceError as exc:
            problems.append(str(exc))
    for feed in config.polled:
        if not is_url(feed.url):
            local = Path(config.location(feed.url))
            if not local.is_file():
                problems.append(f"feed {feed.name!r}: {local} not found")
    return problems


def check_reference(config: Config) -> list[str]:
    """Row problems in the policy register and the exposure file, or why they are unusable."""
    from bot.sources.exposure import load_exposure
    from bot.sources.policies import load_register
    from bot.sources.tabular import SourceError

    problems: list[str] = []
    try:
        register = load_register(config.location(config.policies) if config.policies else None)
        problems += [str(p) for p in register.problems]
        if config.exposure is not None:
            problems += [str(p) for p in load_exposure(config.location(config.exposure.source)).problems]
    except SourceError as exc:
        problems.append(str(exc))
    return problems


def licence_vetting(config: Config, where: str, result: LoadResult[Licence]) -> list[str]:
    """What a refresh would refuse (a lost column, most licences removed), judged against
    the configured database when it already exists; a register with no licences at all."""
    from bot.sources.fetch import source_name
    from bot.sources.licences import SOURCE, vet_register

    previous, stored = None, set()
    url = config.database_url
    sqlite_file = url.split(":///", 1)[1] if url.startswith("sqlite") and ":///" in url else None
    if sqlite_file is None or Path(sqlite_file).is_file():
        try:
            from bot.store import Store
            from bot.store.licences import current_licences, last_columns

            store = Store(url)
            with store.reader() as s:
                previous = last_columns(s, SOURCE)
                stored = {lic.licence_id for lic in current_licences(s)}
            store.dispose()
        except Exception:  # check is offline: an unreachable database only skips this comparison
            return []
    if not result.records:  # a new register with headings only (what `init` writes) is fine
        return [f"{source_name(where)}: has no licences (only a header row); a refresh would "
                "refuse it while licences are stored"] if stored else []
    refused = vet_register(result, source_name(where), previous, stored,
                           config.licences.max_removed_share if config.licences else 0.5)
    return [refused] if refused else []
