"""`chokepoint sources`: the catalogue of real public feeds and notice pages (docs/sources.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("sources", help="list the catalogue of real feeds and notice pages")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="a JSON list, one object per source")
    out.add_argument("--yaml", action="store_true",
                     help="feeds: and pages: sections to paste into chokepoint.yaml")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import yaml

    from bot.sources.catalogue import catalogue, config_sections

    entries = catalogue()
    if args.json:
        json.dump([e.as_dict() for e in entries], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.yaml:
        sys.stdout.write(yaml.safe_dump(config_sections(entries), allow_unicode=True,
                                        sort_keys=False, width=120))
    else:
        for e in entries:
            tags = [e.kind, e.language] + (["official"] if e.official else []) \
                + (["rule-making"] if e.rulemaking else [])
            print(f"{e.name}  ({', '.join(tags)}; {e.changes})\n  {e.url}\n  {e.covers}\n")
        print(f"{len(entries)} sources. `chokepoint sources --yaml` prints them as "
              "configuration.")
    return EXIT_OK
