"""News rules and entries for tests: a rule of each kind with parameters, an entry, a context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Entry
from bot.rules.context import RuleContext
from bot.rules.news import NewsEasing, NewsRestriction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def restriction(**params: object) -> NewsRestriction:
    return NewsRestriction.model_validate({"id": "restrict", "type": "news_restriction", **params})


def easing(**params: object) -> NewsEasing:
    return NewsEasing.model_validate({"id": "ease", "type": "news_easing", **params})


def entry(title: str, summary: str = "", uid: str = "", feed: str = "wire", hours: int = 1,
          link: str = "") -> Entry:
    uid = uid or title
    return Entry(uid=uid, feed=feed, title=title, summary=summary,
                 link=link or f"https://{feed}.example.com/{abs(hash(uid))}",
                 published=NOW - timedelta(hours=hours))


def ctx(*entries: Entry) -> RuleContext:
    return RuleContext(now=NOW, today=NOW.date(), entries=entries)
