"""feed_stale: a feed has failed or published nothing new for `after` (default 3 days)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BeforeValidator, Field

from bot.durations import parse_duration
from bot.models import FeedHealth, Match
from bot.rules.base import RuleBase
from bot.rules.context import RuleContext


def _ago(delta: timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    if days >= 2:
        return f"{days} days"
    return f"{days * 24 + hours} hours"


class FeedStale(RuleBase):
    """Parameters (besides id, type, severity, enabled):

    after  how long without a new entry (or without a successful fetch) before warning,
           e.g. 12h, 3d, 1w (default 3d)
    feeds  only these feeds, by name (default: every configured feed)

    Severity defaults to `warning`. While a feed stays stale it alerts once a day (the key
    holds the date in the configured time zone); the alerts thread under the first one.
    """

    default_severity = "warning"

    after: Annotated[timedelta, BeforeValidator(parse_duration)] = timedelta(days=3)
    feeds: list[str] | None = Field(default=None, min_length=1)

    def quiet_since(self, feed: FeedHealth) -> datetime | None:
        """Since when the feed is quiet: its last new entry, else its first sign of life."""
        return feed.last_new_entry or feed.first_success or feed.first_attempt

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        matches = []
        for feed in ctx.feeds:
            if self.feeds is not None and feed.name not in self.feeds:
                continue
            since = self.quiet_since(feed)
            if since is None or ctx.now - since < self.after:
                continue
            matches.append(self._match(feed, since, ctx))
        return matches

    def _match(self, feed: FeedHealth, since: datetime, ctx: RuleContext) -> Match:
        failing = feed.last_error is not None and (
            feed.last_success is None or ctx.now - feed.last_success >= self.after
        )
        if failing:
            title = f"Feed {feed.name} has been failing for {_ago(ctx.now - since)}"
            reason = f"no successful fetch for at least {_ago(self.after)}"
        else:
            title = f"Feed {feed.name} has published nothing new for {_ago(ctx.now - since)}"
            reason = f"no new entry for at least {_ago(self.after)}"
        facts = [("Feed", feed.name)]
        fmt = "%Y-%m-%d %H:%M UTC"
        facts.append(("Last new entry",
                      f"{feed.last_new_entry:{fmt}}" if feed.last_new_entry else "never"))
        facts.append(("Last success",
                      f"{feed.last_success:{fmt}}" if feed.last_success else "never"))
        if feed.last_error:
            facts.append(("Last error", feed.last_error[:300]))
        if feed.failures:
            facts.append(("Failures in a row", str(feed.failures)))
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=self.key(feed.name, f"{ctx.today:%Y-%m-%d}"),
            severity=self.effective_severity,
            title=title,
            subject=feed.name,
            facts=tuple(facts),
            reason=reason,
        )
