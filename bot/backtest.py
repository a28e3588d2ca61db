"""`chokepoint backtest`: the rules replayed over past days, the clock moving a day at a time.

What a day sees: the policy register (its dates judged on that day), the export figures
published by then (a month's customs figures are taken as out on the 20th of the month after),
and the feed entries published that day. Nothing is stored or sent: the one-alert-per-key
memory and the stories later entries may join live in this run only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.alerts.enrich import enrich
from bot.exposure import Part
from bot.models import Entry, Match, TradePoint
from bot.policy.measures import Measure
from bot.rules import NEWS_TYPES
from bot.rules.base import RuleBase, evaluate_rules
from bot.rules.context import RuleContext, StoryRef

STORY_WINDOW = timedelta(days=4)  # as in the pipeline: a later source may join a story
PUBLISHED_DAY = 20  # the day of the following month a month's export figures are taken as out


@dataclass(frozen=True)
class Fired:
    """An alert that would have fired, and the day it would have."""

    day: date
    match: Match

    def as_json(self) -> str:
        m = self.match
        return json.dumps({
            "date": self.day.isoformat(), "rule": m.rule_id, "type": m.rule_type,
            "severity": m.severity, "materials": list(m.materials), "title": m.title,
            "subject": m.subject, "key": m.key, "reason": m.reason,
            "sources": [s.url for s in m.sources],
        }, ensure_ascii=False)

    def as_text(self) -> str:
        m = self.match
        return f"{self.day:%Y-%m-%d}  {m.severity:<8}  {m.rule_id:<18}  {m.title}"


def published_on(period: str) -> date:
    """When a month's figures are taken as public: the 20th of the month after `period`."""
    year, month = (int(x) for x in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, PUBLISHED_DAY)


def _story(match: Match, created: datetime) -> StoryRef:
    headline = next((v for k, v in match.facts if k == "Headline"), match.title)
    return StoryRef(rule_id=match.rule_id, key=match.key,
                    titles=tuple(dict.fromkeys((headline, match.title))),
                    links=tuple(s.url for s in match.sources), materials=match.materials,
                    created=created)


def replay(
    rules: Sequence[RuleBase], *, start: date, end: date, tz: ZoneInfo,
    policies: Sequence[Measure] = (), trade: Iterable[TradePoint] = (),
    entries: Iterable[Entry] = (), parts: Sequence[Part] = (),
    progress: Callable[[date, int, int], None] | None = None,
) -> list[Fired]:
    """Every alert the rules would have raised from `start` to `end` (inclusive), in order."""
    points = sorted(trade, key=lambda p: published_on(p.period))
    by_day: dict[date, list[Entry]] = {}
    for e in entries:
        by_day.setdefault(e.published.astimezone(tz).date(), []).append(e)
    seen: set[str] = set()
    stories: list[StoryRef] = []
    fired: list[Fired] = []
    total = (end - start).days + 1
    for n in range(total):
        day = start + timedelta(days=n)
        # The end of the local day: everything published that day has been seen.
        now = datetime.combine(day, time(23, 59), tz).astimezone(UTC)
        visible = tuple(p for p in points if published_on(p.period) <= day)
        ctx = RuleContext(
            now=now, today=day, entries=tuple(by_day.get(day, ())), trade=visible,
            policies=tuple(policies),
            recent_stories=tuple(s for s in stories if now - s.created <= STORY_WINDOW),
        )
        matches = enrich(evaluate_rules(rules, ctx).matches, policies=ctx.policies,
                         parts=parts, today=day)
        for match in matches:
            if match.key in seen:
                continue  # one alert per key, ever; a later source of a story joins it
            seen.add(match.key)
            fired.append(Fired(day, match))
            if match.rule_type in NEWS_TYPES:
                stories.append(_story(match, now))
        if progress is not None:
            progress(day, n + 1, total)
    return fired
