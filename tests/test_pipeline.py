"""The pipeline end to end inside one process: feeds -> rules -> alerts -> a loopback Slack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Config, Secrets, load_config
from bot.pipeline import Pipeline
from bot.store import Store
from bot.store.alerts import alerts_since
from bot.store.licences import current_licences
from bot.store.schema import Delivery
from tests.helpers.store import read
from tests.peers.slack_api import SlackApiPeer

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{d}</pubDate><description>{t}.</description></item>"
        for t, link, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Config, Path]]:
    (tmp_path / "a.xml").write_text(rss([]))
    (tmp_path / "b.xml").write_text(rss([]))
    (tmp_path / "licences.csv").write_text(
        "licence_id,holder,material,expires,status\nL-1,Ganzhou Example,Dy,2026-12-30,active\n")
    (tmp_path / "c.yaml").write_text(
        f"database: sqlite:///{tmp_path}/p.db\nrules: {ROOT / 'rules'}\n"
        "feeds:\n  - {name: wire-a, url: a.xml}\n  - {name: wire-b, url: b.xml}\n"
        "licences: {source: licences.csv}\nslack: {default_channel: '#risk'}\n")
    yield load_config(tmp_path / "c.yaml"), tmp_path


def make(config: Config, peer: SlackApiPeer) -> Pipeline:
    secrets = Secrets.model_construct(slack_bot_token=SecretStr("xoxb-test"), slack_api_url=peer.url)
    return Pipeline(config, Store(config.database_url), secrets, worker_id="t")


def test_a_further_source_updates_the_message_and_replies_in_its_thread(
        setup: tuple[Config, Path], slack_peer: SlackApiPeer) -> None:
    config, folder = setup
    pipeline = make(config, slack_peer)
    (folder / "a.xml").write_text(rss([(
        "China halts dysprosium oxide exports pending licence review",
        "https://a.example/dy-halt", "Tue, 24 Nov 2026 07:00:00 GMT")]))
    pipeline.cycle(NOW)
    posts = [c for c in slack_peer.calls_to("chat.postMessage") if "halts" in c.body["text"]]
    assert len(posts) == 1
    (folder / "b.xml").write_text(rss([(
        "China halts exports of dysprosium oxide, pending review of licences",
        "https://b.example/dysprosium", "Tue, 24 Nov 2026 09:30:00 GMT")]))
    report = pipeline.cycle(NOW + timedelta(hours=2))
    assert report.evaluation.new_alerts == [] and len(report.evaluation.joined) == 1
    with pipeline.store.reader() as s:
        story = next(a for a in alerts_since(s, None) if a.rule_type == "news_restriction")
        root = s.scalar(select(Delivery.slack_ts).where(Delivery.alert_id == story.id,
                                                        Delivery.kind == "post"))
    assert [x.url for x in story.sources] == ["https://a.example/dy-halt", "https://b.example/dysprosium"]
    replies = [c for c in slack_peer.calls_to("chat.postMessage") if c.body.get("thread_ts") == root]
    assert len(replies) == 1 and "Also reported by *wire-b*" in replies[0].body["text"]
    updates = [c for c in slack_peer.calls_to("chat.update") if c.body["ts"] == root]
    assert len(updates) == 1 and "b.example/dysprosium" in str(updates[0].body["blocks"])
    # A third cycle with nothing new sends nothing.
    calls = len(slack_peer.calls)
    pipeline.cycle(NOW + timedelta(hours=3))
    assert len(slack_peer.calls) == calls
    pipeline.close()


def test_a_broken_register_keeps_the_last_good_one_and_tells_operators_once_a_day(
        setup: tuple[Config, Path], slack_peer: SlackApiPeer) -> None:
    config, folder = setup
    pipeline = make(config, slack_peer)
    pipeline.cycle(NOW)
    (folder / "licences.csv").write_bytes(b"\x00\x01 not a csv")
    for hours in (1, 2):
        pipeline.cycle(NOW + timedelta(hours=hours))
    assert [lic.licence_id for lic in read(pipeline.store, current_licences)] == ["L-1"]
    operator = [c for c in slack_peer.calls_to("chat.postMessage")
                if "could not be loaded" in c.body["text"]]
    assert len(operator) == 1 and "licences.csv" in str(operator[0].body["blocks"])
    pipeline.close()


def test_evaluating_again_after_a_crash_records_nothing_twice(
        setup: tuple[Config, Path], slack_peer: SlackApiPeer) -> None:
    config, folder = setup
    (folder / "a.xml").write_text(rss([(
        "Beijing bans terbium metal exports to US defence firms", "https://a.example/tb",
        "Tue, 24 Nov 2026 07:00:00 GMT")]))
    pipeline = make(config, slack_peer)
    pipeline.poll_feeds(NOW)
    pipeline.refresh_licences(NOW)
    ctx, _ = pipeline.context(NOW)
    from bot.rules.base import evaluate_rules

    # The crash: alerts were committed, entries never marked evaluated.
    pipeline.record(evaluate_rules(pipeline.rules, ctx).matches, NOW)
    again = pipeline.evaluate(NOW)
    assert again.entries == 1 and again.new_alerts == []
    with pipeline.store.reader() as s:
        keys = [a.key for a in alerts_since(s, None)]
    # The story, the licence at 36 days (60-day warning), and the bundled register's US-ban
    # suspension lapsing on 27 November (the 7-day warning).
    assert len(keys) == len(set(keys)) == 3
    pipeline.close()
