"""The delivery worker: sends due outbox rows to Slack, e-mail or the console (docs/alerts.md).

Each send is confirmed in its own short transaction right after the channel answers, so a crash
can repeat at most the one message that was in flight. Slack errors that mean "Slack is unwell"
(429, 5xx, timeouts) pause Slack for the rest of the run instead of hammering it; errors
about the token or the workspace pause it until they clear, keeping every delivery pending.

Over 300 lines: claiming, grouping, sending and the failure paths share one run's state and
are easiest to check read together; the records it reports live at the top.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts.snooze import mute_subjects
from bot.channels.base import Channel, DeliveryError, Sent
from bot.channels.console import ConsoleChannel
from bot.channels.email import EmailChannel, EmailSender
from bot.channels.slack import SlackChannel
from bot.channels.slack_blocks import describe_state
from bot.models import Alert, Target
from bot.store import Store
from bot.store.alerts import to_alert
from bot.store.heartbeat import Heartbeat
from bot.store.outbox import (
    DEFAULT_LEASE,
    Delivery,
    claim_due,
    mark_failed,
    mark_muted,
    mark_sent,
    next_due,
    peek_due,
    peek_siblings,
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
    paused: tuple[str, ...] = ()  # channels paused by a workspace-wide error, and why

    @property
    def ok(self) -> bool:
        return not self.failed and self.pending == 0


@dataclass
class _Run:
    now: datetime
    started: float = field(default_factory=time.monotonic)
    sent: int = 0
    updated: int = 0
    muted: int = 0
    retrying: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    down: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # family -> (until, why)
    paused: dict[str, str] = field(default_factory=dict)  # family -> why, workspace-wide errors

    def clock(self) -> datetime:
        """`now` moved on by the whole seconds this run has taken (a paced run lasts minutes;
        within its first second this is exactly the `now` it was given)."""
        return self.now + timedelta(seconds=int(time.monotonic() - self.started))

    def precise(self) -> datetime:
        """`now` moved on by exactly the time taken (for renewing claims: no lag)."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)


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
        self._reported: set[str] = set()  # pause reasons already logged

    def run_once(self, now: datetime) -> DeliveryReport:
        """Send every row due at `now`; returns what happened and what still waits.

        Rows are looked at in batches but claimed one by one just before sending (a group
        all at once for its summary), so a worker killed mid-run holds only what was in
        flight; its heartbeat renews what it holds while it sends."""
        run = _Run(now)
        with Heartbeat(self.store, self.worker_id, self.lease, run.precise):
            for _ in range(MAX_BATCHES):
                if self.stop_requested.is_set():
                    break
                with self.store.session() as s:
                    due = peek_due(s, run.clock(), self.batch)
                    due += self._siblings(s, due, run.clock())
                if not due or not self._deliver(self._load(due, run.clock()), run):
                    break
        with self.store.session() as s:
            pending, due_at = pending_count(s), next_due(s)
        return DeliveryReport(run.sent, run.updated, run.muted, tuple(run.retrying),
                              tuple(run.failed), pending, due_at,
                              tuple(f"{fam}: {why}" for fam, why in run.paused.items()))

    def _siblings(self, s: Session, due: Sequence[Delivery], now: datetime) -> list[Delivery]:
        """The rest of each cycle's posts to one Slack target, so that a group is never cut
        at the batch's edge (one summary per rule, channel and cycle, whatever the count)."""
        seen = {d.id for d in due}
        keys = {(d.target, d.created) for d in due
                if d.kind == "post" and Target.parse(d.target).service == "slack"}
        more: list[Delivery] = []
        for target, created in sorted(keys):
            more += [d for d in peek_siblings(s, now, target, created) if d.id not in seen]
            seen.update(d.id for d in more)
        return more

    def _claim(self, run: _Run, *rows: Delivery) -> set[int]:
        """Claim these rows now; the ids this worker got (another may have been first)."""
        with self.store.session() as s:
            got = claim_due(s, self.worker_id, run.clock(), len(rows), self.lease,
                            ids=[r.id for r in rows])
        return {d.id for d in got}

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
    def _deliver(self, items: list[_Item | Delivery], run: _Run) -> bool:
        """Send what can be claimed of `items`; False when nothing could be (all taken)."""
        groups = self._groups(items)
        done: set[int] = set()
        progressed = False
        for item in items:
            if self.stop_requested.is_set():
                break  # the rest stay unclaimed for whichever worker comes next
            if isinstance(item, Delivery):
                if self._claim(run, item):
                    progressed = True
                    self._fail(item, run, DeliveryError("the alert no longer exists",
                                                        permanent=True))
                continue
            if item.row.id in done:
                continue
            group = groups.get(item.row.id)
            if group:
                done.update(i.row.id for i in group)
                progressed = self._send_group(group, run) or progressed
            elif self._claim(run, item.row):
                progressed = True
                self._send_one(self._fresh(item), run)
        return progressed

    def _fresh(self, item: _Item) -> _Item:
        """The item with its thread looked up again (a summary may have started one)."""
        if item.thread is not None or item.row.kind != "post" or item.snoozed:
            return item
        if Target.parse(item.row.target).service != "slack":
            return item
        with self.store.session() as s:
            t = thread_for(s, item.alert.subject, item.row.target)
        if t is None:
            return item
        return _Item(item.row, item.alert, item.state_line, (t.channel, t.ts), item.snoozed)

    def _groups(self, items: Sequence[_Item | Delivery]) -> dict[int, list[_Item]]:
        """Several new alerts of one rule for one Slack target: one summary, details in thread."""
        if self.slack is None:
            return {}
        by_key: dict[tuple[str, str, str], list[_Item]] = {}
        for item in items:
            if (isinstance(item, _Item) and item.row.kind == "post" and item.thread is None
                    and item.snoozed is None and Target.parse(item.row.target).service == "slack"):
                key = (item.row.target, item.alert.rule_id, item.row.created.isoformat())
                by_key.setdefault(key, []).append(item)
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
            mark_sent(s, row.id, self.worker_id, run.clock(), channel=sent.channel, ts=sent.ts,
                      thread_ts=item.thread[1] if item.thread else None)
            if row.kind == "post" and fam == "slack" and sent.channel and sent.ts:
                record_thread(s, alert.subject, row.target, sent.channel, sent.ts, run.clock())
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

    def _send_group(self, group: list[_Item], run: _Run) -> bool:
        """One summary for the group, then each alert claimed and sent into its thread."""
        assert self.slack is not None
        got = self._claim(run, *(i.row for i in group))
        mine = [i for i in group if i.row.id in got]
        if not mine:
            return False
        first = mine[0].row
        if self._paused("slack", first, run, rest=mine[1:]):
            return True
        if len(mine) > 1:
            try:
                summary = self.slack.post_summary([i.alert for i in mine],
                                                  target=Target.parse(first.target))
            except DeliveryError as exc:
                for item in mine:
                    self._fail(item.row, run, exc, "slack")
                return True
            with self.store.session() as s:
                for item in mine:
                    if summary.channel and summary.ts:
                        record_thread(s, item.alert.subject, item.row.target, summary.channel,
                                      summary.ts, run.clock())
                    # Back to the outbox, due now: each goes out (claimed again, by whichever
                    # worker) as a reply under the summary, so a crash holds none of them.
                    release(s, item.row.id, self.worker_id, next_attempt=run.clock(), note=None)
            for item in mine:
                if self.stop_requested.is_set():
                    break
                if self._claim(run, item.row):
                    self._send_one(self._fresh(item), run)
            return True
        self._send_one(self._fresh(mine[0]), run)
        return True

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
        if exc.paused and fam:
            self._pause(row, run, exc, fam)
            return
        error = f"{row.target}: {exc}"
        with self.store.session() as s:
            status = mark_failed(s, row.id, self.worker_id, error=error, permanent=exc.permanent,
                                 retry_after=exc.retry_after, now=run.clock())
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

    def _pause(self, row: Delivery, run: _Run, exc: DeliveryError, fam: str) -> None:
        """A workspace-wide error: this row and the rest of the channel's wait, unsent and
        uncounted; the error is reported once per process, not once per alert."""
        why = str(exc)
        until = run.clock() + timedelta(seconds=exc.retry_after or 60)
        with self.store.session() as s:
            release(s, row.id, self.worker_id, next_attempt=until, note=why)
        run.retrying.append(Failure(row.id, row.alert_id, row.target, why))
        run.down[fam] = (until, why)
        run.paused[fam] = why
        if why not in self._reported:
            self._reported.add(why)
            log.error("%s delivery paused: %s", fam, why)
