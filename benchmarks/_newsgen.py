"""Benchmark feeds in the shapes of real news feeds (the "news" corpus of poll_cycle.py).

The shapes follow tests/data/feeds/news/ (BBC, NYT, CNN via FeedBurner, the Guardian, a
FeedBurner wire, WordPress.com, an Atom feed with xml:base) plus the RSS 1.0 that some sites
still serve. Summaries are HTML-heavy (paragraphs, links, images, FeedBurner flare, tracking
pixels, now and then the broken markup real feeds carry), and sizes run from ~5 KB to 2 MB:
most feeds carry short descriptions, full-content blogs carry whole articles.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape

from _feedgen import _SENTENCES, ENTRIES_PER_FEED, _headline, _summary_html

__all__ = ["SHAPES", "news_feed_document"]

SHAPES = ("bbc", "nyt", "cnn", "guardian", "wire", "wordpress", "atom_base", "rdf")
_WEIGHTS = (16, 14, 14, 14, 12, 16, 9, 5)  # RSS 1.0 goes to feedparser (the honest share)
_BROKEN = ('<a href="javascript:void(\'<x>\')">More</a>', "<a...Read More",
           "<custom-card data-id=7>Related</custom-card>", '<span class="x>Notes</span>')
_MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'
_FB = 'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'


def _html(rng: random.Random, big: bool) -> str:
    html = _summary_html(rng)
    if big:  # a whole article: 20-100 KB of paragraphs and figures
        parts = [html]
        for k in range(rng.randint(12, 90)):
            parts.append(f'<figure><img src="https://img.example/{k}.jpg" alt="Figure {k}" '
                         f'width="1024" height="683"><figcaption>Figure {k}</figcaption></figure>'
                         + _summary_html(rng))
        html = "\n".join(parts)
    if rng.random() < 0.1:
        html += " " + rng.choice(_BROKEN)
    return html


def _items(rng: random.Random, site: str, now: datetime, epoch: int, index: int
           ) -> list[tuple[str, str, datetime, str]]:
    out = []
    for k in range(ENTRIES_PER_FEED):
        published = now - timedelta(minutes=rng.randint(5, 48 * 60))
        out.append((escape(_headline(rng)), f"{site}/{published:%Y/%m/%d}/story-{epoch}-{index}-{k}",
                    published, f"{epoch}-{index}-{k}"))
    return out


def news_feed_document(index: int, now: datetime, epoch: int = 0) -> bytes:
    """Feed number `index` in one of SHAPES (chosen by index), ENTRIES_PER_FEED entries."""
    rng = random.Random(index * 7_000_003 + epoch)
    shape = rng.choices(SHAPES, _WEIGHTS)[0]
    # Full-content feeds: one in six WordPress feeds carries whole articles (up to ~2 MB).
    big = shape == "wordpress" and rng.random() < 0.17
    site = f"https://{shape}{index}.news.example"
    items = _items(rng, site, now, epoch, index)
    return globals()[f"_{shape}"](rng, site, now, items, big).encode()


def _sentence(rng: random.Random) -> str:
    return rng.choice(_SENTENCES).format(n=rng.randint(2, 95), n2=rng.randint(96, 180),
                                         region="Chile", country="Japan")


def _rfc(d: datetime) -> str:
    return format_datetime(d, usegmt=True)


def _bbc(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "".join(
        f"<item><title><![CDATA[{t}]]></title><description><![CDATA[{_sentence(rng)}]]>"
        f"</description><link>{link}</link><guid isPermaLink=\"false\">{link}#0</guid>"
        f"<pubDate>{_rfc(d)}</pubDate><media:thumbnail width=\"240\" height=\"135\" "
        f"url=\"{site}/img/{slug}.jpg\"/></item>" for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet title="XSL_formatting" '
            'type="text/xsl" href="/shared/bsp/xsl/rss/nolsol.xsl"?><rss xmlns:dc="http://purl.org/dc/'
            'elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom='
            f'"http://www.w3.org/2005/Atom" version="2.0" {_MEDIA}><channel><title><![CDATA[News]]>'
            f"</title><description><![CDATA[News]]></description><link>{site}/news</link><image>"
            f"<url>{site}/logo.gif</url><title>News</title><link>{site}/news</link></image>"
            f"<generator>RSS for Node</generator><lastBuildDate>{_rfc(now)}</lastBuildDate>"
            f"<copyright><![CDATA[(C) {site}]]></copyright><language><![CDATA[en-gb]]></language>"
            f"<ttl>15</ttl>{body}</channel></rss>")


def _nyt(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "".join(
        f"<item><title>{t}</title><link>{link}.html</link><guid isPermaLink=\"true\">{link}.html"
        f"</guid><atom:link href=\"{link}.html\" rel=\"standout\"></atom:link><description>"
        f"{escape(_summary_html(rng)[:400])}</description><dc:creator>Staff</dc:creator>"
        f"<pubDate>{_rfc(d)}</pubDate><category domain=\"{site}/keywords/des\">Mining</category>"
        f"<media:content height=\"1800\" medium=\"image\" url=\"{site}/img/{slug}.jpg\" "
        f"width=\"1800\"></media:content><media:credit>Photo Desk</media:credit>"
        f"<media:description>A picture for story {slug}.</media:description></item>"
        for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:atom="http://www.w3.org/2005/Atom" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" {_MEDIA} version="2.0" '
            'xmlns:nyt="http://www.nytimes.com/namespaces/rss/2.0"><channel><title>Paper &gt; '
            f"Business</title><link>{site}/section/business</link><atom:link href=\"{site}/rss.xml"
            '" rel="self" type="application/rss+xml"></atom:link><description></description>'
            f"<language>en-us</language><lastBuildDate>{_rfc(now)}</lastBuildDate>{body}"
            "</channel></rss>")


def _flare(site: str, slug: str) -> str:
    return (f'<div class="feedflare"><a href="{site}/~ff/x?a={slug}"><img src="{site}/~ff/x?d='
            f'{slug}" border="0"></img></a></div><img src="{site}/~r/x/~4/{slug}" height="1" '
            'width="1" alt=""/>')


def _cnn(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "\n".join(
        f"<item>\n<title><![CDATA[{t}]]></title>\n<description><![CDATA[{_summary_html(rng)[:500]}"
        f"{_flare(site, slug)}]]></description>\n<link>{link}/index.html</link>\n<guid "
        f"isPermaLink=\"true\">{link}/index.html</guid>\n<pubDate>{_rfc(d)}</pubDate>\n"
        f"<media:group><media:content medium=\"image\" url=\"{site}/a/{slug}-169.jpg\" height=\"619\""
        f" width=\"1100\" type=\"image/jpeg\"/><media:content medium=\"image\" url=\"{site}/a/"
        f"{slug}-11.jpg\" height=\"300\" width=\"300\" type=\"image/jpeg\"/></media:group>\n</item>"
        for t, link, d, slug in items)
    return ('\n<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" media="screen" '
            'href="/~d/styles/rss2full.xsl"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/'
            f'2005/Atom" {_MEDIA} {_FB} version="2.0"><channel>\n<title><![CDATA[World]]></title>\n'
            f"<description><![CDATA[Top stories]]></description>\n<link>{site}/world</link>\n"
            f"<lastBuildDate>{_rfc(now)}</lastBuildDate>\n<ttl>10</ttl>\n<atom10:link xmlns:atom10="
            f'"http://www.w3.org/2005/Atom" rel="self" type="application/rss+xml" href="{site}/rss" />'
            f'\n<feedburner:info uri="rss/world" />\n{body}\n</channel></rss>')


def _guardian(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{escape(_html(rng, False))}"
        f"</description><category domain=\"{site}/mining\">Mining</category><pubDate>{_rfc(d)}"
        f"</pubDate><guid>{link}</guid><media:content width=\"140\" url=\"{site}/img/{slug}.jpg?"
        "width=140&amp;quality=85\"><media:credit scheme=\"urn:ebu\">Photograph: Desk</media:credit>"
        f"</media:content><dc:creator>Staff</dc:creator><dc:date>{d.isoformat()}</dc:date></item>"
        for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:dc="http://purl.org/dc/elements/1.1/"'
            f' {_MEDIA} version="2.0"><channel><title>Environment</title><link>{site}/environment'
            "</link><description>Latest news</description><language>en-gb</language><pubDate>"
            f"{_rfc(now)}</pubDate><dc:date>{now.isoformat()}</dc:date><dc:language>en-gb"
            f"</dc:language><dc:rights>(c) Desk</dc:rights>{body}</channel></rss>")


def _wire(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "\n".join(
        f"<item>\n<title>{t}</title>\n<link>{site}/~r/wire/~3/{slug}/story</link>\n<category>"
        f"commoditiesNews</category>\n<description>{escape(_summary_html(rng)[:600] + _flare(site, slug))}"
        f"</description>\n<pubDate>{_rfc(d)}</pubDate>\n<guid isPermaLink=\"false\">{link}</guid>\n"
        f"<feedburner:origLink>{link}?feedType=RSS</feedburner:origLink></item>"
        for t, link, d, slug in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss {_FB} version="2.0">\n<channel>\n<title>'
            f"Wire: Commodities</title>\n<link>{site}</link>\n<description>Wire news</description>\n"
            f"<language>en-us</language>\n<lastBuildDate>{_rfc(now)}</lastBuildDate>\n<atom10:link "
            f'xmlns:atom10="http://www.w3.org/2005/Atom" rel="self" type="application/rss+xml" '
            f'href="{site}/feed" /><feedburner:info uri="wire/commodities" />{body}\n</channel>\n</rss>')


def _wordpress(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    wp = 'xmlns="com-wordpress:feed-additions:1"'
    body = "\n".join(
        f"\t<item>\n\t\t<title>{t}</title>\n\t\t<link>{link}/</link>\n\t\t<dc:creator><![CDATA[desk]]>"
        f"</dc:creator>\n\t\t<pubDate>{_rfc(d)}</pubDate>\n\t\t<category><![CDATA[Metals]]></category>"
        f"\n\t\t<guid isPermaLink=\"false\">{site}/?p={slug}</guid>\n\t\t<description><![CDATA["
        f"{_summary_html(rng)[:400]} <a href=\"{link}/\" class=\"more-link\">Continue reading</a>]]>"
        f"</description>\n\t\t<content:encoded><![CDATA[{_html(rng, big)}]]></content:encoded>\n"
        f"\t\t<slash:comments>0</slash:comments>\n\t\t<post-id {wp}>{slug}</post-id>\n\t\t"
        f"<media:content url=\"https://gravatar.example/{slug}?s=96&#38;d=identicon\" medium=\"image\">"
        "\n\t\t\t<media:title type=\"html\">desk</media:title>\n\t\t</media:content>\n\t</item>"
        for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n\txmlns:content="http://purl.org/'
            'rss/1.0/modules/content/"\n\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n\txmlns:dc='
            '"http://purl.org/dc/elements/1.1/"\n\txmlns:atom="http://www.w3.org/2005/Atom"\n\txmlns:sy='
            '"http://purl.org/rss/1.0/modules/syndication/"\n\txmlns:slash="http://purl.org/rss/1.0/'
            f'modules/slash/"\n\t{_MEDIA}\n\t>\n<channel>\n\t<title>Notebook</title>\n\t<atom:link href='
            f'"{site}/feed/" rel="self" type="application/rss+xml" />\n\t<link>{site}</link>\n\t'
            f"<description>Notes</description>\n\t<lastBuildDate>{_rfc(now)}</lastBuildDate>\n\t"
            "<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\t<generator>http://wordpress.com/"
            f"</generator>\n\t<site {wp}>12345</site>\n{body}\n</channel>\n</rss>\n")


def _atom_base(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "\n".join(
        f'  <entry>\n    <title type="html">{t}</title>\n    <link rel="alternate" type="text/html" '
        f'href="{link}/"/>\n    <id>tag:{site[8:]},2026:{slug}</id>\n    <published>{d.isoformat()}'
        f"</published>\n    <updated>{d.isoformat()}</updated>\n    <author><name>Desk</name>"
        f'</author>\n    <content type="html" xml:base="{site}/">{escape(_html(rng, False))}'
        "</content>\n  </entry>" for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="en">\n  <title>Log</title>\n  <link rel="alternate" type="text/html" href="'
            f'{site}/"/>\n  <id>tag:{site[8:]},2026:feed</id>\n  <updated>{now.isoformat()}</updated>'
            f"\n{body}\n</feed>\n")


def _rdf(rng: random.Random, site: str, now: datetime, items: list, big: bool) -> str:  # type: ignore[type-arg]
    body = "".join(
        f'<item rdf:about="{link}"><title>{t}</title><link>{link}</link><description>'
        f"{escape(_summary_html(rng)[:500])}</description><dc:date>{d.isoformat()}</dc:date></item>"
        for t, link, d, slug in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
            '22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/'
            f'elements/1.1/"><channel rdf:about="{site}/"><title>Slash</title><link>{site}/</link>'
            f"<description>News</description></channel>{body}</rdf:RDF>")
