"""The delivery worker: sends due outbox rows to Slack, e-mail or the console (docs/alerts.md).

Each send is confirmed in its own short transaction right after the channel answers, so a crash
can repeat at most the one message that was in flight. Slack errors that mean "Slack is unwell"
(429, 5xx, timeouts) pause Slack for the rest of the run instead of hammering it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.alerts.snooze import mute_subjects
from bot.channels.base import Channel, DeliveryError, Sent
from bot.channels.console import ConsoleChannel
from bot.channels.email import EmailChannel, EmailSender
from bot.channels.slack import SlackChannel
from bot.channels.slack_blocks import describe_state
from bot.models import Alert, Target
from bot.store import Store
from bot.store.alerts import to_alert
from bot.store.outbox import (
    DEFAULT_LEASE,
    Delivery,
    claim_due,
    mark_failed,
    mark_muted,
    mark_sent,
    next_due,
    pending_count,
    record_thread,
    release,
    retry_time,
    source_of,
    thread_for,
)
from bot.store.schema import AlertRow
from bot.store.snoozes import snoozed_subjects

log = logging.getLogger("chokepoint.delivery")
MAX_BATCHES = 50  # one run sends at most MAX_BATCHES x batch rows; the rest waits for the next


@dataclass(frozen=True)
class Failure:
    """A delivery that did not go out this run, and why (a sentence for operators)."""

    delivery_id: int
    alert_id: int
    target: str
    error: str


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    updated: int = 0
    muted: int = 0
    retrying: tuple[Failure, ...] = ()
    failed: tuple[Failure, ...] = ()
    pending: int = 0  # rows still waiting (retries, leases) after this run
    next_due: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and self.pending == 0


@dataclass
class _Run:
    now: datetime
    sent: int = 0
    updated: int = 0
    muted: int = 0
    retrying: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    down: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # family -> (until, why)


@dataclass(frozen=True)
class _Item:
    row: Delivery
    alert: Alert
    state_line: str | None
    thread: tuple[str, str] | None  # (channel, ts) of the subject's first message in the target
    snoozed: str | None  # why it is muted


class DeliveryWorker:
    """Sends what the outbox holds. Several workers (threads, replicas) may run at once."""

    def __init__(
        self, store: Store, *, slack: SlackChannel | None, console: ConsoleChannel | None,
        email: EmailSender | None, worker_id: str, lease: timedelta = DEFAULT_LEASE,
        batch: int = 100,
    ) -> None:
        self.store, self.slack, self.console = store, slack, console
        # One channel per target family. Without a token, Slack targets print on the console.
        on_slack = slack or console
        self.channels: dict[str, Channel] = {}
        if on_slack is not None:
            self.channels["slack"] = self.channels["slack-dm"] = on_slack
        if console is not None:
            self.channels["console"] = console
        if email is not None:
            self.channels["email"] = EmailChannel(email)
        self.worker_id, self.lease, self.batch = worker_id, lease, batch
        # Set by a stopping service: finish the message in flight, send nothing more.
        self.stop_requested = threading.Event()

    def run_once(self, now: datetime) -> DeliveryReport:
        """Send every row due at `now`; returns what happened and what still waits."""
        run = _Run(now)
        for _ in range(MAX_BATCHES):
            if self.stop_requested.is_set():
                break
            with self.store.session() as s:
                claimed = claim_due(s, self.worker_id, now, self.batch, self.lease)
            if not claimed:
                break
            self._deliver(self._load(claimed, now), run)
        with self.store.session() as s:
            pending, due = pending_count(s), next_due(s)
        return DeliveryReport(run.sent, run.updated, run.muted, tuple(run.retrying),
                              tuple(run.failed), pending, due)

    # -- loading ------------------------------------------------------------------------------
    def _load(self, claimed: Sequence[Delivery], now: datetime) -> list[_Item | Delivery]:
        items: list[_Item | Delivery] = []
        with self.store.session() as s:
            ids = sorted({d.alert_id for d in claimed})
            rows = {r.id: r for r in s.scalars(select(AlertRow).where(AlertRow.id.in_(ids)))}
            alerts = {i: to_alert(r) for i, r in rows.items()}
            mutes = {i: mute_subjects(a) for i, a in alerts.items()}
            snoozes = snoozed_subjects(s, {m for ms in mutes.values() for m in ms}, now)
            for d in claimed:
                row = rows.get(d.alert_id)
                if row is None:
                    items.append(d)  # the alert is gone (deleted): nothing to send
                    continue
                alert = alerts[d.alert_id]
                snooze = next((snoozes[m] for m in mutes[d.alert_id] if m in snoozes), None)
                state = describe_state(
                    alert, note=row.state_note, snoozed_until=snooze.until if snooze else None,
                    snoozed_by=snooze.by_user if snooze else None,
                )
                thread = None
                if d.kind == "post" and Target.parse(d.target).service == "slack":
                    t = thread_for(s, row.subject, d.target)
                    thread = (t.channel, t.ts) if t is not None else None
                muted = None
                if snooze is not None and d.kind == "post":
                    muted = (f"subject snoozed until {snooze.until:%Y-%m-%d %H:%M} UTC"
                             f" by {snooze.by_user}")
                items.append(_Item(d, alert, state, thread, muted))
        return items

    # -- sending ------------------------------------------------------------------------------
    def _deliver(self, items: list[_Item | Delivery], run: _Run) -> None:
        groups = self._groups(items)
        done: set[int] = set()
        for item in items:
            if self.stop_requested.is_set():
                break  # the rest stay claimed; the service releases them as it stops
            if isinstance(item, Delivery):
                self._fail(item, run, DeliveryError("the alert no longer exists", permanent=True))
                continue
            if item.row.id in done:
                continue
            group = groups.get(item.row.id)
            if group:
                done.update(i.row.id for i in group)
                self._send_group(group, run)
            else:
                self._send_one(item, run)

    def _groups(self, items: Sequence[_Item | Delivery]) -> dict[int, list[_Item]]:
        """Several new alerts of one rule for one Slack target: one summary, details in thread."""
        if self.slack is None:
            return {}
        by_key: dict[tuple[str, str], list[_Item]] = {}
        for item in items:
            if (isinstance(item, _Item) and item.row.kind == "post" and item.thread is None
                    and item.snoozed is None and Target.parse(item.row.target).service == "slack"):
                by_key.setdefault((item.row.target, item.alert.rule_id), []).append(item)
        return {i.row.id: g for g in by_key.values() if len(g) > 1 for i in g}

    def _send_one(self, item: _Item, run: _Run) -> None:
        row, alert = item.row, item.alert
        if item.snoozed:
            with self.store.session() as s:
                mark_muted(s, row.id, self.worker_id, reason=item.snoozed)
            run.muted += 1
            return
        target = Target.parse(row.target)
        fam = target.service
        if self._paused(fam, row, run):
            return
        try:
            sent = self._channel_send(item, target)
        except DeliveryError as exc:
            self._fail(row, run, exc, fam)
            return
        with self.store.session() as s:
            mark_sent(s, row.id, self.worker_id, run.now, channel=sent.channel, ts=sent.ts,
                      thread_ts=item.thread[1] if item.thread else None)
            if row.kind == "post" and fam == "slack" and sent.channel and sent.ts:
                record_thread(s, alert.subject, row.target, sent.channel, sent.ts, run.now)
        if row.kind in ("update", "source"):
            run.updated += 1
        else:
            run.sent += 1

    def _channel_send(self, item: _Item, target: Target) -> Sent:
        row, alert = item.row, item.alert
        if target.service == "slack" and row.kind == "update":
            channel, ts = row.slack_channel or "", row.slack_ts or ""
            updater: SlackChannel | ConsoleChannel | None = self.slack or self.console
            if updater is None:
                raise DeliveryError("Slack is not configured (SLACK_BOT_TOKEN unset)",
                                    permanent=False)
            updater.update(alert, channel=channel, ts=ts, state_line=item.state_line)
            return Sent(channel=channel, ts=ts)
        if target.service == "slack" and row.kind == "source":
            if self.slack is None:
                raise DeliveryError("Slack is not configured (SLACK_BOT_TOKEN unset)",
                                    permanent=False)
            channel, ts = row.slack_channel or "", row.slack_ts or ""
            source = source_of(row.note)
            if source is None:  # queued already rendered by an earlier release
                return self.slack.post_note(channel, ts, row.note or "")
            return self.slack.post_source(channel, ts, *source)
        if target.family == "unknown":
            raise DeliveryError(f"unknown target {row.target!r}", permanent=True)
        via = self.channels.get(target.family)
        if via is None:
            what = ("e-mail (no `email` section)" if target.family == "email"
                    else "Slack (SLACK_BOT_TOKEN unset)")
            raise DeliveryError(f"{what} is not configured", permanent=target.family == "email")
        if item.thread is not None and self.slack is not None and via is self.slack:
            return self.slack.send(alert, target=target.elsewhere(item.thread[0]), thread_ts=item.thread[1])
        return via.send(alert, target=target)

    def _send_group(self, group: list[_Item], run: _Run) -> None:
        assert self.slack is not None
        first = group[0].row
        if self._paused("slack", first, run, rest=group[1:]):
            return
        alerts = [i.alert for i in group]
        try:
            summary = self.slack.post_summary(alerts, target=Target.parse(first.target))
        except DeliveryError as exc:
            for item in group:
                self._fail(item.row, run, exc, "slack")
            return
        if summary.channel and summary.ts:
            with self.store.session() as s:
                for item in group:
                    record_thread(s, item.alert.subject, item.row.target, summary.channel,
                                  summary.ts, run.now)
        thread = (summary.channel or first.target, summary.ts) if summary.ts else None
        for item in group:
            self._send_one(_Item(item.row, item.alert, item.state_line, thread, None), run)

    # -- failures -----------------------------------------------------------------------------
    def _paused(self, fam: str, row: Delivery, run: _Run, rest: Sequence[_Item] = ()) -> bool:
        if fam not in run.down:
            return False
        until, why = run.down[fam]
        with self.store.session() as s:
            for d in (row, *(i.row for i in rest)):
                release(s, d.id, self.worker_id, next_attempt=until, note=why)
        for d in (row, *(i.row for i in rest)):
            run.retrying.append(Failure(d.id, d.alert_id, d.target, why))
        return True

    def _fail(self, row: Delivery, run: _Run, exc: DeliveryError, fam: str = "") -> None:
        error = f"{row.target}: {exc}"
        with self.store.session() as s:
            status = mark_failed(s, row.id, self.worker_id, error=error, permanent=exc.permanent,
                                 retry_after=exc.retry_after, now=run.now)
            due = retry_time(s, row.id)
        failure = Failure(row.id, row.alert_id, row.target, error)
        fields = {"alert": row.alert_id, "delivery": row.id}
        if status == "failed":
            run.failed.append(failure)
            log.error("delivery failed for good: %s", error, extra={"fields": fields})
            return
        run.retrying.append(failure)
        log.warning("delivery will be retried: %s", error, extra={"fields": fields})
        if fam and due is not None:
            # The channel itself is unwell: the rest of this run's rows for it wait as long.
            run.down.setdefault(fam, (due, f"{fam} unavailable this run: {exc}"))
