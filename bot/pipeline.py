"""One cycle, in order: poll feeds, refresh data, evaluate rules, record alerts, deliver.

The only module that calls sources, rules, alerts and channels in turn (docs/ARCHITECTURE.md).
Every step is idempotent, so a crash or a restart between two steps does no harm: entries and
status changes are marked evaluated only after their alerts are committed, and alert keys are
unique, so evaluating twice records nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TextIO

from sqlalchemy.orm import Session

from bot.alerts.enrich import enrich
from bot.alerts.record import record_matches
from bot.channels.console import ConsoleChannel
from bot.channels.email import EmailSender
from bot.channels.slack import SlackChannel
from bot.config import Config, FeedConfig, Secrets, is_url
from bot.delivery import DeliveryReport, DeliveryWorker
from bot.exposure import Part
from bot.models import Match, find_renewals
from bot.policy.measures import Measure
from bot.redact import redact_urls, shown_url
from bot.rules import NEWS_TYPES
from bot.rules.base import RuleBase, RuleFailure, evaluate_rules
from bot.rules.context import RuleContext, StoryRef
from bot.rules.loader import load_rules
from bot.sources.feeds import FeedPoller, PollResult
from bot.sources.licences import refresh_licences
from bot.sources.reference import from_config, refresh_recorded
from bot.sources.trade import refresh_trade
from bot.store import Store
from bot.store.alerts import alerts_since
from bot.store.feeds import feed_health, mark_evaluated, pending_entries
from bot.store.licences import current_licences, mark_changes_evaluated, status_changes
from bot.store.trade import trade_series

log = logging.getLogger(__name__)

STORY_WINDOW = timedelta(days=4)  # how far back a new source may join an existing story
# Entries per evaluation step: a first cycle of thousands of feeds is evaluated and marked in
# batches of this size, so that it never holds all its entries (docs/PERFORMANCE.md, memory).
EVALUATE_BATCH = 5000


@dataclass
class EvaluationReport:
    new_alerts: list[int] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)  # stories that gained a source
    changed: list[int] = field(default_factory=list)  # eased / resolved by this cycle
    failures: list[RuleFailure] = field(default_factory=list)
    entries: int = 0


@dataclass
class CycleReport:
    polls: list[PollResult] = field(default_factory=list)
    source_errors: list[str] = field(default_factory=list)
    evaluation: EvaluationReport = field(default_factory=EvaluationReport)
    delivery: DeliveryReport | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def operator_match(source: str, location: str, error: str, today: date) -> Match:
    """An alert for operators: a data file could not be used and the last good data is kept."""
    what = {"licences": "Licence register", "trade": "Export statistics",
            "policies": "Policy register", "exposure": "Exposure file"}.get(source, source)
    return Match(
        rule_id="operator", rule_type="source_error", key=f"operator:{source}:{today.isoformat()}",
        severity="high", title=f"{what} could not be loaded; the last good data is kept",
        subject=f"source:{source}", facts=(("Source", shown_url(location)),
                                            ("Error", redact_urls(error))),
        reason="the whole file failed to load",
    )


class Pipeline:
    """Holds the long-lived parts (rules, HTTP client, channels) of a running Chokepoint."""

    def __init__(
        self, config: Config, store: Store, secrets: Secrets | None = None, *,
        console: TextIO | None = None, rules: Sequence[RuleBase] | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.config, self.store = config, store
        self.secrets = secrets or Secrets()
        self.rules = list(rules) if rules is not None else load_rules(config.rules_dir)
        self.poller = FeedPoller(store)
        token = self.secrets.slack_bot_token
        slack = None
        if token is not None:
            slack = SlackChannel(
                token.get_secret_value(),
                api_url=self.secrets.slack_api_url or config.slack.api_url,
                timeout=config.slack.timeout.total_seconds(),
            )
        self.email = EmailSender(config.email, self.secrets.smtp_password) if config.email else None
        self.worker = DeliveryWorker(
            store, slack=slack, console=None if slack else ConsoleChannel(console),
            email=self.email, worker_id=worker_id or worker_name(),
        )
        self._evaluating = threading.Lock()
        self.policies, self.exposure = from_config(config)
        # Feed files named relative to the configuration are read from its folder.
        self.feeds = [f if is_url(f.url) else f.model_copy(update={"url": config.location(f.url)})
                      for f in config.feeds]

    def close(self) -> None:
        self.poller.close()

    # -- sources ------------------------------------------------------------------------------
    def poll_feeds(self, now: datetime, feeds: Sequence[FeedConfig] | None = None, *,
                   force: bool = False) -> list[PollResult]:
        results = self.poller.poll(list(feeds or self.feeds), now, force=force,
                                   keep_entries=False)  # the rules read them in batches
        for r in results:
            if r.status == "error":
                log.warning("feed %s failed: %s", r.feed, r.error)
        return results

    def refresh_licences(self, now: datetime, location: str | None = None) -> str | None:
        """Refresh the register; returns the error (after raising an operator alert) or None."""
        if self.config.licences is None:
            return None
        where = location or self.config.location(self.config.licences.source)
        report = refresh_licences(self.store, where, self.config.licences.default_validity, now)
        return self._source_error("licences", where, report.error, now)

    def refresh_trade(self, now: datetime) -> str | None:
        if self.config.trade is None:
            return None
        where = self.config.location(self.config.trade.source)
        report = refresh_trade(self.store, where, now)
        return self._source_error("trade", where, report.error, now)

    def refresh_reference(self, now: datetime, *, force: bool = True) -> list[str]:
        """Re-read the policy register and the exposure file (all, or those due); their
        errors, if any, each raised as an operator alert (the last good data stays)."""
        errors = []
        for held in (self.policies, self.exposure):
            if held is self.exposure and held.location is None:
                continue  # no exposure file configured: nothing to refresh or report
            if not force and not held.due(now):
                continue
            error = refresh_recorded(held, self.store, now)
            where = held.location or "the bundled register"
            if self._source_error(held.name, where, error, now):
                errors.append(f"{held.name}: {error}")
        return errors

    def reference(self, now: datetime) -> tuple[tuple[Measure, ...], tuple[Part, ...]]:
        """The register and the parts as this process holds them (the Slack app reads these);
        a file that is due is re-read first, its error raised as for a cycle."""
        self.refresh_reference(now, force=False)
        return self.policies.records, self.exposure.records

    def _source_error(
        self, source: str, where: str, error: str | None, now: datetime
    ) -> str | None:
        if error:
            self.record([operator_match(source, where, error, self.today(now))], now)
        return error

    # -- rules and alerts ---------------------------------------------------------------------
    def today(self, now: datetime) -> date:
        return now.astimezone(self.config.tz).date()

    @staticmethod
    def _recent_stories(s: Session, now: datetime) -> tuple[StoryRef, ...]:
        return tuple(StoryRef.from_alert(a) for a in alerts_since(s, now - STORY_WINDOW)
                     if a.rule_type in NEWS_TYPES)

    def context(self, now: datetime, limit: int | None = None) -> tuple[RuleContext, list[int]]:
        """What the rules see this cycle (the first `limit` pending entries), and the ids of
        the status changes in it."""
        self.refresh_reference(now, force=False)  # under `run`: each file when it is due
        with self.store.reader() as s:
            entries = pending_entries(s, limit)
            licences = current_licences(s)
            changes = status_changes(s, unevaluated=True)
            stories = self._recent_stories(s, now)
            trade = trade_series(s)
            feeds = feed_health(s, [f.name for f in self.config.feeds])
        ctx = RuleContext(
            now=now, today=self.today(now), entries=tuple(entries), licences=tuple(licences),
            licence_changes=tuple(changes),
            renewals=find_renewals(licences), trade=tuple(trade),
            feeds=tuple(feeds), recent_stories=stories, policies=self.policies.records,
        )
        return ctx, [c.id for c in changes]

    def evaluate(self, now: datetime) -> EvaluationReport:
        """Run every rule on what is new and record the alerts (one thread at a time).

        Entries come EVALUATE_BATCH at a time; after the first batch only the news rules run
        again, on the next entries, with the stories recorded so far (so a later batch joins
        them).
        """
        with self._evaluating:
            ctx, change_ids = self.context(now, EVALUATE_BATCH)
            report = self._evaluate_batch(ctx, self.rules, now)
            with self.store.session() as s:
                mark_changes_evaluated(s, change_ids)
            news = [r for r in self.rules if r.type in NEWS_TYPES]
            while len(ctx.entries) >= EVALUATE_BATCH:
                with self.store.reader() as s:
                    ctx = replace(ctx, entries=tuple(pending_entries(s, EVALUATE_BATCH)),
                                  recent_stories=self._recent_stories(s, now), verdicts={})
                more = self._evaluate_batch(ctx, news, now)
                for name in ("new_alerts", "joined", "changed", "failures"):
                    getattr(report, name).extend(getattr(more, name))
                report.entries += more.entries
        return report

    def _evaluate_batch(self, ctx: RuleContext, rules: Sequence[RuleBase], now: datetime
                        ) -> EvaluationReport:
        evaluation = evaluate_rules(rules, ctx)
        for failure in evaluation.failures:
            log.error("rule %s failed: %s", failure.rule_id, failure.error)
        matches = enrich(evaluation.matches, policies=ctx.policies,
                         parts=self.exposure.records, today=ctx.today)
        report = self.record(matches, now, renewals=dict(ctx.renewals))
        report.failures = list(evaluation.failures)
        report.entries = len(ctx.entries)
        with self.store.session() as s:
            mark_evaluated(s, [e.uid for e in ctx.entries])
        return report

    def record(self, matches: Sequence[Match], now: datetime, *,
               renewals: dict[str, str] | None = None) -> EvaluationReport:
        """Store matches as alerts (bot.alerts.record), in one transaction."""
        with self.store.session() as s:
            recorded = record_matches(s, matches, now, routes=self.config.routes,
                                      default_channel=self.config.slack.default_channel,
                                      renewals=renewals or {})
        for alert_id in recorded.new_alerts:
            log.info("alert #%s recorded", alert_id)
        return EvaluationReport(new_alerts=recorded.new_alerts, joined=recorded.joined,
                                changed=recorded.changed)

    # -- delivery -----------------------------------------------------------------------------
    def deliver(self, now: datetime) -> DeliveryReport:
        report = self.worker.run_once(now)
        for failure in report.failed:
            log.error("delivery failed for good: %s", failure.error)
        return report

    def cycle(self, now: datetime, *, force: bool = True) -> CycleReport:
        """Poll every feed, refresh data, evaluate and deliver once (`chokepoint once`)."""
        report = CycleReport(polls=self.poll_feeds(now, force=force))
        for error in (self.refresh_licences(now), self.refresh_trade(now)):
            if error:
                report.source_errors.append(error)
        report.source_errors.extend(self.refresh_reference(now))
        report.evaluation = self.evaluate(now)
        report.delivery = self.deliver(now)
        return report

