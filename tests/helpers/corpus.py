"""feedparser's own test documents (../shared/conformance/feedparser-corpus), read in place."""

from __future__ import annotations

import re
from pathlib import Path

ROOTS = (Path(__file__).resolve().parents[3] / "shared" / "conformance" / "feedparser-corpus",
         Path("/work/shared/conformance/feedparser-corpus"))
_HEADER = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.MULTILINE)


def corpus() -> Path | None:
    """The corpus folder beside the checkout (or this machine's shared copy), if there."""
    return next((root for root in ROOTS if root.is_dir()), None)


def documents(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))


def headers_of(body: bytes) -> dict[str, str] | None:
    """The HTTP headers a corpus document asks to be served with (`Header:` lines)."""
    found = {k.decode().lower(): v.decode("latin-1") for k, v in _HEADER.findall(body[:4000])}
    return found or None
