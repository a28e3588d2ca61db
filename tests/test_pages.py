"""Notice pages read by CSS selectors, and the catalogue's sources parsed from fixtures in their
real structure (tests/data/pages, tests/data/feeds/catalogue)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import PageConfig
from bot.sources.catalogue import CatalogueEntry, catalogue
from bot.sources.entries import FeedError, parse_feed
from bot.sources.feeds import FeedPoller
from bot.sources.pages import Selectors, decode_page, parse_date, parse_page
from bot.store import Store
from bot.store.feeds import feed_health
from tests.helpers.store import read as read_store
from tests.peers.http_feeds import FeedServer

DATA = Path(__file__).parent / "data"
PAGES = DATA / "pages"
FEEDS = DATA / "feeds" / "catalogue"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BY_NAME = {e.name: e for e in catalogue()}


def selectors(entry: CatalogueEntry) -> Selectors:
    return Selectors(**entry.selectors)


def read(entry: str, fixture: str, base: str) -> list[tuple[str, str, date | None]]:
    e = BY_NAME[entry]
    got = parse_page((PAGES / fixture).read_bytes(), feed=e.name, now=NOW,
                     selectors=selectors(e), url=base)
    return [(x.title, x.link, x.published.date() if x.dated else None) for x in got]


# -- the catalogue's pages, from fixtures in their markup and charset -------------------------

def test_mofcom_listing_in_gbk_gives_full_titles_absolute_links_and_dates() -> None:
    got = read("mofcom-zcfb", "mofcom-zcfb.html", "https://www.mofcom.gov.cn/zwgk/zcfb/index.html")
    assert got == [
        ("商务部 海关总署公告2025年第61号 关于对境外相关稀土物项实施出口管制的决定",
         "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0001.html", date(2025, 10, 9)),
        ("商务部公告2025年第62号 关于对稀土相关技术实施出口管制的决定",
         "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0002.html", date(2025, 10, 9)),
        ("商务部等9部门关于促进家政服务消费的若干措施",
         "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0003.html", date(2025, 9, 28)),
    ]  # the navigation and footer lists are not notices


def test_customs_listing_reads_the_title_attribute_not_the_cut_text() -> None:
    got = read("gac-announcements", "gac-announcements.html", "http://www.customs.gov.cn/customs/302249/302266/302267/index.html")
    assert got[0] == (
        "商务部 海关总署公告2025年第57号 关于对部分稀土设备和原辅料相关物项实施出口管制的决定",
        "http://www.customs.gov.cn/customs/302249/302266/302267/6700001/index.html",
        date(2025, 10, 9))
    assert len(got) == 2 and got[1][2] == date(2025, 9, 30)


def test_mofcom_english_listing_finds_dates_in_the_item_text() -> None:
    got = read("mofcom-en-announcements", "mofcom-en-announcements.html",
               "https://english.mofcom.gov.cn/Policies/AnnouncementsOrders/index.html")
    assert [(t[:40], d) for t, _, d in got] == [
        ("MOFCOM Announcement No. 18 of 2025 on th", date(2025, 4, 4)),
        ("MOFCOM Order No. 3 of 2025 on Measures f", date(2025, 3, 20)),
    ]


def test_gov_cn_listing_resolves_relative_links_and_has_no_dates() -> None:
    got = read("gov-cn-zhengce-zuixin", "gov-cn-zhengce-zuixin.html", "https://www.gov.cn/zhengce/zuixin/")
    assert got == [
        ("国务院关于修订《中华人民共和国稀土管理条例》有关条款的决定",
         "https://www.gov.cn/zhengce/content_7000001.htm", None),
        ("国务院办公厅关于进一步优化营商环境的意见", "https://www.gov.cn/zhengce/content_7000002.htm", None),
    ]


def test_every_catalogue_page_has_a_fixture_that_yields_entries() -> None:
    pages = [e for e in catalogue() if e.kind == "page"]
    assert {f"{e.name}.html" for e in pages} <= {p.name for p in PAGES.glob("*.html")}
    for e in pages:
        assert parse_page((PAGES / f"{e.name}.html").read_bytes(), feed=e.name, now=NOW,
                          selectors=selectors(e), url=e.url), e.name


# -- the catalogue's feeds, from fixtures in their structure ---------------------------------

def test_wordpress_feed_with_content_encoded_dc_and_media() -> None:
    got = parse_feed((FEEDS / "mining-com.xml").read_bytes(), feed="mining-com", now=NOW)
    assert [e.title for e in got] == [
        "China tightens export licensing for dysprosium and terbium magnets",
        "Copper price climbs on supply worries in Chile"]
    assert got[0].link == ("https://www.mining.com/china-tightens-export-licensing-for-"
                           "dysprosium-and-terbium-magnets/")  # tracking parameters dropped
    assert got[0].summary.startswith("Beijing will require a licence for each shipment")
    assert got[0].published == datetime(2026, 11, 24, 7, 45, tzinfo=UTC)


def test_google_news_feed_in_chinese() -> None:
    got = parse_feed((FEEDS / "gnews.xml").read_bytes(), feed="gnews", now=NOW)
    assert [e.title for e in got] == ["商务部宣布对部分稀土物项实施出口管制 - 新华网",
                                      "Rare earth export controls: what buyers need to know - Reuters"]
    assert got[0].summary == "商务部宣布对部分稀土物项实施出口管制 新华网"
    assert got[0].link == "https://news.google.com/rss/articles/CBMiExampleArticleOne?oc=5"


def test_federal_register_feed_dates_at_local_midnight() -> None:
    got = parse_feed((FEEDS / "federal-register.xml").read_bytes(), feed="fr", now=NOW)
    assert [e.title for e in got][1] == ("Export Controls on Rare Earth Magnet Production "
                                         "Equipment; Request for Comments")
    assert got[0].published == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_feedburner_feed_keeps_its_entries_and_drops_the_tracking_pixel() -> None:
    (entry,) = parse_feed((FEEDS / "feedburner.xml").read_bytes(), feed="fb", now=NOW)
    assert entry.title == "Gallium prices jump after new export curbs"
    assert entry.summary == "Prices for gallium rose after the latest curbs."


# -- charsets and dates ----------------------------------------------------------------------

@pytest.mark.parametrize(("body", "headers", "codec"), [
    ("<meta charset='gbk'><p>稀土</p>".encode("gbk"), {}, "gb18030"),
    ("<p>稀土</p>".encode("gbk"), {"Content-Type": "text/html; charset=GB2312"}, "gb18030"),
    # the header wins over a <meta> that lies
    ("<meta charset='utf-8'><p>稀土</p>".encode("gbk"), {"content-type": "text/html;charset=gbk"},
     "gb18030"),
    ("<p>出口管制 稀土 政策發布 公告 關於對部分物項實施出口管制的決定 海關</p>".encode("big5"), {}, "big5"),
    ("<p>出口管制</p>".encode(), {}, "utf-8"),
])
def test_charset_from_header_meta_or_detection(body: bytes, headers: dict[str, str],
                                               codec: str) -> None:
    text, used = decode_page(body, headers)
    assert used.startswith(codec)
    assert "出口管制" in text or "稀土" in text


@pytest.mark.parametrize(("text", "expected"), [
    ("2025年10月9日", date(2025, 10, 9)), ("发布时间：2025 年 10 月 09 日", date(2025, 10, 9)),
    ("[2025-10-09]", date(2025, 10, 9)), ("2025/10/09", date(2025, 10, 9)),
    ("2025.10.09", date(2025, 10, 9)), ("第61号", None), ("2025-13-40", None),
])
def test_dates_chinese_and_iso(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_selectors_that_match_nothing_are_an_error_naming_them() -> None:
    body = (PAGES / "mofcom-zcfb.html").read_bytes()
    with pytest.raises(FeedError, match=r"no element on the page matches the item selector "
                                        r"'ul\.txtList_02 li'; the site may have changed"):
        parse_page(body, feed="m", now=NOW, selectors=Selectors("ul.txtList_02 li", "a"))
    with pytest.raises(FeedError, match="none has a title matching 'h3 a'"):
        parse_page(body, feed="m", now=NOW, selectors=Selectors("ul.txtList_01 li", "h3 a"))


# -- polled as a feed: conditional GET, first sight, back-off, health --------------------------

@pytest.fixture
def poller(store: Store) -> Iterator[FeedPoller]:
    with FeedPoller(store, timeout=2.0, connect_timeout=1.0, concurrency=4) as p:
        yield p


def page_config(url: str, **kw: object) -> PageConfig:
    return PageConfig.model_validate({
        "name": "mofcom", "url": url, "selectors": BY_NAME["mofcom-zcfb"].selectors, **kw})


def test_a_page_is_polled_like_a_feed(feed_server: FeedServer, poller: FeedPoller,
                                      store: Store) -> None:
    body = (PAGES / "mofcom-zcfb.html").read_bytes()
    url = feed_server.add("/zcfb/index.html", body, content_type="text/html", etag="v1")
    page = page_config(url, max_age="1000d")
    (first,) = poller.poll([page], NOW)
    assert first.status == "new" and len(first.new_entries) == 3
    (again,) = poller.poll([page], NOW + timedelta(hours=1), force=True)
    assert again.status == "not_modified"
    assert feed_server.requests_to("/zcfb/index.html")[-1].headers.get("if-none-match") == '"v1"'
    # the site changes its markup: an error in health, the entries stay, back-off starts
    feed_server.add("/zcfb/index.html", body.replace(b"txtList_01", b"newsList").replace(
        b"<li>", b"<div>").replace(b"</li>", b"</div>"), content_type="text/html", etag="v2")
    (broken,) = poller.poll([page], NOW + timedelta(hours=2), force=True)
    assert broken.status == "error" and "matches the item selector" in (broken.error or "")
    (health,) = read_store(store, feed_health, ["mofcom"])
    assert health.failures == 1 and "site may have changed" in (health.last_error or "")
    assert health.entries_seen == 3
    assert health.next_attempt is not None and health.next_attempt > NOW + timedelta(hours=2)


def test_a_configured_charset_overrides_a_wrong_declaration(feed_server: FeedServer,
                                                            poller: FeedPoller) -> None:
    body = (PAGES / "mofcom-zcfb.html").read_bytes().replace(b"charset=gb2312", b"charset=utf-8")
    url = feed_server.add("/p.html", body, content_type="text/html; charset=utf-8")
    (wrong,) = poller.poll([page_config(url, max_age="1000d")], NOW)
    assert "稀土" not in wrong.new_entries[0].title
    (right,) = poller.poll([page_config(url, max_age="1000d", charset="gbk", name="mofcom2")], NOW)
    assert "稀土" in right.new_entries[0].title
