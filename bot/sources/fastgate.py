"""Which documents the fast path may read: those feedparser would decode as UTF-8 without
complaint, with no DTD and no namespace prefix that feedparser would remap.

Kept apart from bot.sources.fastfeed, which walks the tree; both decline by returning None/False.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from bot.sources.feedparser_compat import CANONICAL_PREFIXES, parse_content_type

__all__ = ["PI_ENCODING", "plain_namespaces", "readable_document"]

_BOM = codecs.BOM_UTF8
_XMLNS = re.compile(rb"xmlns(?::([^\s=]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CANONICAL = CANONICAL_PREFIXES
_PREFIXES = frozenset(p for p in _CANONICAL.values() if p)
_OTHER_VERSIONS = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")


class _Declared:
    def __init__(self, value: bytes) -> None:
        self._value = value

    def groups(self) -> tuple[bytes]:
        return (self._value,)


class _PIEncoding:
    """feedparser's test for the declared encoding, `^<\\?.*encoding=['"](.*?)['"].*\\?>`,
    in linear time.

    The regular expression backtracks cubically on a long first line with many
    `encoding="` and no `?>` after them: 12 KB of that took 2.6 s, 10 MB would take days.
    Same answer: the last `encoding=` + quote on the first line whose value (up to the next
    quote of either kind) is followed by a `?>` on that line.
    """

    def match(self, data: bytes) -> _Declared | None:
        if not data.startswith(b"<?"):
            return None
        newline = data.find(b"\n")
        line = data if newline < 0 else data[:newline]
        close = line.rfind(b"?>")
        limit = close
        while limit >= 0:
            at = line.rfind(b"encoding=", 2, limit)
            if at < 0:
                return None
            start = at + 10
            if line[at + 9:start] in (b"'", b'"'):
                quotes = [q for q in (line.find(b"'", start), line.find(b'"', start)) if q >= 0]
                if quotes and min(quotes) < close:
                    return _Declared(line[start:min(quotes)])
            limit = at + 8  # earlier candidates only
        return None


PI_ENCODING = _PIEncoding()


def _utf8_body(body: bytes, headers: Mapping[str, str]) -> bytes | None:
    """The document when feedparser would read it as UTF-8 without complaint, else None.

    Mirrors feedparser.encodings.convert_to_utf8: the HTTP charset, then the XML declaration;
    a declared encoding that fails, or a non-XML media type, makes feedparser report the feed
    as not well-formed, which is left to feedparser.
    """
    data = body[3:] if body.startswith(_BOM) else body
    if not data or b"\x00" in data[:4] or data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return None  # UTF-16/32 or EBCDIC
    match = PI_ENCODING.match(data)
    try:
        declared = match.groups()[0].decode().lower() if match else ""
    except UnicodeDecodeError:
        return None
    if headers:
        media, charset = parse_content_type(headers.get("content-type") or "")
        if media in ("application/xml", "application/xml-dtd",
                     "application/xml-external-parsed-entity") \
                or (media.startswith("application/") and media.endswith("+xml")):
            encoding = charset or declared or "utf-8"
        elif media in ("text/xml", "text/xml-external-parsed-entity") \
                or (media.startswith("text/") and media.endswith("+xml")):
            encoding = charset or "us-ascii"
        else:
            return None
    else:
        encoding = declared or "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if data.isascii():
        return data if name in ("utf-8", "ascii", "iso8859-1", "cp1252") else None
    if name != "utf-8":
        return None
    try:
        data.decode()
    except UnicodeDecodeError:
        return None
    return data


def plain_namespaces(data: bytes, atom: bool) -> bool:
    """No prefix feedparser would remap, and no RSS 1.0 namespace that would make an Atom
    document's version 'rss10' (then feedparser guesses HTML in plain-text titles)."""
    for m in _XMLNS.finditer(data):
        uri = (m.group(2) if m.group(2) is not None else m.group(3) or b"")
        if b"&" in uri:
            return False
        lowered = uri.decode("utf-8", "replace").lower()
        if atom and lowered in _OTHER_VERSIONS:
            return False
        prefix = (m.group(1) or b"").decode("utf-8", "replace")
        canonical = "" if "backend.userland.com/rss" in lowered else _CANONICAL.get(lowered)
        if prefix in _PREFIXES and canonical is not None and canonical != prefix:
            return False
    return True


def readable_document(body: bytes, headers: Mapping[str, str]) -> bytes | None:
    """The document to parse (a UTF-8 BOM removed), or None when feedparser must read it.

    `headers`: the HTTP response headers, names lower-cased ({} for a file).
    """
    data = _utf8_body(body, headers)
    # No DOCTYPE, so no entity declarations (billion laughs) and no external entities; and no
    # Content-Location, which feedparser would take as the base of relative links.
    if data is None or not _root_comes_first(data) or headers.get("content-location"):
        return None
    return data


def _root_comes_first(data: bytes, within: int = 65536) -> bool:
    """Only spaces, processing instructions and comments before the root element."""
    at = 0
    while at < within:
        start = data.find(b"<", at)
        if start < 0 or data[at:start].strip():
            return False
        if data.startswith(b"<?", start):
            end, close = data.find(b"?>", start + 2), 2
        elif data.startswith(b"<!--", start):
            end, close = data.find(b"-->", start + 4), 3
        else:
            return not data.startswith(b"<!", start)  # <!DOCTYPE: refused
        if end < 0:
            return False
        at = end + close
    return False
