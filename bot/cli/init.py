"""`chokepoint init [DIR]`: a starter set-up to edit instead of a blank page; never overwrites.

It writes a `chokepoint.yaml` whose feeds and pages are the real public sources of the
bundled catalogue, a copy of the rule pack, empty licence and exposure templates (CSV and
XLSX, headings only: docs/formats.md shows filled examples) and the Slack app manifest.
Everything it writes ships inside the wheel, so it works from `pip install` alone, offline.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_CONFIG, EXIT_OK
from bot.templates import bundled_dir, bundled_file

if TYPE_CHECKING:
    from bot.cli.common import Subcommands

# The headings of the two files a buyer keeps (docs/formats.md describes each column).
LICENCE_COLUMNS = (
    "licence_id", "holder", "end_user", "licence_type", "material", "form",
    "destination", "issued", "expires", "status",
)
EXPOSURE_COLUMNS = (
    "part", "material", "supplier", "licence_id", "monthly_use", "unit", "on_hand", "lead_time_days",
)


@dataclass(frozen=True)
class Written:
    path: Path
    kept: bool  # True when the file was already there and left alone


def register(sub: Subcommands) -> None:
    p = sub.add_parser("init", help="write a starter set-up (configuration, rules, templates, Slack manifest)")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="folder to write into (default: here)")
    p.add_argument("--timezone", default="Europe/Berlin", help="time zone for the starter file (default Europe/Berlin)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        print(f"chokepoint init: {target} exists and is not a folder", file=sys.stderr)
        return EXIT_CONFIG
    results = write_starter(target, timezone=args.timezone)
    for item in results:
        print(f"  {'kept ' if item.kept else 'wrote'}  {item.path}")
    config = target / "chokepoint.yaml"
    print(
        "\nNext:\n"
        f"  1. Edit {config}: keep the sources you want, set your Slack channels and routes.\n"
        f"  2. Fill {target / 'data' / 'licences.csv'} and {target / 'data' / 'exposure.csv'} "
        "(or the .xlsx versions; docs/formats.md).\n"
        f"  3. chokepoint check -c {config}\n"
        f"  4. Create the Slack app from {target / 'slack-manifest.yaml'} (docs/SLACK_SETUP.md), "
        "export SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET,\n"
        f"     then: chokepoint run -c {config}   (or `chokepoint once` to try one cycle)"
    )
    return EXIT_OK


def write_starter(target: Path, *, timezone: str = "Europe/Berlin") -> list[Written]:
    """Write every starter file that does not exist yet; report each one, written or kept."""
    target.mkdir(parents=True, exist_ok=True)
    return [
        _write(target / "chokepoint.yaml", _config_text(timezone).encode("utf-8")),
        *_copy_tree(bundled_dir("rules"), target / "rules"),
        _write(target / "data" / "licences.csv", _csv_header(LICENCE_COLUMNS)),
        _write(target / "data" / "licences.xlsx", _xlsx_header(LICENCE_COLUMNS, "Licences")),
        _write(target / "data" / "exposure.csv", _csv_header(EXPOSURE_COLUMNS)),
        _write(target / "data" / "exposure.xlsx", _xlsx_header(EXPOSURE_COLUMNS, "Exposure")),
        _write(target / "slack-manifest.yaml", bundled_file("slack-manifest.yaml").read_bytes()),
    ]


def _write(path: Path, data: bytes) -> Written:
    if path.exists():
        return Written(path, kept=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as fh:  # exclusive: a file that appeared meanwhile is not replaced
        fh.write(data)
    return Written(path, kept=False)


def _copy_tree(source: Path, dest: Path) -> Iterator[Written]:
    for path in sorted(source.rglob("*.yaml")):
        target = dest / path.relative_to(source)
        if target.exists():
            yield Written(target, kept=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        yield Written(target, kept=False)


def _csv_header(columns: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue().encode("utf-8")


def _xlsx_header(columns: tuple[str, ...], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) + 4)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _config_text(timezone: str) -> str:
    from bot import __version__
    from bot.sources.catalogue import catalogue
    from bot.templates import environment

    feeds = [entry for entry in catalogue() if entry.kind == "feed"]
    pages = [entry for entry in catalogue() if entry.kind == "page"]
    template = environment("text").get_template("init/chokepoint.yaml.j2")
    return template.render(
        version=__version__, config_name="chokepoint.yaml", timezone=timezone, feeds=feeds, pages=pages
    ) + "\n"
