"""Feeds (SPEC §4): parsing from bytes, and polling a loopback server that misbehaves on request.

Golden files: tests/data/feeds/<feed>.expected.json; rewrite them after an intended change
with CHOKEPOINT_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.sources.feeds as feeds_module
from bot.config import FeedConfig
from bot.models import Entry
from bot.sources.feeds import FeedError, FeedPoller, canonical_link, parse_feed, plain_text
from bot.store import Store
from bot.store.feeds import feed_health, mark_evaluated, pending_entries
from tests.helpers.store import entry_count, read
from tests.peers.http_feeds import FeedServer, gzip_bomb

DATA = Path(__file__).parent / "data" / "feeds"
NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
MB = 1024 * 1024


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rss(*items: tuple[str, str], title: str = "Feed") -> str:
    """An RSS 2.0 document of (guid, title) items, all published on 9 January 2025."""
    body = "".join(
        f"<item><title>{t}</title><guid>{g}</guid><link>https://ex.com/{g}</link>"
        "<pubDate>Thu, 09 Jan 2025 10:00:00 GMT</pubDate></item>" for g, t in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}' \
           "</channel></rss>"


@pytest.fixture
def poller(store: Store) -> Iterator[FeedPoller]:
    with FeedPoller(store, timeout=2.0, connect_timeout=1.0, concurrency=8) as p:
        yield p


def feed(name: str, url: str, **kw: Any) -> FeedConfig:
    return FeedConfig(name=name, url=url, **kw)


def peak_memory(fn: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["rss20.xml", "atom.xml", "rss10.rdf", "rss091.xml"])
def test_each_feed_format_parses_to_the_golden_entries(name: str) -> None:
    entries = parse_feed(fixture(name), feed="golden", now=NOW)
    got = [{**asdict(e), "published": e.published.isoformat()} for e in entries]
    golden = DATA / (name.rsplit(".", 1)[0] + ".expected.json")
    if os.environ.get("CHOKEPOINT_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_entries_are_plain_text_with_canonical_links_and_utc_times() -> None:
    first, second, no_link, _old = parse_feed(fixture("rss20.xml"), feed="wire", now=NOW)
    assert first.title == "China tightens dysprosium export controls & licences"
    assert first.summary == "MOFCOM said the measures apply from 1 February."  # script dropped
    assert first.link == "https://metals.example.com/2025/01/dy-controls/?id=7"
    assert first.published == datetime(2025, 1, 8, 8, 30, tzinfo=UTC)  # +0100 -> UTC
    assert second.link == "https://metals.example.com/2025/01/gallium/"
    assert no_link.published == NOW  # no date in the feed: first seen
    atom = parse_feed(fixture("atom.xml"), feed="desk", now=NOW)
    assert atom[1].title == "Terbium & the <quota> debate"  # type="text" keeps its brackets
    assert atom[1].link == "https://desk.example.org/news/terbium-quota"  # relative resolved


def test_plain_text_and_canonical_link_helpers() -> None:
    assert plain_text("<p>One</p><p>two &amp; <b>thr</b>ee</p><!-- x --><style>p{}</style>") \
        == "One two & three"
    assert plain_text('<a title="a>b" href="x">link</a>') == "link"
    assert canonical_link("HTTPS://Ex.COM/a?utm_source=x&b=1&fbclid=2&gclid=3#top") \
        == "https://ex.com/a?b=1"
    assert canonical_link("javascript:alert(1)") == ""
    assert canonical_link("https://[::1/broken") == ""  # not an exception that fails the feed


@pytest.mark.parametrize("hostile", ["<a " * 400_000, '<a "' * 300_000, "<!--" * 300_000,
                                     "<script>" * 150_000, "<" * 1_000_000])
def test_hostile_markup_is_stripped_in_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    text = plain_text(hostile)
    assert time.perf_counter() - started < 0.5
    assert len(text) <= 100_000  # only the head of a huge fragment is read


def test_a_first_line_built_to_stall_encoding_detection_is_refused_quickly() -> None:
    # feedparser's own regular expression needs minutes for this (cubic backtracking).
    hostile = b'<?xml version="1.0"?><rss>' + b"encoding='x " * 100_000
    started = time.perf_counter()
    with pytest.raises(FeedError, match="not well-formed"):
        parse_feed(hostile, feed="f", now=NOW)
    assert time.perf_counter() - started < 1.0


def test_identity_is_guid_else_link_else_title_and_date() -> None:
    def uids(doc: str) -> list[str]:
        return [e.uid for e in parse_feed(doc.encode(), feed="f", now=NOW)]

    item = "<item>{}</item>"
    doc = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{}</channel></rss>'
    by_guid = [item.format(f"<guid>g1</guid><title>{t}</title>") for t in ("A", "A, edited")]
    assert len(set(uids(doc.format("".join(by_guid))))) == 1
    by_link = [item.format(f"<title>B</title><link>https://ex.com/b{q}</link>")
               for q in ("", "?utm_source=tw", "#comments")]
    assert len(set(uids(doc.format("".join(by_link))))) == 1
    by_hash = [item.format(f"<title>{t}</title><pubDate>Thu, 09 Jan 2025 10:00:00 GMT</pubDate>")
               for t in ("C", "C", "D")]
    assert len(set(uids(doc.format("".join(by_hash))))) == 2
    # The same story in two feeds reaches the rules from each (one alert lists both sources).
    one = parse_feed(fixture("rss20.xml"), feed="a", now=NOW)[0]
    assert one.uid != parse_feed(fixture("rss20.xml"), feed="b", now=NOW)[0].uid


def test_html_page_and_broken_xml_without_entries_are_errors() -> None:
    with pytest.raises(FeedError, match="HTML page, not an RSS or Atom feed"):
        parse_feed(fixture("not_a_feed.html"), feed="f", now=NOW)
    with pytest.raises(FeedError, match="not well-formed XML and has no usable entries"):
        parse_feed(fixture("malformed_no_entries.xml"), feed="f", now=NOW)
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b'{"items": []}', feed="f", now=NOW)


def test_broken_xml_with_entries_is_used_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        entries = parse_feed(fixture("malformed_with_entries.xml"), feed="sloppy", now=NOW)
    assert [e.title for e in entries] == ["Antimony & tungsten curbs widen", "Second story"]
    assert "feed sloppy is not well-formed" in caplog.text


def test_entity_expansion_attack_does_not_blow_up() -> None:
    started = time.perf_counter()
    entries, peak = peak_memory(lambda: parse_feed(fixture("billion_laughs.xml"), feed="f",
                                                   now=NOW))
    assert time.perf_counter() - started < 1.0
    assert peak < 5 * MB
    assert all(len(e.title) < 100 and len(e.summary) < 100 for e in entries)


# -- polling ------------------------------------------------------------------------------

def test_polls_rss_atom_and_rdf_and_stores_each_entry(feed_server: FeedServer, store: Store,
                                                      poller: FeedPoller) -> None:
    configs = [feed(n.split(".")[0], feed_server.add(f"/{n}", fixture(n)))
               for n in ("rss20.xml", "atom.xml", "rss10.rdf")]
    results = poller.poll(configs, NOW)
    assert [(r.feed, r.status, len(r.new_entries)) for r in results] == [
        # rss20: one entry older than max_age and one without a date are stored quietly on the
        # feed's first sight (an undated entry may be old: adding a feed must not flood)
        ("rss20", "new", 2), ("atom", "new", 2), ("rss10", "new", 2)]
    with store.reader() as s:
        assert entry_count(s) == 8
    assert all("Chokepoint/" in (r.user_agent or "") for r in feed_server.requests)


def test_second_poll_with_etag_gets_304_and_parses_nothing(
    feed_server: FeedServer, poller: FeedPoller, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = feed_server.add("/f", fixture("rss20.xml"), etag="v1")
    assert poller.poll([feed("f", url)], NOW)[0].status == "new"
    parsed: list[bytes] = []
    monkeypatch.setattr(feeds_module, "parse_feed",
                        lambda body, **kw: parsed.append(body) or [])  # type: ignore[func-returns-value]
    result = poller.poll([feed("f", url)], NOW + timedelta(minutes=15))[0]
    assert (result.status, result.new_entries, parsed) == ("not_modified", (), [])
    assert feed_server.requests_to("/f")[-1].headers["if-none-match"] == '"v1"'


def test_revalidations_reuse_one_connection(feed_server: FeedServer, store: Store,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    connect = socket.create_connection
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **kw: opened.append(a[0]) or connect(*a, **kw))
    url = feed_server.add("/f", fixture("rss20.xml"), etag="v1")
    with FeedPoller(store, concurrency=1) as p:
        statuses = [p.poll([feed("f", url)], NOW + timedelta(minutes=m))[0].status
                    for m in (0, 15, 30)]
    assert statuses == ["new", "not_modified", "not_modified"]
    assert len(opened) == 1  # a 304 must not cost a new TCP (and TLS) handshake


def test_last_modified_is_sent_back_and_honoured(feed_server: FeedServer,
                                                 poller: FeedPoller) -> None:
    url = feed_server.add("/f", fixture("atom.xml"), last_modified=NOW - timedelta(hours=1))
    poller.poll([feed("f", url)], NOW)
    assert poller.poll([feed("f", url)], NOW + timedelta(minutes=15))[0].status == "not_modified"
    assert feed_server.requests_to("/f")[-1].headers["if-modified-since"] == \
        "Fri, 10 Jan 2025 11:00:00 GMT"


def test_unchanged_body_without_validators_is_not_parsed_again(
    feed_server: FeedServer, poller: FeedPoller,
) -> None:
    url = feed_server.add("/f", fixture("rss20.xml"))
    poller.poll([feed("f", url)], NOW)
    assert poller.poll([feed("f", url)], NOW + timedelta(minutes=15))[0].status == "not_modified"


def test_slow_feed_times_out_while_the_others_are_polled(feed_server: FeedServer,
                                                         store: Store) -> None:
    configs = [feed("slow", feed_server.add("/slow", fixture("rss20.xml"), delay=5))]
    configs += [feed(f"ok{i}", feed_server.add(f"/ok{i}", fixture("atom.xml"))) for i in range(3)]
    started = time.perf_counter()
    with FeedPoller(store, timeout=0.5) as p:
        results = p.poll(configs, NOW)
    assert time.perf_counter() - started < 2.5
    assert results[0].status == "error" and "timed out" in (results[0].error or "")
    assert [r.status for r in results[1:]] == ["new"] * 3


def test_huge_body_is_cut_off_at_the_cap_with_little_memory(feed_server: FeedServer,
                                                            store: Store) -> None:
    announced = feed("announced", feed_server.add("/big", huge=50 * MB))
    streamed = feed("streamed", feed_server.add("/chunked", huge=50 * MB, chunked=True))
    with FeedPoller(store, max_bytes=1 * MB) as p:
        results, peak = peak_memory(lambda: p.poll([announced, streamed], NOW))
    assert [r.status for r in results] == ["error", "error"]
    assert "50 MB, over the 1 MB limit" in (results[0].error or "")  # Content-Length said so
    assert "larger than the 1 MB limit" in (results[1].error or "")
    assert peak < 4 * MB
    assert feed_server.bytes_sent["/chunked"] < 20 * MB  # we stopped reading, not the server


def test_gzip_bomb_is_cut_off_on_decoded_size_with_little_memory(feed_server: FeedServer,
                                                                 store: Store) -> None:
    gzip_bomb(1 << 30)  # built (and cached) before memory is measured
    bomb = feed("bomb", feed_server.add("/bomb", gzip_bomb=True))
    started = time.perf_counter()
    with FeedPoller(store, max_bytes=2 * MB) as p:
        results, peak = peak_memory(lambda: p.poll([bomb], NOW))
    assert "larger than the 2 MB limit" in (results[0].error or "")
    assert peak < 6 * MB
    assert time.perf_counter() - started < 5


def test_redirects_are_followed_but_a_loop_is_an_error(feed_server: FeedServer,
                                                       poller: FeedPoller) -> None:
    feed_server.add("/real", fixture("rss10.rdf"))
    moved = feed("moved", feed_server.add("/old", redirect_to="/real", redirect_status=301))
    loop = feed("loop", feed_server.add("/a", redirect_to="/b"))
    feed_server.add("/b", redirect_to="/a")
    results = poller.poll([moved, loop], NOW)
    assert results[0].status == "new"
    assert results[1].status == "error"
    assert "redirected more than 5 times" in (results[1].error or "")
    assert feed_server.hits["/a"] + feed_server.hits["/b"] == 6


def test_html_instead_of_xml_and_malformed_xml(feed_server: FeedServer, store: Store,
                                               poller: FeedPoller) -> None:
    configs = [
        feed("html", feed_server.add("/html", body_html=fixture("not_a_feed.html").decode())),
        feed("broken", feed_server.add("/broken", fixture("malformed_no_entries.xml"))),
        feed("sloppy", feed_server.add("/sloppy", fixture("malformed_with_entries.xml"))),
    ]
    html, broken, sloppy = poller.poll(configs, NOW)
    assert "HTML page" in (html.error or "")
    assert broken.status == "error"
    assert (sloppy.status, len(sloppy.new_entries)) == ("new", 1)  # + 1 undated, kept quiet
    health = {h.name: h for h in read(store, feed_health)}
    assert health["html"].last_error == html.error and health["html"].failures == 1


def test_entity_expansion_from_the_server_is_harmless(feed_server: FeedServer,
                                                      poller: FeedPoller) -> None:
    url = feed_server.add("/lol", fixture("billion_laughs.xml"))
    (result,), peak = peak_memory(lambda: poller.poll([feed("lol", url)], NOW))
    assert result.status == "new" and peak < 5 * MB


def test_failing_feed_backs_off_then_recovers(feed_server: FeedServer, store: Store,
                                              poller: FeedPoller) -> None:
    cfg = feed("flaky", feed_server.add("/f", fixture("rss20.xml"), status=500), every="10m")
    waits = []
    at = NOW
    for _ in range(5):
        result = poller.poll([cfg], at)[0]
        assert result.status == "error" and result.error == \
            "the server answered HTTP 500 Internal Server Error"
        (health,) = read(store, feed_health)
        waits.append(health.next_attempt - at)  # type: ignore[operator]
        assert poller.poll([cfg], at + timedelta(minutes=5))[0].status == "skipped"
        at = health.next_attempt  # type: ignore[assignment]
    assert waits == [timedelta(minutes=m) for m in (10, 20, 40, 80, 80)]  # capped at 8x
    assert feed_server.hits["/f"] == 5
    feed_server.set("/f", status=200)
    assert poller.poll([cfg], at)[0].status == "new"
    (health,) = read(store, feed_health)
    assert (health.failures, health.last_success, health.next_attempt) == \
        (0, at, at + timedelta(minutes=10))
    assert health.last_error_at is not None and health.last_error_at < at
    assert health.entries_seen == 4


def test_force_polls_a_feed_in_back_off(feed_server: FeedServer, poller: FeedPoller) -> None:
    cfg = feed("flaky", feed_server.add("/f", status=503))
    poller.poll([cfg], NOW)
    feed_server.set("/f", status=200, body=fixture("rss10.rdf"))
    assert poller.poll([cfg], NOW + timedelta(minutes=1))[0].status == "skipped"
    assert poller.poll([cfg], NOW + timedelta(minutes=1), force=True)[0].status == "new"


def test_errors_carry_no_secret_from_the_url(feed_server: FeedServer, poller: FeedPoller) -> None:
    feed_server.add("/private", status=401)
    results = poller.poll([
        feed("private", feed_server.url("/private?token=s3cr3t-token")),
        feed("refused", "http://user:s3cr3t-pass@127.0.0.1:9/feed?key=s3cr3t-key"),
    ], NOW)
    assert all(r.status == "error" for r in results)
    assert all("s3cr3t" not in (r.error or "") for r in results)


def test_an_entry_is_new_once_across_polls_and_restarts(feed_server: FeedServer,
                                                        tmp_path: Path) -> None:
    url = feed_server.add("/f", rss(("g1", "Dysprosium ban"), ("g2", "Gallium quota")))
    cfg = feed("f", url)
    db = f"sqlite:///{tmp_path}/restart.db"

    def poll(at: datetime) -> list[str]:
        store = Store(db)
        with FeedPoller(store) as p:
            (result,) = p.poll([cfg], at)
        store.dispose()
        return [e.title for e in result.new_entries]

    assert poll(NOW) == ["Dysprosium ban", "Gallium quota"]
    feed_server.set("/f", body=rss(("g3", "Terbium halt"), ("g1", "Dysprosium ban (updated)"),
                                   ("g2", "Gallium quota")))
    assert poll(NOW + timedelta(minutes=15)) == ["Terbium halt"]
    feed_server.set("/f", body=rss(("g3", "Terbium halt"), ("g1", "Dysprosium ban")))
    assert poll(NOW + timedelta(minutes=30)) == []  # a restart: the store remembers


def test_first_sight_stores_old_entries_without_offering_them(
    feed_server: FeedServer, store: Store, poller: FeedPoller,
) -> None:
    cfg = feed("wire", feed_server.add("/f", fixture("rss20.xml")), max_age="7d")
    (result,) = poller.poll([cfg], NOW)
    assert "An old story from last year" not in [e.title for e in result.new_entries]
    with store.reader() as s:
        assert entry_count(s, "wire") == 4  # stored, so it never alerts later either
    pending = read(store, pending_entries)
    assert [e.uid for e in pending] == [e.uid for e in result.new_entries]
    with store.session() as s:
        mark_evaluated(s, [e.uid for e in pending[:2]])
    assert read(store, pending_entries) == pending[2:]
    assert (read(store, feed_health)[0].entries_seen, read(store, feed_health)[0].last_new_entry) == (4, NOW)


def test_a_big_cycle_parses_in_worker_processes(feed_server: FeedServer, store: Store) -> None:
    count = 40  # over PROCESS_THRESHOLD
    configs = [feed(f"f{i}", feed_server.add(f"/f{i}", rss((f"g{i}", f"Story {i}"))))
               for i in range(count)]
    configs.append(feed("html", feed_server.add("/html", body_html="<html>nope</html>")))
    with FeedPoller(store, parse_processes=2) as p:
        results = p.poll(configs, NOW)
    assert [r.status for r in results] == ["new"] * count + ["error"]
    assert "HTML page" in (results[-1].error or "")  # a FeedError crosses the process boundary
    new: list[Entry] = [e for r in results for e in r.new_entries]
    assert sorted(e.title for e in new) == sorted(f"Story {i}" for i in range(count))


def test_replicas_polling_at_once_offer_each_entry_once_on_postgresql(
    feed_server: FeedServer, postgres_url: str,
) -> None:
    items = [(f"g{i}", f"Story {i}") for i in range(50)]
    cfg = feed("shared", feed_server.add("/f", rss(*items)))
    Store(postgres_url).dispose()  # schema first, so the replicas only race on entries
    offered: list[str] = []
    barrier = threading.Barrier(4)

    def replica() -> None:
        store = Store(postgres_url, create=False)
        with FeedPoller(store) as p:
            barrier.wait()
            (result,) = p.poll([cfg], NOW)
        offered.extend(e.uid for e in result.new_entries)
        store.dispose()

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = Store(postgres_url, create=False)
    assert sorted(offered) == sorted({e.uid for e in read(store, pending_entries)})
    with store.reader() as s:
        assert len(offered) == entry_count(s) == 50
    store.dispose()
