"""Block Kit for answers: a reply builder that keeps within Slack's limits, and formatters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from bot.channels.mrkdwn import link, mrkdwn_escape, truncate, truncate_escaped
from bot.channels.slack_blocks import SEVERITY_EMOJI, kind_label
from bot.models import Alert, Licence, Link

Block = dict[str, Any]

# Slack's documented limits (messages: 50 blocks; a section's text: 3000 characters;
# a header: 150; context elements: 10). The text fallback is kept to the section limit.
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 3000


def esc(text: object) -> str:
    """Escape outside text for mrkdwn (every string that did not come from our own code)."""
    return mrkdwn_escape(str(text))


def clip(text: str, limit: int) -> str:
    """Cut escaped mrkdwn to `limit` characters, marking the cut, never inside an entity."""
    return truncate_escaped(text, limit)


def source_links(sources: Sequence[Link], limit: int = 3) -> str:
    shown = [link(s.url, s.label or "source") for s in sources[:limit]]
    more = len(sources) - limit
    return " · ".join(shown) + (f" · +{more} more" if more > 0 else "")


def ago(when: datetime | None, now: datetime) -> str:
    """'3 h ago', '2 d ago', 'just now'; 'never' for None."""
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def local_time(when: datetime, tz: tzinfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def days_left_text(expires: date | None, today: date) -> str:
    if expires is None:
        return "no expiry date"
    days = (expires - today).days
    if days < 0:
        return f"*expired {-days} d ago*"
    if days == 0:
        return "*expires today*"
    return f"*{days} day{'s' if days != 1 else ''} left*"


@dataclass
class ReplyBuilder:
    """Collects blocks for one message, keeping inside Slack's limits as it goes."""

    max_blocks: int = MAX_BLOCKS
    blocks: list[Block] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)  # the "… and N more" lines

    def _room(self, reserve: int = 0) -> bool:
        """True if one more block fits, keeping `reserve` blocks free after it."""
        return len(self.blocks) + 1 + reserve <= self.max_blocks

    def _add(self, block: Block, plain: str, reserve: int = 0) -> ReplyBuilder:
        if self._room(reserve):
            self.blocks.append(block)
            if plain:
                self.plain.append(plain)
        return self

    def block(self, block: Block, *, reserve: int = 0) -> ReplyBuilder:
        """Any other block (actions, images) if it fits with `reserve` blocks to spare."""
        return self._add(block, "", reserve)

    def has_room(self, blocks: int = 1) -> bool:
        return len(self.blocks) + blocks <= self.max_blocks

    def header(self, text: str) -> ReplyBuilder:
        """A plain-text header: Slack shows it as typed, so only the mrkdwn fallback is escaped."""
        text = truncate(text, MAX_HEADER)
        block = {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}
        return self._add(block, f"*{esc(text)}*")

    def section(self, mrkdwn: str) -> ReplyBuilder:
        mrkdwn = clip(mrkdwn, MAX_SECTION)
        return self._add({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}, mrkdwn)

    def context(self, mrkdwn: str) -> ReplyBuilder:
        mrkdwn = clip(mrkdwn, MAX_SECTION)
        return self._add({"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]},
                         mrkdwn)

    def divider(self) -> ReplyBuilder:
        # A divider is only worth its block if something can still follow it.
        return self._add({"type": "divider"}, "", reserve=1)

    def lines(self, lines: Iterable[str], total: int, *, noun: str = "") -> ReplyBuilder:
        """Lines packed into as few sections as fit, then '… and N more' for the rest of `total`."""
        budget = MAX_SECTION - 20
        shown, size = 0, 0
        chunk: list[str] = []
        for line in lines:
            line = clip(line, budget)
            if chunk and size + len(line) + 1 > budget:
                # Flush only if another section and the "and N more" line still fit after it.
                if not self._room(reserve=2):
                    break
                self.section("\n".join(chunk))
                shown, chunk, size = shown + len(chunk), [], 0
            chunk.append(line)
            size += len(line) + 1
        if chunk and self._room(reserve=1):
            self.section("\n".join(chunk))
            shown += len(chunk)
        if total > shown:
            more = f"… and {total - shown} more{' ' + noun if noun else ''}"
            self.context(more)
            self.counts.append(more)
        return self

    def build(self) -> Reply:
        text = "\n".join(self.plain)
        if len(text) > MAX_TEXT and self.counts:
            # A cut fallback still says how much was left out.
            tail = "\n".join(self.counts)
            text = clip(text, MAX_TEXT - len(tail) - 1) + "\n" + tail
        return Reply(text=clip(text, MAX_TEXT), blocks=tuple(self.blocks[: self.max_blocks]))


@dataclass(frozen=True)
class Reply:
    """One answer: Block Kit plus a plain `text` fallback (notifications, screen readers)."""

    text: str
    blocks: tuple[Block, ...] = ()

    def ephemeral(self) -> dict[str, Any]:
        """Keyword arguments for Bolt's ack()/respond(): only the caller sees the answer."""
        return {"text": self.text, "blocks": list(self.blocks), "response_type": "ephemeral"}


def simple(text: str) -> Reply:
    """A one-section reply (confirmations, errors)."""
    return ReplyBuilder().section(text).build()


def alert_line(alert: Alert, now: datetime) -> str:
    """One alert on one line: severity, title, materials, kind, age, id, first source."""
    parts = [f"{SEVERITY_EMOJI.get(alert.severity, '⚪')} *{clip(esc(alert.title), 240)}*"]
    if alert.materials:
        parts.append(esc(", ".join(alert.materials)))
    parts.append(kind_label(alert.rule_type))
    parts.append(ago(alert.created, now))
    parts.append(f"#{alert.id}")
    if alert.sources:
        parts.append(source_links(alert.sources, limit=1))
    return " · ".join(parts)


def licence_line(licence: Licence, today: date) -> str:
    """`*LIC-1* · Holder · Dy oxide → US (End user) · expires 2026-01-10 · *14 days left*`."""
    what = f"{esc(licence.material)} {esc(licence.form)}"
    if licence.destination:
        what += f" → {esc(licence.destination)}"
    if licence.end_user:
        what += f" ({clip(esc(licence.end_user), 80)})"
    expiry = f"expires {licence.expires:%Y-%m-%d}" if licence.expires else "expiry unknown"
    return " · ".join((
        f"*{clip(esc(licence.licence_id), 80)}*", clip(esc(licence.holder), 120), what, expiry,
        days_left_text(licence.expires, today), esc(licence.status.replace("_", " ")),
    ))
