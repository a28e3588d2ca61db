"""The source catalogue (docs/sources.md): real public feeds and notice pages for this field,
shipped as bot/sources/catalogue.yaml, each with what it covers and how it was verified.

`catalogue()` reads it; `config_sections()` turns it into the `feeds:` and `pages:` a
configuration takes (what `chokepoint sources --yaml` prints and `init` can write).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

__all__ = ["CatalogueEntry", "catalogue", "config_sections"]

CATALOGUE = Path(__file__).with_name("catalogue.yaml")


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    url: str
    kind: Literal["feed", "page"]
    language: str  # ISO 639-1: en, zh
    covers: str
    changes: str  # how often new items appear
    every: str  # the polling interval that suits it
    verified: str  # how the address (and a page's markup) was checked
    official: bool = False
    rulemaking: bool = False
    selectors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def catalogue() -> tuple[CatalogueEntry, ...]:
    """Every catalogue entry, in the file's order."""
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return tuple(CatalogueEntry(**item) for item in raw)


def config_sections(entries: tuple[CatalogueEntry, ...] | None = None) -> dict[str, list[Any]]:
    """`feeds:` and `pages:` entries for a configuration, one per catalogue entry."""
    feeds: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    for e in entries if entries is not None else catalogue():
        item: dict[str, Any] = {"name": e.name, "url": e.url, "every": e.every}
        if e.kind == "page":
            pages.append({**item, "selectors": dict(e.selectors)})
        else:
            feeds.append(item)
    return {"feeds": feeds, "pages": pages}
