"""Parse one document by the fast path and by feedparser, and compare the normalised entries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.models import Entry
from bot.sources.entries import FeedError, parse_document, parse_with_feedparser
from bot.sources.fastfeed import read_feed
from bot.sources.feedparser_compat import prepare_document

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
URL = "https://feeds.example.net/wire.xml"

Outcome = tuple[list[Entry], str | None] | str  # (entries, problem) or the FeedError text


def _lowered(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def outcome(body: bytes, headers: Mapping[str, str] | None) -> Outcome:
    """What the product makes of a document (fast path first)."""
    try:
        return parse_document(body, "wire", NOW, headers, URL)
    except FeedError as exc:
        return f"FeedError: {exc}"


def feedparser_outcome(body: bytes, headers: Mapping[str, str] | None) -> Outcome:
    """The same through feedparser only."""
    try:
        return parse_with_feedparser(prepare_document(body), "wire", NOW, _lowered(headers), URL)
    except FeedError as exc:
        return f"FeedError: {exc}"


def accepted(body: bytes, headers: Mapping[str, str] | None = None) -> bool:
    return read_feed(prepare_document(body), _lowered(headers)) is not None


def both_ways(body: bytes, headers: Mapping[str, str] | None = None) -> bool:
    """Assert the fast path equals feedparser when it accepts; True if it accepted."""
    took = accepted(body, headers)
    fast = outcome(body, headers)
    if took:
        slow = feedparser_outcome(body, headers)
        assert fast == slow, f"fast path differs from feedparser on:\n{body[:3000]!r}"
    return took
