"""RSS/Atom documents -> normalised entries: plain text, canonical links, UTC times, stable uids.

Kept free of the store and HTTP imports: the poller's worker processes import only this.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import feedparser

from bot.models import Entry
from bot.sources.fastfeed import RawEntry, read_feed
from bot.sources.feedparser_compat import prepare_document
from bot.sources.html_text import has_markup, plain_text

__all__ = ["FeedError", "canonical_link", "parse_document", "parse_feed", "parse_with_feedparser",
           "plain_text"]

log = logging.getLogger(__name__)

SUMMARY_CHARS = 2000  # rules read the start of a story; a whole article is not needed
TITLE_CHARS = 500
_TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid)$", re.IGNORECASE)


class FeedError(Exception):
    """A response that holds no usable feed; the message is a sentence for the operator."""


def canonical_link(url: str, base: str = "") -> str:
    """An http(s) link without tracking parameters or fragment; anything else becomes ''."""
    url = url.strip()
    if not url:
        return ""
    try:
        url = urljoin(base, url) if base else url
        parts = urlsplit(url)
    except ValueError:  # e.g. "https://[::1/x": one bad link must not fail the whole feed
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    # Filter the raw query so the parameters that stay keep their exact encoding.
    kept = [p for p in parts.query.split("&")
            if p and not _TRACKING.match(unquote_plus(p.split("=", 1)[0]))]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       "&".join(kept), ""))


def _utc(value: struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _text(value: str, plain: bool, passes: int = 3) -> str:
    return " ".join(value.split()) if plain else plain_text(value, passes=passes)


def _from_feedparser(raw: Mapping[str, Any]) -> RawEntry:
    def plain(name: str) -> bool:
        return bool((raw.get(f"{name}_detail") or {}).get("type") == "text/plain")

    content = raw.get("content")
    return RawEntry(
        title=str(raw.get("title") or ""), title_plain=plain("title"),
        summary=str(raw.get("summary") or ""), summary_plain=plain("summary"),
        content=str(content[0].get("value", "")) if content else None,
        link=str(raw.get("link") or ""), guid=str(raw.get("id") or ""),
        stamp=raw.get("published_parsed") or raw.get("updated_parsed")
        or raw.get("created_parsed"),
        date_text=str(raw.get("published") or raw.get("updated") or ""),
    )


def _entry(raw: RawEntry, feed: str, now: datetime, base: str) -> Entry | None:
    title = _text(raw.title, raw.title_plain, passes=1)[:TITLE_CHARS]
    # A summary declared plain text keeps its brackets and ampersands, unless it holds tags:
    # summaries never show markup (a title may: "the <quota> debate").
    plain = raw.summary_plain and not has_markup(raw.summary)
    summary = _text(raw.summary, plain)
    if not summary and raw.content:
        summary = plain_text(raw.content)
    summary = summary[:SUMMARY_CHARS]
    link = canonical_link(raw.link, base)
    if not (title or summary or link):
        return None  # debris of a broken document, not a story
    stamp = _utc(raw.stamp)
    # A date in the future would keep a story "fresh" for ever; clamp it to the first sight.
    published = min(stamp, now) if stamp else now
    guid = raw.guid.strip()
    if guid:
        identity = f"guid:{guid}"
    elif link:
        identity = f"link:{link}"
    else:
        identity = "hash:" + hashlib.sha256(f"{title}\n{raw.date_text}".encode()).hexdigest()
    # The feed is part of the uid: the same story in two feeds reaches the rules from both.
    uid = hashlib.sha256(f"{feed}\n{identity}".encode()).hexdigest()
    return Entry(uid=uid, feed=feed, title=title or summary[:120] or link or "(untitled)",
                 summary=summary, link=link, published=published, dated=stamp is not None)


def _no_usable_feed(body: bytes, content_type: str, parsed: Any) -> FeedError:
    if "html" in content_type or re.match(rb"\s*(<!doctype html|<html)", body[:512], re.I):
        return FeedError("the address returned an HTML page, not an RSS or Atom feed")
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return FeedError("the response is not an RSS or Atom feed (it is not XML)")
    if parsed.bozo:
        return FeedError("the feed is not well-formed XML and has no usable entries "
                         f"({parsed.get('bozo_exception')})")
    return FeedError("the response is not an RSS or Atom feed")


def parse_document(body: bytes, feed: str, now: datetime, headers: Mapping[str, str] | None,
                   url: str) -> tuple[list[Entry], str | None]:
    """Entries and, for a feed that is not well-formed, why (logged by the caller's process).

    Well-formed RSS 2.0 and Atom are read by bot.sources.fastfeed (several times cheaper);
    anything it declines goes through feedparser (`parse_with_feedparser`), with the same result.
    """
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    body = prepare_document(body)
    fast = read_feed(body, lowered)
    if fast is None:
        return parse_with_feedparser(body, feed, now, lowered, url)
    base = fast.link or url
    return [e for raw in fast.entries if (e := _entry(raw, feed, now, base)) is not None], None


def parse_with_feedparser(body: bytes, feed: str, now: datetime, headers: Mapping[str, str],
                          url: str) -> tuple[list[Entry], str | None]:
    """parse_document without the fast path; `headers` lower-cased, `body` prepared."""
    # Every field ends as plain text (plain_text), so feedparser's HTML sanitiser and
    # relative-URI rewriting would only cost time (40% of a parse).
    parsed = feedparser.parse(io.BytesIO(body), response_headers=dict(headers),
                              resolve_relative_uris=False, sanitize_html=False)
    base = str(parsed.feed.get("link") or url)
    entries = [e for raw in parsed.entries
               if (e := _entry(_from_feedparser(raw), feed, now, base)) is not None]
    if not entries and not body.strip():
        raise FeedError("the response is empty (no RSS or Atom document at all)")
    if not entries and (parsed.bozo or not parsed.get("version")):
        raise _no_usable_feed(body, headers.get("content-type", "").lower(), parsed)
    return entries, str(parsed.get("bozo_exception")) if parsed.bozo else None


def parse_feed(
    body: bytes, *, feed: str, now: datetime, headers: Mapping[str, str] | None = None,
    url: str = "",
) -> list[Entry]:
    """Normalised entries of an RSS 0.9x/1.0/2.0 or Atom document; FeedError if it is none.

    A document that is not well-formed but still has entries is used, with a warning.
    `url` resolves relative links when the feed names no site link of its own.
    """
    entries, problem = parse_document(body, feed, now, headers, url)
    warn_bozo(feed, problem, len(entries))
    return entries


def warn_bozo(feed: str, problem: str | None, count: int) -> None:
    if problem is not None:
        log.warning("feed %s is not well-formed (%s); using its %d entries", feed, problem, count)
