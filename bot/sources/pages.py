"""Notice pages: an HTML listing turned into entries by CSS selectors (docs/formats.md, "Pages").

Official notices (the commerce ministry's, customs') are published as web pages, not feeds:
a list of items, each with a title, a link and a date. A page is configured with selectors for
those four and then polled exactly as a feed (bot.sources.feeds: conditional GET, back-off,
health, first-sight quiet, one entry per link). Only parsing differs, and it lives here.

Charset: the HTTP header's, else the document's `<meta>`, else detected (GBK, GB2312, Big5 and
UTF-8 pages are all common). GB2312 and GBK are read as GB18030, their superset, because pages
declared GB2312 routinely contain characters only GBK has.

A page whose item selector matches nothing raises FeedError: the site changed its markup, and
that must show in health and the logs, not pass as a quiet page.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin

import charset_normalizer
from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.models import Entry
from bot.sources.entries import FeedError, _entry
from bot.sources.fastfeed import RawEntry

__all__ = ["Selectors", "decode_page", "parse_date", "parse_page"]

_META_SCAN = 4096  # a <meta charset> must sit in the first 1024 bytes by the standard; be lenient
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs",
             "x-gbk": "gb18030", "ascii": "utf-8", "us-ascii": "utf-8"}
_DATES = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
)


@dataclass(frozen=True)
class Selectors:
    """CSS selectors of one page: `item` over the page, the others inside each item.

    `link` defaults to the title's element; `link_attr` is the attribute holding the address
    (relative addresses are resolved against the page's). `title_attr` reads the title from
    an attribute (listings often cut the text and keep the full title in `title=`). Without `date`, the item's own text
    is searched for a date.
    """

    item: str
    title: str
    title_attr: str | None = None
    link: str | None = None
    link_attr: str = "href"
    date: str | None = None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSET.get(label) or _SUPERSET.get(name) or name


def decode_page(body: bytes, headers: Mapping[str, str] | None = None,
                charset: str | None = None) -> tuple[str, str]:
    """The page's text and the codec it was read with: configured, header, <meta>, detected."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
    header = _HEADER.search(content_type)
    meta = _META.search(body[:_META_SCAN])
    for label in (charset, header.group(1) if header else None,
                  meta.group(1).decode("ascii", "ignore") if meta else None):
        codec = _codec(label)
        if codec is not None:
            return body.decode(codec, "replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body[:65536]).best()
    codec = _codec(best.encoding if best else None) or "utf-8"
    return body.decode(codec, "replace"), codec


def parse_date(text: str) -> date | None:
    """The first date in `text`: 2025年10月9日, 2025-10-09, 2025/10/09 or 2025.10.09."""
    for pattern in _DATES:
        for m in pattern.finditer(text):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _text(node: LexborNode | None) -> str:
    return " ".join((node.text(separator=" ") if node is not None else "").split())


def _raw(item: LexborNode, sel: Selectors) -> RawEntry | None:
    title_node = item.css_first(sel.title)
    title = _text(title_node)
    if sel.title_attr and title_node is not None:
        title = " ".join((title_node.attributes.get(sel.title_attr) or "").split()) or title
    link_node = item.css_first(sel.link) if sel.link else title_node
    link = ""
    if link_node is not None:
        link = (link_node.attributes.get(sel.link_attr) or "").strip()
    date_text = _text(item.css_first(sel.date)) if sel.date else _text(item)
    day = parse_date(date_text)
    if not (title or link):
        return None
    stamp = time.struct_time((day.year, day.month, day.day, 0, 0, 0, 0, 1, 0)) if day else None
    # An item has no guid: its link is its identity (else its title and date).
    return RawEntry(title=title, title_plain=True, summary="", summary_plain=True, content=None,
                    link=link, guid="", stamp=stamp, date_text=day.isoformat() if day else "")


def parse_page(body: bytes, *, feed: str, now: datetime, selectors: Selectors, url: str = "",
               headers: Mapping[str, str] | None = None, charset: str | None = None
               ) -> list[Entry]:
    """Entries of a notices page, in page order; FeedError when the selectors match nothing."""
    if not body.strip():
        raise FeedError("the page is empty")
    text, _ = decode_page(body, headers, charset)
    tree = LexborHTMLParser(text)
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(url, base_node.attributes.get("href") or "")
    items = tree.css(selectors.item)
    if not items:
        raise FeedError(f"no element on the page matches the item selector {selectors.item!r}; "
                        "the site may have changed its markup")
    entries = [e for item in items
               if (raw := _raw(item, selectors)) is not None
               and (e := _entry(raw, feed, now, base)) is not None]
    if not entries:
        raise FeedError(f"{len(items)} items match {selectors.item!r} but none has a title "
                        f"matching {selectors.title!r}; the site may have changed its markup")
    return entries
