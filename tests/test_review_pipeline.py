"""Regression tests for bugs found in review, each a behaviour a user would notice (an empty
feed, easing order, a row turning bad, undated entries, news snoozes, renewals across
destinations, an unreachable database, a feeds-only configuration). All are fixed; these
keep them fixed.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.alerts.snooze import snooze_alert
from bot.config import Config, Secrets, load_config
from bot.pipeline import Pipeline
from bot.sources.entries import FeedError, parse_feed
from bot.store import Store
from bot.store.alerts import alerts_since
from bot.store.licences import current_licences
from bot.store.schema import Delivery
from tests.helpers.store import read

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HEADER = "licence_id,holder,end_user,material,destination,expires,status\n"


def rss(items: list[tuple[str, str, str | None]]) -> str:
    """Items of (title, link, RFC 822 date or None for an undated item)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + f"<description>{t}.</description></item>"
        for t, link, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "a.xml").write_text(rss([]))
    (tmp_path / "licences.csv").write_text(HEADER)
    (tmp_path / "c.yaml").write_text(
        f"database: sqlite:///{tmp_path}/p.db\nrules: {ROOT / 'rules'}\n"
        "feeds:\n  - {name: wire-a, url: a.xml}\n"
        "licences: {source: licences.csv}\nslack: {default_channel: '#risk'}\n")
    yield tmp_path


def pipeline_for(folder: Path) -> tuple[Config, Pipeline]:
    config = load_config(folder / "c.yaml")
    # No Slack token: the console channel stands in (SPEC §6), so nothing leaves the process.
    secrets = Secrets.model_construct()
    return config, Pipeline(config, Store(config.database_url), secrets, console=io.StringIO(),
                            worker_id="t")


def _alerts(pipeline: Pipeline) -> list:
    with pipeline.store.reader() as s:
        return alerts_since(s, None)


# -- 1. An empty feed body --------------------------------------------------------------------

def test_an_empty_feed_body_is_reported_as_an_empty_feed_not_a_crash() -> None:
    with pytest.raises(FeedError, match=r"empty|not an RSS|not XML"):
        parse_feed(b"", feed="f", now=NOW)


# -- 2. Easing news older than a restriction marks the restriction eased ----------------------

def test_an_easing_published_before_a_restriction_does_not_ease_it(folder: Path) -> None:
    (folder / "a.xml").write_text(rss([
        ("China resumes dysprosium oxide exports to Japan", "https://a.example/ease",
         "Mon, 23 Nov 2026 06:00:00 GMT"),
        ("China halts dysprosium exports to the United States", "https://a.example/halt",
         "Tue, 24 Nov 2026 08:00:00 GMT"),
    ]))
    _, pipeline = pipeline_for(folder)
    pipeline.cycle(NOW)
    restriction = next(a for a in _alerts(pipeline) if a.rule_type == "news_restriction")
    pipeline.close()
    # The halt came a day after the resumption: it is the news that stands.
    assert restriction.state == "open"


# -- 3. A bad row makes its licence vanish and its expiry warnings stop -----------------------

def test_a_licence_whose_row_turns_bad_keeps_its_last_good_data_and_warns(folder: Path) -> None:
    good = (HEADER + "L-1,Ganzhou Example,Motor GmbH,Dy,DE,2026-12-14,active\n"
            + "L-2,Baotou Example,Aero Inc,Tb,US,2027-09-01,active\n")
    (folder / "licences.csv").write_text(good)
    _, pipeline = pipeline_for(folder)
    pipeline.cycle(NOW)  # 20 days left: the 30-day warning
    assert [a.key for a in _alerts(pipeline) if a.rule_type == "licence_expiry"] == [
        "licence-expiry:licence:L-1:30"]
    # A week later someone mistypes the status; the row is skipped and reported...
    (folder / "licences.csv").write_text(good.replace("DE,2026-12-14,active", "DE,2026-12-14,actve"))
    later = NOW + timedelta(days=8)  # 12 days left: the 14-day warning is due
    pipeline.cycle(later)
    keys = {a.key for a in _alerts(pipeline)}
    ids = [lic.licence_id for lic in read(pipeline.store, current_licences)]
    pipeline.close()
    # ...but the licence itself has not gone anywhere, and its expiry comes closer.
    assert ids == ["L-1", "L-2"]
    assert "licence-expiry:licence:L-1:14" in keys


# -- 4. Adding a feed without dates floods the channel ----------------------------------------

def test_adding_a_feed_whose_entries_have_no_date_does_not_flood(folder: Path) -> None:
    (folder / "a.xml").write_text(rss([
        ("China halts dysprosium exports", "https://a.example/1", None),
        ("China bans gallium exports to the United States", "https://a.example/2", None),
        ("China restricts antimony exports", "https://a.example/3", None),
    ]))
    _, pipeline = pipeline_for(folder)
    pipeline.cycle(NOW)
    news = [a for a in _alerts(pipeline) if a.rule_type.startswith("news_")]
    pipeline.close()
    assert news == []


# -- 5. Snoozing a news alert mutes nothing --------------------------------------------------

def test_snoozing_a_news_alert_mutes_further_news_on_its_material(folder: Path) -> None:
    (folder / "a.xml").write_text(rss([
        ("China halts dysprosium oxide exports pending licence review", "https://a.example/1",
         "Tue, 24 Nov 2026 07:00:00 GMT"),
    ]))
    _, pipeline = pipeline_for(folder)
    pipeline.cycle(NOW)
    first = next(a for a in _alerts(pipeline) if a.rule_type == "news_restriction")
    with pipeline.store.session() as s:
        snooze_alert(s, first.id, "U123", NOW)
    (folder / "a.xml").write_text(rss([
        ("China halts dysprosium oxide exports pending licence review", "https://a.example/1",
         "Tue, 24 Nov 2026 07:00:00 GMT"),
        ("Customs seize dysprosium metal shipments as China bans exports to US defence firms",
         "https://a.example/2", "Wed, 25 Nov 2026 07:00:00 GMT"),
    ]))
    pipeline.cycle(NOW + timedelta(days=1))
    second = next(a for a in _alerts(pipeline)
                  if a.rule_type == "news_restriction" and a.id != first.id)
    with pipeline.store.reader() as s:
        statuses = set(s.scalars(select(Delivery.status).where(Delivery.alert_id == second.id)))
    pipeline.close()
    assert statuses == {"muted"}


# -- 6. Two licences of one holder without an end user -----------------------------------------

def test_a_licence_to_another_destination_is_not_a_renewal(folder: Path) -> None:
    (folder / "licences.csv").write_text(
        HEADER
        + "L-US,Ganzhou Example,,Dy,US,2026-12-04,active\n"
        + "L-DE,Ganzhou Example,,Dy,DE,2027-05-01,active\n")
    _, pipeline = pipeline_for(folder)
    pipeline.cycle(NOW)  # L-US has 10 days left
    keys = {a.key for a in _alerts(pipeline)}
    pipeline.close()
    assert "licence-expiry:licence:L-US:14" in keys


# -- 7. An unreachable database -------------------------------------------------------------

def test_once_with_an_unreachable_database_says_so_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(rss([]))
    (tmp_path / "c.yaml").write_text(
        "database: postgresql+psycopg://nobody@127.0.0.1:1/none\n"
        f"rules: {ROOT / 'rules'}\nfeeds:\n  - {{name: a, url: a.xml}}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "once", "-c", str(tmp_path / "c.yaml"), "--wait", "0"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in done.stderr
    assert "database" in done.stderr.lower()
    assert done.returncode != 1


# -- 8. A configuration with only `feeds` ------------------------------------------------------

def test_a_configuration_with_only_feeds_runs_on_the_default_rule_pack(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(rss([]))
    (tmp_path / "c.yaml").write_text(
        f"database: sqlite:///{tmp_path}/p.db\nfeeds:\n  - {{name: a, url: a.xml}}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "once", "-c", str(tmp_path / "c.yaml"), "--wait", "0"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
