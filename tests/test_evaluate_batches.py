"""A big first cycle is evaluated in bounded batches, with the same alerts as all at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.pipeline as pipeline_module
from bot.config import load_config
from bot.pipeline import Pipeline
from bot.store import Store
from bot.store.alerts import alerts_since
from bot.store.feeds import pending_entries

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FILLER = ["Copper output rises at {n} mines", "Gold price steady for {n} days",
          "Zinc smelter {n} restarts after maintenance"]


def _rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
                   f"<pubDate>{d}</pubDate><description>{t}.</description></item>"
                   for t, link, d in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'


def _cycle(folder: Path, batch: int, monkeypatch: pytest.MonkeyPatch) -> tuple[set[object], int]:
    items = [("China halts dysprosium oxide exports pending licence review",
              "https://a.example/dy-halt", "Tue, 24 Nov 2026 06:00:00 GMT")]
    items += [(FILLER[n % 3].format(n=n), f"https://a.example/f{n}",
               "Tue, 24 Nov 2026 07:00:00 GMT") for n in range(9)]
    items += [("China halts exports of dysprosium oxide, pending review of licences",
               "https://a.example/dysprosium", "Tue, 24 Nov 2026 08:00:00 GMT"),
              ("Beijing bans terbium metal exports to US defence firms", "https://a.example/tb",
               "Tue, 24 Nov 2026 08:30:00 GMT")]
    folder.mkdir()
    (folder / "a.xml").write_text(_rss(items))
    (folder / "c.yaml").write_text(f"database: sqlite:///{folder}/p.db\nrules: {ROOT / 'rules'}\n"
                                   "feeds:\n  - {name: wire-a, url: a.xml}\n")
    config = load_config(folder / "c.yaml")
    monkeypatch.setattr(pipeline_module, "EVALUATE_BATCH", batch)
    pipeline = Pipeline(config, Store(config.database_url), worker_id="t")
    try:
        pipeline.poll_feeds(NOW)
        report = pipeline.evaluate(NOW)
        with pipeline.store.reader() as s:
            assert pending_entries(s) == []
            alerts = {(a.rule_type, a.title, tuple(x.url for x in a.sources))
                      for a in alerts_since(s, None)}
        return alerts, report.entries
    finally:
        pipeline.close()


def test_batches_give_the_alerts_of_one_evaluation(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    whole, count = _cycle(tmp_path / "whole", 10_000, monkeypatch)
    batched, batched_count = _cycle(tmp_path / "batched", 4, monkeypatch)
    assert count == batched_count == 12
    assert batched == whole
    # The two reports of the dysprosium halt, in different batches, are one story.
    story = [a for a in whole if "dysprosium" in str(a[1])]
    assert len(story) == 1 and len(story[0][2]) == 2
