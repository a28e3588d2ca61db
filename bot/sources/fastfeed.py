"""Well-formed RSS 2.0 and Atom 1.0 read with ElementTree: the fields feedparser would give, or None.

Over 300 lines because it is one walk mirroring feedparser's handlers: the element tables,
the per-entry state (_Fields) and the walks must be read together to check them.

feedparser reads a feed through SAX callbacks in pure Python (~9 ms for a feed of 20 stories);
expat building a tree is several times cheaper. This reader handles only documents whose every
element it knows how feedparser treats, and returns None for anything else (a DOCTYPE, RSS
1.0/0.9x, an unknown namespace, xml:base outside Atom text, an encoding feedparser would guess,
a parse error), so that the caller falls back to feedparser. It knows what news sites carry:
media:* (read as feedparser's media handlers do), feedburner:*, channel dc:*, WordPress.com's
<site>/<post-id>. tests/test_fast_parse.py and tests/test_feed_conformance.py hold the two to
equal output. feedparser's own helpers (date parser, "looks like HTML" test, URI join) are
borrowed through bot.sources.feedparser_compat so that the details cannot drift apart.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from time import struct_time

from bot.sources.fastgate import plain_namespaces, readable_document
from bot.sources.feedparser_compat import cp1252, looks_like_html, parse_date, urljoin

__all__ = ["RawEntry", "RawFeed", "read_feed"]


@dataclass(frozen=True, slots=True)
class RawEntry:
    """An entry's fields as feedparser stores them, before normalisation.

    `*_plain`: the field is declared or guessed plain text (feedparser's `type` "text/plain"),
    so markup-like text in it is kept. `content`: the first content element, if any.
    """

    title: str
    title_plain: bool
    summary: str
    summary_plain: bool
    content: str | None
    link: str
    guid: str
    stamp: struct_time | None
    date_text: str


@dataclass(frozen=True, slots=True)
class RawFeed:
    link: str  # the site link (feedparser's feed.link), which resolves relative entry links
    entries: tuple[RawEntry, ...]


class _Decline(Exception):
    """Something this reader does not mirror exactly: feedparser reads the document."""


ATOM = "{http://www.w3.org/2005/Atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SY = "{http://purl.org/rss/1.0/modules/syndication/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
_FEEDBURNER = "{http://rssnamespace.org/feedburner/ext/1.0}"
_WPCOM = "{com-wordpress:feed-additions:1}"  # WordPress.com's <site>, <post-id>

# Elements feedparser stores only in fields that no Entry reads: child tags allowed in each.
_LEAF: frozenset[str] = frozenset()
# media: feedparser keeps these in media_* fields (no Entry reads them); media:title and
# media:description, which reach title and summary, are read by _media.
_MEDIA_LEAVES = {MEDIA + t: _LEAF for t in (
    "thumbnail", "credit", "keywords", "copyright", "rating", "category")}
_RSS_ITEM_IGNORED = {t: _LEAF for t in (
    "category", "author", "comments", "enclosure", "source", _DC + "creator",
    "{http://wellformedweb.org/CommentAPI/}commentRss",
    "{http://wellformedweb.org/CommentAPI/}comment",
    "{http://purl.org/rss/1.0/modules/slash/}comments", _FEEDBURNER + "origLink",
    _WPCOM + "post-id", _DC + "subject", _DC + "publisher", _DC + "rights", _DC + "language",
    _DC + "contributor")}
_RSS_ITEM_IGNORED.update(_MEDIA_LEAVES)
_RSS_CHANNEL_IGNORED = {t: _LEAF for t in (
    "title", "description", "language", "copyright", "managingEditor", "webMaster", "pubDate",
    "lastBuildDate", "category", "generator", "docs", "ttl", "cloud", "rating",
    _SY + "updatePeriod", _SY + "updateFrequency", _SY + "updateBase", _DC + "date",
    _DC + "language", _DC + "rights", _DC + "publisher", _DC + "creator", _DC + "subject",
    _FEEDBURNER + "info",
    _FEEDBURNER + "emailServiceId", _FEEDBURNER + "feedburnerHostname",
    _FEEDBURNER + "browserFriendly", _WPCOM + "site")}
_RSS_CHANNEL_IGNORED["image"] = frozenset(
    ("url", "title", "link", "width", "height", "description"))
_PERSON = frozenset((ATOM + "name", ATOM + "email", ATOM + "uri"))
_ATOM_IGNORED = {ATOM + "author": _PERSON, ATOM + "contributor": _PERSON,
                 ATOM + "category": _LEAF, ATOM + "rights": _LEAF}
_ATOM_FEED_IGNORED = {**_ATOM_IGNORED, **{ATOM + t: _LEAF for t in (
    "title", "subtitle", "updated", "generator", "icon", "logo")}}
_ONCE = frozenset(("title", "description", _CONTENT, "link", "guid", "pubDate", _DC + "date",
                   ATOM + "title", ATOM + "summary", ATOM + "content", ATOM + "id",
                   ATOM + "published", ATOM + "updated"))

_TEXT_TYPES = {"text": True, "plain": True, "text/plain": True, "html": False,
               "text/html": False}  # Atom `type` -> plain?
_HTML_TYPES = frozenset(("text/html", "application/xhtml+xml", "html", "xhtml"))
_AMP_REF = re.compile("&([A-Za-z0-9_]+);")


def _check_attrs(el: ET.Element, allowed: frozenset[str] | tuple[str, ...]) -> None:
    for key in el.attrib:
        if key != _XML_LANG and key not in allowed:
            raise _Decline


def _leaf(el: ET.Element, allowed: tuple[str, ...] = ()) -> str:
    if len(el):
        raise _Decline  # markup inside: feedparser would turn it into XHTML
    _check_attrs(el, allowed)
    return (el.text or "").strip()


def _ignore(el: ET.Element, children: frozenset[str]) -> None:
    # Any attribute is fine but a base, which would change how later links resolve.
    for node in el.iter():
        if node is not el and (node.tag not in children or len(node)):
            raise _Decline
        if any(k.rsplit("}", 1)[-1].lower() == "base" for k in node.attrib):
            raise _Decline


def _fixed(text: str) -> str:
    """feedparser's last step on every text: undo UTF-8 read as Latin-1, map cp1252 controls."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(cp1252)


def _resolved(text: str, base: str = "") -> str:
    return urljoin(base, text) if text else text


_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class _Base:
    """The base URI feedparser resolves Atom links and ids against, as it moves.

    xml:base is accepted on Atom summary and content only, one value per document, absolute
    http(s). feedparser keeps that base after the element closes (it restores a parent's base
    only when the parent had one), so links after the first such element resolve against it.
    """

    def __init__(self) -> None:
        self.value = ""

    def after(self, el: ET.Element) -> None:
        given = el.get(_XML_BASE)
        if given is None:
            return
        if (self.value and given != self.value) or not re.match(r"https?://[^/?#\s]+", given):
            raise _Decline
        self.value = given


def _atom_link(el: ET.Element, current: str | None, base: str = "") -> str | None:
    """The link an Atom <link> sets (feedparser: rel alternate, an HTML type), else `current`."""
    if len(el) or "href" not in el.attrib:
        raise _Decline
    _check_attrs(el, ("href", "rel", "type", "hreflang", "title", "length"))
    rel = el.get("rel", "alternate").lower()
    kind = el.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
    if rel == "alternate" and kind in _HTML_TYPES:
        href = el.attrib["href"]  # feedparser resolves even an empty href
        return urljoin(base, href) if href or base else href
    return current


@dataclass
class _Fields:
    """One entry's fields as they accumulate, in document order, as feedparser's handlers do."""

    title: str = ""
    title_plain: bool = False
    summary: str | None = None
    summary_plain: bool = False
    content: str | None = None  # the first content element's
    has_content: bool = False  # feedparser's hasContent: a content element has started
    media_text: bool = False  # a media:title or media:description was read
    title_held: bool = False  # feedparser's title_depth: a later, deeper title is ignored
    link: str | None = None  # None: no link yet (a permalink guid may still provide one)
    guid: str = ""
    published: str | None = None
    published_parsed: struct_time | None = None
    updated: str | None = None
    updated_parsed: struct_time | None = None

    def identify(self, el: ET.Element, permalink: bool, allowed: tuple[str, ...] = (),
                 base: str = "") -> None:
        """A guid or id; a permalink one is also the link when none came before it."""
        text = _leaf(el, allowed)
        self.guid = _fixed(_resolved(text, base) if permalink else text)
        if permalink and self.link is None:
            self.link = self.guid

    def add_content(self, value: str) -> None:
        self.has_content = True
        if self.content is None:
            self.content = value

    def raw(self) -> RawEntry:
        summary, plain = self.summary, self.summary_plain
        if summary is None:  # feedparser copies the content into the summary, without a type
            summary, plain = self.content or "", False
        return RawEntry(self.title, self.title_plain, summary, plain, self.content,
                        self.link or "", self.guid,
                        self.published_parsed or self.updated_parsed,
                        self.published or self.updated or "")


def _once(el: ET.Element, seen: set[str]) -> str:
    tag = el.tag
    if tag in _ONCE:
        if tag in seen:
            raise _Decline  # feedparser's rules for repeats depend on depth and order
        seen.add(tag)
    return tag


def _media(el: ET.Element, f: _Fields) -> None:
    """media:group, media:content and what they hold, as feedparser's media handlers read them.

    media:title stores nothing once the item has a title (feedparser: a title at the item's
    depth wins), so it is accepted only then. media:description is feedparser's description
    handler: after a <description> and before any content it becomes the first content (read
    when the description has no text), other orders are left to feedparser, and so is a
    type attribute feedparser would read as base64 ("plain").
    """
    tag = el.tag
    if tag in (MEDIA + "title", MEDIA + "description"):
        text = _fixed(_leaf(el, ("type",)))
        if f.media_text or el.get("type", "html") not in ("html", "text", "text/html"):
            raise _Decline
        f.media_text = True
        if tag == MEDIA + "title":
            if not f.title_held:
                raise _Decline
        elif f.summary is None or f.has_content:
            raise _Decline
        else:
            f.add_content(text)
    elif tag in (MEDIA + "content", MEDIA + "group"):
        if any(k.rsplit("}", 1)[-1].lower() == "base" for k in el.attrib):
            raise _Decline
        for child in el:
            if child.tag in _MEDIA_LEAVES:
                _ignore(child, _LEAF)
            elif child.tag != MEDIA + "group" and (tag == MEDIA + "group"
                                                   or child.tag != MEDIA + "content"):
                _media(child, f)
            else:
                raise _Decline
    else:
        raise _Decline


def _rss_item(item: ET.Element) -> RawEntry:
    _check_attrs(item, ())
    f, seen = _Fields(), set[str]()
    for el in item:
        tag = _once(el, seen)
        if tag == "title":
            text = _leaf(el)
            f.title, f.title_plain = _fixed(text), not looks_like_html(text)
            f.title_held = bool(text)
        elif tag == "description":
            f.summary = _fixed(_leaf(el))
        elif tag == _CONTENT:
            f.add_content(_fixed(_leaf(el)))
        elif tag in (MEDIA + "content", MEDIA + "group", MEDIA + "title", MEDIA + "description"):
            _media(el, f)
        elif tag == "link":
            text = _fixed(_resolved(_leaf(el))).replace("&amp;", "&")
            f.link = _AMP_REF.sub(r"&\g<1>", text)
        elif tag == ATOM + "link":
            f.link = _atom_link(el, f.link)
        elif tag == "guid":
            f.identify(el, el.get("isPermaLink", "true") == "true", ("isPermaLink",))
        elif tag == "pubDate":
            f.published = _fixed(_leaf(el))
            f.published_parsed = parse_date(f.published)
        elif tag == _DC + "date":
            f.updated = _fixed(_leaf(el))
            f.updated_parsed = parse_date(f.updated)
        elif tag in _RSS_ITEM_IGNORED:
            _ignore(el, _RSS_ITEM_IGNORED[tag])
            f.title_held = f.title_held and tag != "source"  # feedparser resets title_depth
        else:
            raise _Decline
    return f.raw()


def _rss(root: ET.Element) -> RawFeed:
    _check_attrs(root, ("version",))
    if not root.get("version", "").startswith("2.") or len(root) != 1 or root[0].tag != "channel":
        raise _Decline
    channel = root[0]
    _check_attrs(channel, ())
    link, entries = "", []
    for el in channel:
        tag = el.tag
        if tag == "item":
            entries.append(_rss_item(el))
        elif tag == "link":
            link = _AMP_REF.sub(r"&\g<1>", _fixed(_resolved(_leaf(el))))
        elif tag == ATOM + "link":
            link = _atom_link(el, link) or ""
        elif tag in _RSS_CHANNEL_IGNORED:
            _ignore(el, _RSS_CHANNEL_IGNORED[tag])
        else:
            raise _Decline
    return RawFeed(link, tuple(entries))


def _text_type(el: ET.Element) -> bool:
    """Whether an Atom text construct is plain text; other types are left to feedparser."""
    plain = _TEXT_TYPES.get(el.get("type", "text").lower())
    if plain is None:
        raise _Decline
    return plain


def _atom_entry(entry: ET.Element, base: _Base) -> RawEntry:
    _check_attrs(entry, ())
    f, seen = _Fields(), set[str]()
    texts = ("type", _XML_BASE)
    for el in entry:
        tag = _once(el, seen)
        if tag == ATOM + "title":
            f.title, f.title_plain = _fixed(_leaf(el, ("type",))), _text_type(el)
            f.title_held = bool(f.title)
        elif tag == ATOM + "summary":
            f.summary, f.summary_plain = _fixed(_leaf(el, texts)), _text_type(el)
        elif tag == ATOM + "content":
            _text_type(el)
            f.add_content(_fixed(_leaf(el, texts)))
        elif tag == ATOM + "link":
            f.link = _atom_link(el, f.link, base.value)
        elif tag == ATOM + "id":
            f.identify(el, True, base=base.value)
        elif tag == ATOM + "published":
            f.published = _fixed(_leaf(el))
            f.published_parsed = parse_date(f.published)
        elif tag == ATOM + "updated":
            f.updated = _fixed(_leaf(el))
            f.updated_parsed = parse_date(f.updated)
        elif tag in _ATOM_IGNORED:
            _ignore(el, _ATOM_IGNORED[tag])
        elif tag in _MEDIA_LEAVES:
            _ignore(el, _LEAF)
        elif tag in (MEDIA + "content", MEDIA + "group", MEDIA + "title", MEDIA + "description"):
            _media(el, f)
        else:
            raise _Decline
        base.after(el)
    return f.raw()


def _atom(root: ET.Element) -> RawFeed:
    _check_attrs(root, ())
    link: str | None = None
    entries = []
    base = _Base()
    for el in root:
        tag = el.tag
        if tag == ATOM + "entry":
            entries.append(_atom_entry(el, base))
        elif tag == ATOM + "link":
            link = _atom_link(el, link, base.value)
        elif tag == ATOM + "id":  # feedparser takes a feed's id as its link until one comes
            text = _fixed(_resolved(_leaf(el), base.value))
            link = text if link is None else link
        elif tag in _ATOM_FEED_IGNORED:
            _ignore(el, _ATOM_FEED_IGNORED[tag])
        else:
            raise _Decline
    return RawFeed(link or "", tuple(entries))


def read_feed(body: bytes, headers: Mapping[str, str] | None = None) -> RawFeed | None:
    """The feed's raw entries, or None when feedparser must read it (see the module docstring).

    `headers`: the HTTP response headers, names lower-cased (their charset counts).
    """
    data = readable_document(body, headers or {})
    if data is None:
        return None
    parser = ET.XMLParser(encoding="utf-8")  # as feedparser, which re-encodes to UTF-8
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError:
        return None
    try:
        if root.tag == "rss" and plain_namespaces(data, atom=False):
            feed = _rss(root)
        elif root.tag == ATOM + "feed" and plain_namespaces(data, atom=True):
            feed = _atom(root)
        else:
            return None
    except _Decline:
        return None
    return feed if feed.entries else None
