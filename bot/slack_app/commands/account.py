"""`subscribe`, `unsubscribe`, `subscriptions` (the caller's DMs) and `feeds` (source health)."""

from __future__ import annotations

from datetime import datetime

from bot.materials import display_name
from bot.models import FeedHealth
from bot.slack_app.blocks import Reply, ReplyBuilder, ago, clip, esc, local_time, simple
from bot.slack_app.commands.ask import Ask
from bot.slack_app.commands.parse import parse_materials
from bot.store import subscriptions as subs
from bot.store.feeds import feed_health
from bot.store.licences import SourceHealth, source_health
from bot.wording import count

_ALL = {"all", "everything", "*"}


def _names(keys: list[str] | tuple[str, ...]) -> str:
    return ", ".join(esc(display_name(k)) for k in keys)


def subscribe(ask: Ask, rest: str) -> Reply:
    found = parse_materials(rest)
    if not found.keys:
        problem = found.problems[0] + ". " if found.problems else ""
        return simple(f":thinking_face: {esc(problem)}Name one or more materials, for example "
                      "`/chokepoint subscribe dysprosium Tb`.")
    with ask.store.session() as s:
        added = subs.subscribe(s, ask.user, found.keys, ask.now)
        mine = subs.subscriptions_of(s, ask.user)
    reply = ReplyBuilder()
    if added:
        reply.section(f":bell: Subscribed to {_names(added)}. You will get a DM for new alerts "
                      "on them.")
    already = [k for k in found.keys if k not in added]
    if already:
        reply.section(f"Already subscribed to {_names(already)}.")
    for problem in found.problems:
        reply.context(f"Skipped: {esc(problem)}")
    reply.context(f"Your subscriptions: {_names(mine)}")
    return reply.build()


def unsubscribe(ask: Ask, rest: str) -> Reply:
    with ask.store.session() as s:
        mine = subs.subscriptions_of(s, ask.user)
        if rest.strip().lower() in _ALL:
            keys: tuple[str, ...] = tuple(mine)
            problems: tuple[str, ...] = ()
        else:
            found = parse_materials(rest)
            keys, problems = found.keys, found.problems
        if not keys and not problems:
            return simple("Name the materials to unsubscribe from, or `all`. "
                          + (f"You are subscribed to {_names(mine)}." if mine
                             else "You have no subscriptions."))
        removed = subs.unsubscribe(s, ask.user, keys)
        left = subs.subscriptions_of(s, ask.user)
    reply = ReplyBuilder()
    if removed:
        reply.section(f":no_bell: Unsubscribed from {_names(removed)}.")
    not_subscribed = [k for k in keys if k not in removed]
    if not_subscribed:
        reply.section(f"You were not subscribed to {_names(not_subscribed)}.")
    for problem in problems:
        reply.context(f"Skipped: {esc(problem)}")
    reply.context(f"Your subscriptions: {_names(left)}" if left else "You have no subscriptions.")
    return reply.build()


def subscriptions(ask: Ask, rest: str) -> Reply:
    with ask.store.reader() as s:
        mine = subs.subscriptions_of(s, ask.user)
    if not mine:
        return simple("You have no subscriptions. `/chokepoint subscribe Dy Tb` gets you a DM "
                      "for every new alert on dysprosium and terbium.")
    reply = ReplyBuilder().header("Your subscriptions")
    reply.section("\n".join(f"• {esc(display_name(k))}" for k in mine))
    reply.context("You get a DM for new alerts on these. `/chokepoint unsubscribe <material>` "
                  "or `unsubscribe all` to stop.")
    return reply.build()


def _error_part(error: str | None, at: datetime | None, ask: Ask) -> str | None:
    if not error:
        return None
    return f"last error {ago(at, ask.now) if at else 'earlier'}: _{clip(esc(error), 300)}_"


def _feed_line(h: FeedHealth, ask: Ask) -> str:
    icon = ":white_check_mark:" if h.healthy else ":warning:"
    parts = [f"{icon} *{esc(h.name)}*", _success(h.last_success, ask),
             f"{count(h.entries_seen, 'entry', 'entries')} seen"]
    if h.last_new_entry:
        parts.append(f"newest entry {ago(h.last_new_entry, ask.now)}")
    if not h.healthy:
        parts.append(_error_part(h.last_error, h.last_error_at, ask) or "")
        if h.failures > 1:
            parts.append(f"{h.failures} failures in a row")
        if h.next_attempt and h.next_attempt > ask.now:
            parts.append(f"next try {local_time(h.next_attempt, ask.tz)}")
    return " · ".join(p for p in parts if p)


def _success(when: datetime | None, ask: Ask) -> str:
    if when is None:
        return "never succeeded"
    return f"last success {ago(when, ask.now)} ({local_time(when, ask.tz)})"


def _source_line(h: SourceHealth, ask: Ask) -> str:
    # A later success does not clear the error text, so compare the times.
    failing = h.last_error is not None and (
        h.last_success is None or (h.last_error_at or h.last_success) > h.last_success)
    icon = ":warning:" if failing else ":white_check_mark:"
    parts = [f"{icon} *{esc(h.name)}*", _success(h.last_success, ask),
             f"{h.rows_loaded:,} rows loaded" + (f", {h.rows_skipped:,} skipped"
                                                 if h.rows_skipped else "")]
    if failing:
        parts.append(_error_part(h.last_error, h.last_error_at, ask) or "")
    return " · ".join(p for p in parts if p)


def feeds(ask: Ask, rest: str) -> Reply:
    with ask.store.reader() as s:
        feeds_, data = feed_health(s), source_health(s)
    polled = {h.name for h in feeds_}
    waiting = [name for name in ask.feeds if name not in polled]
    if not feeds_ and not data and not waiting:
        return simple("No feeds are configured or polled yet.")
    reply = ReplyBuilder().header("Feeds and data sources")
    lines = [_feed_line(h, ask) for h in feeds_]
    lines += [f":hourglass_flowing_sand: *{esc(name)}* · not polled yet" for name in waiting]
    if lines:
        reply.lines(lines, len(lines), noun="feeds")
    if data:
        reply.section("\n".join(_source_line(h, ask) for h in data))
    failing = sum(1 for h in feeds_ if not h.healthy)
    reply.context(f"{len(lines)} feeds, {failing} failing · times in {ask.tz.key}")
    return reply.build()
