"""Every feedparser internal the fast path borrows, in one place, checked when this is imported.

The fast path (bot.sources.fastfeed, fastgate) must give exactly feedparser's fields, so it
reuses feedparser's own date parser, "looks like HTML" test, URI join, cp1252 table, content
type parser and namespace table rather than copies that could drift. Several are private
(underscored) and may change in any release: each is looked up here, and a missing or changed
one stops the import with an error naming it, instead of a wrong entry much later. The version
range in pyproject.toml is the one the equivalence tests (tests/test_fast_parse.py,
tests/test_feed_conformance.py) were run on.

Nothing in feedparser is replaced: `prepare_document` changes the bytes given to it instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from time import struct_time
from typing import Any, cast

import feedparser
import feedparser.datetimes
import feedparser.encodings
import feedparser.html
import feedparser.mixin
import feedparser.urls

__all__ = ["CANONICAL_PREFIXES", "TESTED_VERSIONS", "cp1252", "looks_like_html",
           "parse_content_type", "parse_date", "prepare_document", "urljoin"]

TESTED_VERSIONS = ("6.0.14",)  # pyproject.toml pins the same: >=6.0.14,<6.0.15


class FeedparserMismatch(ImportError):
    """The installed feedparser lacks an internal the fast path relies on."""


def _borrow(module: Any, name: str, check: Callable[[Any], bool], what: str) -> Any:
    value = getattr(module, name, None)
    if value is None or not check(value):
        raise FeedparserMismatch(
            f"feedparser {getattr(feedparser, '__version__', '?')} has no usable "
            f"{module.__name__}.{name} ({what}); bot.sources.fastfeed was tested with feedparser "
            f"{', '.join(TESTED_VERSIONS)}: install one of those")
    return value


_mixin = _borrow(feedparser.mixin, "_FeedParserMixin", lambda v: isinstance(v, type),
                 "the parser mixin class")
parse_date = cast(Callable[[str], "struct_time | None"], _borrow(
    feedparser.datetimes, "_parse_date", callable, "the date parser"))
cp1252 = cast(Mapping[int, str], _borrow(
    feedparser.html, "_cp1252", lambda v: isinstance(v, dict) and v.get(128) == "\u20ac",
    "the cp1252 translation table"))
urljoin = cast(Callable[[str, str], str], _borrow(feedparser.urls, "_urljoin", callable,
                                                  "the URI join"))
parse_content_type = cast(Callable[[str], tuple[str, str]], _borrow(
    feedparser.encodings, "parse_content_type", callable, "the Content-Type parser"))
looks_like_html = cast(Callable[[str], bool], _borrow(
    _mixin, "looks_like_html", callable, "the HTML guess for plain-text fields"))
_namespaces = cast(Mapping[str, str], _borrow(
    _mixin, "namespaces", lambda v: isinstance(v, dict) and "http://www.w3.org/2005/Atom" in v,
    "the table of known namespaces"))
# feedparser's expression for the declared encoding: prepare_document keeps it linear.
_pi_encoding = _borrow(feedparser.encodings, "RE_XML_PI_ENCODING",
                       lambda v: isinstance(v, re.Pattern), "the XML declaration expression")

CANONICAL_PREFIXES: Mapping[str, str] = {uri.lower(): prefix for uri, prefix in _namespaces.items()}

_LONG_LINE = 4096
_LEADING_SPACE = re.compile(rb"[ \t\r\n]+(?=<\?xml[ \t\r\n?])")


def prepare_document(body: bytes) -> bytes:
    """The bytes both parsers read: what feedparser would mangle or choke on, made harmless.

    - Blank lines or spaces before `<?xml` (common; an XML error that would send feedparser to
      its lenient parser, with slightly different results) are removed: a deliberate choice,
      the document is read as its author meant it.
    - feedparser finds the declared encoding with an expression over the first line that
      backtracks cubically on a long line with many `encoding="` (12 KB took 2.6 s; 1 MB,
      hours). A first line over 4 KB (a whole feed on one line) is broken after the first
      `?>` (or, with none, after the processing instruction's target): whitespace that XML
      ignores there, and the encoding is then read from the declaration alone.
    """
    match = _LEADING_SPACE.match(body)
    if match:
        body = body[match.end():]
    if not body.startswith(b"<?"):
        return body
    newline = body.find(b"\n", 0, _LONG_LINE + 1)
    if newline >= 0 or len(body) <= _LONG_LINE:
        return body
    close = body.find(b"?>")
    newline = body.find(b"\n")
    if close >= 0 and (newline < 0 or close < newline):
        cut = close + 2
    else:
        target = re.match(rb"<\?[^\s?]*", body)
        cut = target.end() if target else 2
    return body[:cut] + b"\n" + body[cut:]
