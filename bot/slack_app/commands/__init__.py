"""`/chokepoint`: read the text, answer from the store; unknown input gets help, never a trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.slack_app.blocks import Reply, ReplyBuilder, esc, simple
from bot.slack_app.commands import account, exports, lookups, policy
from bot.slack_app.commands.ask import Ask
from bot.slack_app.commands.parse import parse

__all__ = ["Ask", "answer", "help_reply"]

log = logging.getLogger(__name__)

Handler = Callable[[Ask, str], Reply]

HANDLERS: dict[str, Handler] = {
    "status": lookups.status,
    "licences": lookups.licences,
    "alerts": lookups.alerts,
    "exports": exports.exports,
    "subscribe": account.subscribe,
    "unsubscribe": account.unsubscribe,
    "subscriptions": account.subscriptions,
    "feeds": account.feeds,
    "policy": policy.policy,
    "exposure": policy.exposure,
}

HELP_LINES = (
    ("status <material>", "latest alerts, news and licences, e.g. `status dysprosium`"),
    ("licences [<holder or material>] [expiring <days>]",
     "licences with days left, e.g. `licences Dy expiring 30`"),
    ("exports <product> [<destination>]",
     "last 6 months with month-over-month change, e.g. `exports magnets US`"),
    ("alerts [<material>]", "open alerts (not acknowledged or snoozed)"),
    ("subscribe <material ...>", "get a DM for alerts on these materials, e.g. `subscribe Dy Tb`"),
    ("unsubscribe <material ...>", "stop those DMs"),
    ("subscriptions", "what you are subscribed to"),
    ("feeds", "each feed and data source: last success, last error, entries seen"),
    ("policy [<material>]", "measures in force, suspended or upcoming, with the next date "
     "that changes each, e.g. `policy Ga`"),
    ("exposure [<material>]", "your parts that depend on it, with days of cover and their "
     "licences, e.g. `exposure Dy`"),
    ("help", "this list"),
)


def help_reply(problem: str | None = None) -> Reply:
    """The commands, optionally after a sentence saying what was not understood."""
    reply = ReplyBuilder()
    if problem:
        reply.section(problem)
    reply.header("Chokepoint commands")
    reply.section("\n".join(f"`/chokepoint {cmd}` · {what}" for cmd, what in HELP_LINES))
    reply.context("Materials by name, symbol or oxide: `dysprosium`, `Dy`, `Dy2O3`, "
                  "`rare earths`, `NdFeB`. Only you see these answers.")
    return reply.build()


def answer(text: str, ask: Ask) -> Reply:
    """The reply to one `/chokepoint` text. Never raises: a failure becomes a polite sentence."""
    try:
        parsed = parse(text)
        if parsed.command == "help":
            return help_reply()
        if parsed.command is None:
            hint = f" Did you mean `{parsed.guess}`?" if parsed.guess else ""
            return help_reply(f":thinking_face: I don't know `{esc(parsed.word[:60])}`.{hint}")
        return HANDLERS[parsed.command](ask, parsed.rest)
    except Exception:
        log.exception("/chokepoint %r failed", text[:200])
        return simple(":warning: Sorry, I could not answer that just now; the error is logged "
                      "for the operators. Please try again in a minute.")
