"""Realistic RSS/Atom feeds for the benchmarks, served on loopback by the tests' FeedServer."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py`: make `bot` and `tests` importable
    sys.path.insert(0, str(REPO))

from tests.peers.http_feeds import FeedServer  # noqa: E402

ENTRIES_PER_FEED = 20

# Roughly what a mining/commodities news desk publishes: most stories are about something
# else, about one in ten names a watched material, and some of those restrict or ease.
_SUBJECTS = (
    "copper", "gold", "lithium", "nickel", "iron ore", "cobalt", "zinc", "silver", "uranium",
    "coal", "potash", "platinum", "aluminium", "tin", "manganese",
)
_WATCHED = (
    "rare earths", "dysprosium", "terbium", "neodymium magnets", "gallium", "germanium",
    "antimony", "graphite", "tungsten", "Dy2O3", "NdFeB magnets", "samarium-cobalt magnets",
)
_PLAIN_HEADLINES = (
    "{company} reports record quarterly {subject} output",
    "{subject} price climbs as {region} demand recovers",
    "{company} secures financing for {region} {subject} project",
    "{region} approves environmental permit for {subject} mine",
    "Analysts cut {subject} forecast on weaker {region} construction",
    "{company} appoints new chief executive after {subject} writedown",
    "Strike halts work at {company} {subject} smelter in {region}",
    "{company} and {company2} agree {subject} offtake deal",
    "Drilling at {region} {subject} prospect returns high grades",
    "{subject} stockpiles fall for a third week",
)
_RESTRICT_HEADLINES = (
    "China tightens export controls on {watched}",
    "Beijing suspends {watched} shipments to {country}",
    "China denies export licences for {watched} as talks stall",
    "MOFCOM adds {watched} to dual-use export control list",
    "China cuts {watched} export quota for second half",
)
_EASE_HEADLINES = (
    "China resumes {watched} exports to {country} after licence approvals",
    "Beijing lifts ban on {watched} shipments",
    "China grants general licences for {watched} exports",
)
_SENTENCES = (
    "The company said output rose {n} per cent year on year, helped by higher recoveries at "
    "its flagship operation.",
    "Traders in {region} said spot availability remained tight and premiums were holding "
    "near recent highs.",
    "Industry groups warned that <strong>downstream manufacturers</strong> had only weeks of "
    "inventory left.",
    "Shares rose {n}% in early trading in Sydney &amp; Toronto before paring gains.",
    "The ministry said the measures were needed to protect national security and interests "
    "and would apply from the first of next month.",
    "Analysts at the bank expect prices to average ${n},000 a tonne next year, up from "
    "their previous forecast.",
    "Customs data showed shipments to {country} fell by {n}% from the previous month.",
    "Buyers in Japan and Europe have been seeking alternative supply from Australia, "
    "Vietnam and the United States.",
    "The project is expected to produce {n},000 tonnes a year once it reaches nameplate "
    "capacity in 2027.",
    "A spokesperson declined to comment on individual licence applications.",
    "<em>Read more:</em> <a href=\"https://example.com/markets/{n}?utm_source=rss\">"
    "market outlook for the quarter</a>.",
    "The decision follows months of negotiations between the two governments over tariffs "
    "and technology controls.",
    "Exploration spending in {region} has doubled since 2021, according to the survey.",
    "The miner kept its full-year guidance unchanged at {n} to {n2} kilotonnes.",
)
_COMPANIES = ("Lynas", "MP Materials", "Iluka", "Rio Tinto", "BHP", "Glencore", "Anglo American",
              "Freeport", "Albemarle", "Pilbara Minerals", "Northern Minerals", "Arafura")
_REGIONS = ("Western Australia", "Chile", "Quebec", "Nevada", "Inner Mongolia", "Jiangxi",
            "Kazakhstan", "Brazil", "Namibia", "Greenland")
_COUNTRIES = ("the US", "Japan", "Germany", "South Korea", "the Netherlands", "India")


@dataclass(frozen=True)
class ServedFeed:
    """One benchmark feed: its name (a valid FeedConfig name) and its URL on the server."""

    name: str
    url: str


def _headline(rng: random.Random) -> str:
    roll = rng.random()
    pool = (_PLAIN_HEADLINES if roll < 0.88
            else _RESTRICT_HEADLINES if roll < 0.96 else _EASE_HEADLINES)
    return rng.choice(pool).format(
        company=rng.choice(_COMPANIES), company2=rng.choice(_COMPANIES),
        subject=rng.choice(_SUBJECTS), region=rng.choice(_REGIONS),
        watched=rng.choice(_WATCHED), country=rng.choice(_COUNTRIES),
    )


def _summary_html(rng: random.Random) -> str:
    """1-2 KB of HTML paragraphs, with a link, emphasis and entities, as real feeds carry."""
    target = rng.randint(1000, 2000)
    paragraphs: list[str] = []
    size = 0
    while size < target:
        sentences = " ".join(
            rng.choice(_SENTENCES).format(n=rng.randint(2, 95), n2=rng.randint(96, 180),
                                          region=rng.choice(_REGIONS),
                                          country=rng.choice(_COUNTRIES))
            for _ in range(rng.randint(2, 4))
        )
        paragraphs.append(f"<p>{sentences}</p>")
        size += len(paragraphs[-1])
    return "\n".join(paragraphs)


def feed_document(index: int, now: datetime, epoch: int = 0) -> bytes:
    """Feed number `index`: RSS 2.0 (four in five) or Atom, ENTRIES_PER_FEED recent entries.

    `epoch` changes every guid and headline, so a later cycle can serve entries not seen before.
    """
    rng = random.Random(index * 1_000_003 + epoch)
    site = f"https://news{index}.example.com"
    items = []
    for k in range(ENTRIES_PER_FEED):
        published = now - timedelta(minutes=rng.randint(5, 48 * 60))
        slug = f"{epoch}-{index}-{k}"
        items.append((escape(_headline(rng)), f"{site}/{published:%Y/%m}/story-{slug}/"
                      "?utm_source=rss&amp;utm_medium=feed", published, slug,
                      _summary_html(rng), rng.sample(_SUBJECTS, 3)))
    if index % 5 == 4:
        return _atom(index, site, now, items).encode()
    return _rss(index, site, now, items).encode()


def _rss(index: int, site: str, now: datetime, items: list[tuple]) -> str:  # type: ignore[type-arg]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>Mining News {index}</title><link>{site}/</link>"
        f'<atom:link href="{site}/feed/" rel="self" type="application/rss+xml"/>'
        "<description>Mining and metals news</description><language>en-US</language>"
        f"<lastBuildDate>{format_datetime(now, usegmt=True)}</lastBuildDate>"
    ]
    for title, link, published, slug, html, cats in items:
        categories = "".join(f"<category><![CDATA[{c}]]></category>" for c in cats)
        parts.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f"<dc:creator><![CDATA[Staff Writer]]></dc:creator>"
            f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>{categories}"
            f'<guid isPermaLink="false">{site}/?p={slug}</guid>'
            f"<description><![CDATA[{html}]]></description></item>"
        )
    parts.append("</channel></rss>\n")
    return "\n".join(parts)


def _atom(index: int, site: str, now: datetime, items: list[tuple]) -> str:  # type: ignore[type-arg]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Metals Desk {index}</title><id>{site}/</id>"
        f'<link href="{site}/" rel="alternate"/><updated>{now.isoformat()}</updated>'
    ]
    for title, link, published, slug, html, cats in items:
        categories = "".join(f'<category term="{c}"/>' for c in cats)
        parts.append(
            f"<entry><title>{title}</title><link href=\"{link}\" rel=\"alternate\"/>"
            f"<id>tag:news{index}.example.com,2026:{slug}</id>"
            f"<published>{published.isoformat()}</published>"
            f"<updated>{published.isoformat()}</updated>"
            f"<author><name>Staff Writer</name></author>{categories}"
            f'<summary type="html">{escape(html)}</summary></entry>'
        )
    parts.append("</feed>\n")
    return "\n".join(parts)


CORPORA = ("generated", "news")  # news: the shapes of real news feeds (_newsgen.py)


def corpus_document(corpus: str, index: int, now: datetime, epoch: int = 0) -> bytes:
    if corpus == "news":
        from _newsgen import news_feed_document

        return news_feed_document(index, now, epoch)
    return feed_document(index, now, epoch)


def add_feeds(server: FeedServer, count: int, now: datetime, epoch: int = 0,
              corpus: str = "generated") -> list[ServedFeed]:
    """Serve `count` feeds, each with an ETag and Last-Modified (so a second poll can get 304)."""
    feeds = []
    for i in range(count):
        path = f"/feeds/{i}.xml"
        body = corpus_document(corpus, i, now, epoch)
        kind = "application/atom+xml" if b"<feed xmlns" in body[:300] else "application/rss+xml"
        url = server.add(path, body, etag=f"v{epoch}-{i}", content_type=f"{kind}; charset=utf-8",
                         last_modified=now - timedelta(minutes=1))
        feeds.append(ServedFeed(f"feed-{i:05d}", url))
    return feeds


@contextmanager
def serve_feeds(
    count: int, *, latency: float, now: datetime | None = None, epoch: int = 0,
    corpus: str = "generated",
) -> Iterator[tuple[FeedServer, list[ServedFeed]]]:
    """A started FeedServer with `count` feeds and `latency` seconds added to every response."""
    now = now or datetime.now(UTC)
    with FeedServer(latency=latency) as server:
        yield server, add_feeds(server, count, now, epoch, corpus)
