"""Story clustering: the same story from several feeds is one alert that lists every source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Alert, Entry, Link
from bot.rules.context import RuleContext, StoryRef
from bot.rules.news import NewsRestriction
from bot.rules.stories import title_similarity, title_tokens

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def rule(**params: object) -> NewsRestriction:
    return NewsRestriction.model_validate({"id": "restrict", "type": "news_restriction", **params})


def entry(title: str, feed: str, hours: float = 1, link: str = "") -> Entry:
    return Entry(uid=f"{feed}:{title}", feed=feed, title=title, summary="",
                 link=link or f"https://{feed}.example.com/{abs(hash(title)) % 10**8}",
                 published=NOW - timedelta(hours=hours))


def run(r: NewsRestriction, *entries: Entry, stories: tuple[StoryRef, ...] = ()) -> list:
    return r.evaluate(RuleContext(now=NOW, today=NOW.date(), entries=entries,
                                  recent_stories=stories))


SAME_STORY = [
    ("China bans exports of gallium, germanium to US",
     "China bans gallium and germanium exports to the United States"),
    ("China halts exports of seven rare earths",
     "Beijing suspends shipments of seven rare earth elements amid trade war"),
    ("China adds five rare earths to export control list",
     "China expands rare earth export controls, adding five elements"),
    ("China to require licences for graphite exports from December",
     "Beijing imposes export permits on graphite starting Dec. 1"),
    ("Myanmar rebels halt rare earth shipments to China",
     "Kachin rebels halt rare-earth exports from Myanmar to China"),
]
OTHER_STORY = [
    ("China halts rare earth exports to US", "China tightens rare earth export checks at ports"),
    ("China halts dysprosium exports to Japan", "China halts dysprosium exports to India"),
    ("China halts gallium exports to US", "China halts gallium exports to Europe"),
    ("China halts rare earth exports to US", "China halts rare earth magnet exports to Europe"),
]


@pytest.mark.parametrize(("a", "b"), SAME_STORY)
def test_rewordings_of_one_event_are_alike(a: str, b: str) -> None:
    assert title_similarity(title_tokens(a), title_tokens(b)) >= 0.5


@pytest.mark.parametrize(("a", "b"), OTHER_STORY)
def test_different_events_with_the_usual_words_are_not(a: str, b: str) -> None:
    assert title_similarity(title_tokens(a), title_tokens(b)) < 0.5


def test_the_same_story_from_three_feeds_is_one_alert_listing_every_source() -> None:
    a = entry("China halts exports of seven rare earths", "reuters", hours=5)
    b = entry("Beijing suspends shipments of seven rare earth elements amid trade war",
              "mining-com", hours=3)
    c = entry("China halts exports of seven rare earths, magnets", "ft", hours=1)
    [m] = run(rule(), c, a, b)
    assert m.title == a.title  # the first report leads
    assert [s.label for s in m.sources] == ["reuters", "mining-com", "ft"]
    assert dict(m.facts)["Sources"] == "reuters, mining-com, ft"


def test_a_shared_link_is_the_same_story_whatever_the_titles() -> None:
    a = entry("China halts dysprosium exports", "reuters", link="https://x.example/story")
    b = entry("Dysprosium: China stops all shipments pending review", "aggregator",
              link="https://x.example/story")
    assert len(run(rule(), a, b)) == 1


def test_same_words_other_material_is_another_story() -> None:
    ga = entry("China restricts gallium exports", "reuters")
    ge = entry("China restricts germanium exports", "reuters", hours=2)
    assert len(run(rule(), ga, ge)) == 2


def test_reports_further_apart_than_cluster_days_are_separate_stories() -> None:
    a = entry("China halts exports of seven rare earths", "reuters", hours=80)
    b = entry("China halts exports of seven rare earths", "mining-com", hours=1)
    assert len(run(rule(), a, b)) == 2
    assert len(run(rule(cluster_days=4), a, b)) == 1


def _existing(title: str, created: datetime, rule_id: str = "restrict") -> StoryRef:
    alert = Alert(id=7, rule_id=rule_id, rule_type="news_restriction",
                  key=f"{rule_id}:story:abc123def456", severity="high", title=title,
                  subject="story:abc123def456", materials=("REE",),
                  facts=(("Headline", title),),
                  sources=(Link("https://reuters.example.com/1", "reuters"),),
                  state="open", created=created)
    return StoryRef.from_alert(alert)


def test_a_later_source_joins_the_existing_alert_by_its_key() -> None:
    story = _existing("China halts exports of seven rare earths", NOW - timedelta(days=1))
    late = entry("Beijing suspends shipments of seven rare earth elements", "mining-com")
    [m] = run(rule(), late, stories=(story,))
    assert m.key == "restrict:story:abc123def456"
    assert m.subject == "story:abc123def456"
    assert [s.url for s in m.sources] == [late.link]


def test_an_existing_story_older_than_cluster_days_is_not_joined() -> None:
    story = _existing("China halts exports of seven rare earths", NOW - timedelta(days=4))
    late = entry("Beijing suspends shipments of seven rare earth elements", "mining-com")
    [m] = run(rule(), late, stories=(story,))
    assert m.key != story.key


def test_stories_of_another_rule_are_not_joined() -> None:
    story = _existing("China halts exports of seven rare earths", NOW, rule_id="other")
    late = entry("Beijing suspends shipments of seven rare earth elements", "mining-com")
    [m] = run(rule(), late, stories=(story,))
    assert m.key.startswith("restrict:story:") and m.key != "restrict:story:abc123def456"


def test_similarity_threshold_is_a_parameter() -> None:
    a = entry("China adds five rare earths to export control list", "reuters", hours=3)
    b = entry("China expands rare earth export controls, adding five elements", "mining-com")
    assert len(run(rule(), a, b)) == 1
    assert len(run(rule(similarity=0.9), a, b)) == 2
