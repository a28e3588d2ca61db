"""Block Kit for alerts: built in Python from escaped template fragments, within Slack's limits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.channels.mrkdwn import (
    link,
    mrkdwn_escape,
    render_fragment,
    truncate,
    truncate_escaped,
)
from bot.models import Alert, Link, severity_rank

__all__ = [
    "ACK_ACTION",
    "SNOOZE_ACTION",
    "describe_state",
    "mrkdwn_escape",
    "render_alert",
    "render_group_summary",
    "source_note",
]

ACK_ACTION = "chokepoint_ack"
SNOOZE_ACTION = "chokepoint_snooze"

# Block Kit limits (api.slack.com/reference/block-kit): we stay under every one of them.
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
FALLBACK_CHARS = 40_000
LONG_FACT = 160  # longer values get a section of their own instead of a narrow field
MAX_LINKS = 6

SEVERITY_EMOJI = {"critical": "🔴", "high": "🟠", "warning": "🟡", "info": "🔵"}
KIND_LABELS = {
    "news_restriction": "Export restriction",
    "news_easing": "Easing",
    "licence_expiry": "Licence expiry",
    "licence_status": "Licence status",
    "export_swing": "Export swing",
    "feed_stale": "Feed stale",
}
_HEADER_UNSAFE = re.compile(r"[<>&\x00-\x1f]")


def kind_label(rule_type: str) -> str:
    return KIND_LABELS.get(rule_type, rule_type.replace("_", " ").capitalize())


def header_text(alert: Alert) -> str:
    """`🔴 CRITICAL · Dy, Tb · Licence expiry` (plain text: no mrkdwn, so unsafe characters go)."""
    parts = [f"{SEVERITY_EMOJI.get(alert.severity, '⚪')} {alert.severity.upper()}"]
    if alert.materials:
        parts.append(", ".join(alert.materials))
    parts.append(kind_label(alert.rule_type))
    return truncate(_HEADER_UNSAFE.sub("", " · ".join(parts)), HEADER_CHARS)


def describe_state(
    alert: Alert, *, note: str | None = None, snoozed_until: datetime | None = None,
    snoozed_by: str | None = None,
) -> str | None:
    """The state line as safe mrkdwn (`✅ Acknowledged by <@U123> · …`); None while open."""
    if alert.state == "open":
        return None
    by = snoozed_by if alert.state == "snoozed" else alert.acked_by
    # Acknowledging and snoozing compose: a snoozed alert still says who acknowledged it.
    acked_by = alert.acked_by if alert.state == "snoozed" else None
    text = render_fragment(
        "state", state=alert.state, by=by, at=alert.acked_at, until=snoozed_until, note=note,
        acked_by=acked_by,
    )
    return text or None


def _text(text: str) -> dict[str, Any]:
    # verbatim: Slack must not auto-link channel names or parse mentions in what we send.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _fact_blocks(facts: Sequence[tuple[str, str]], budget: int) -> list[dict[str, Any]]:
    """Short facts as two-column fields (≤10 a section), long ones as sections of their own."""
    blocks: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []
    for label, value in facts:
        if len(value) > LONG_FACT or "\n" in value:
            if fields:
                blocks.append({"type": "section", "fields": fields})
                fields = []
            text = render_fragment("fact", label=label, value=value, limit=SECTION_CHARS - 150)
            blocks.append({"type": "section", "text": _text(text)})
            continue
        text = render_fragment("fact", label=label, value=value, limit=FIELD_CHARS - 150)
        fields.append(_text(text))
        if len(fields) == FIELDS_PER_SECTION:
            blocks.append({"type": "section", "fields": fields})
            fields = []
    if fields:
        blocks.append({"type": "section", "fields": fields})
    return blocks[: max(budget, 0)]


def source_links(alert: Alert) -> str:
    """The sources as mrkdwn links (` · ` between), a few at most, then "and N more"."""
    links = [link(s.url, s.label, label_limit=120) for s in alert.sources[:MAX_LINKS]]
    text = " · ".join(links)
    more = len(alert.sources) - len(links)
    if more > 0:
        text += f" · and {more} more"
    return text


def _buttons(alert: Alert) -> dict[str, Any] | None:
    value = str(alert.id)
    elements: list[dict[str, Any]] = []
    if alert.acked_by is None and alert.state not in ("acknowledged", "resolved"):
        elements.append({
            "type": "button", "action_id": ACK_ACTION, "value": value, "style": "primary",
            "text": {"type": "plain_text", "text": "Acknowledge", "emoji": True},
        })
    if alert.state not in ("snoozed", "resolved"):
        elements.append({
            "type": "button", "action_id": SNOOZE_ACTION, "value": value,
            "text": {"type": "plain_text", "text": "Snooze 7 days", "emoji": True},
        })
    if not elements:
        return None
    return {"type": "actions", "block_id": f"chokepoint_actions_{alert.id}", "elements": elements}


Blocks = list[dict[str, Any]]


def _header(text: str) -> dict[str, Any]:
    plain = truncate(_HEADER_UNSAFE.sub("", text), HEADER_CHARS)
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_text(truncate_escaped(text, FIELD_CHARS))]}


def render_alert(alert: Alert, *, state_line: str | None = None) -> tuple[str, Blocks]:
    """(fallback text, blocks) for one alert. `state_line` is ready mrkdwn from describe_state;
    when None it is derived from the alert's state (who acknowledged it, if anyone)."""
    if state_line is None:
        state_line = describe_state(alert)
    materials = ", ".join(alert.materials)
    title = render_fragment("title", title=alert.title, reason=alert.reason)
    head: list[dict[str, Any]] = [
        _header(header_text(alert)),
        {"type": "section", "text": _text(truncate_escaped(title, SECTION_CHARS))},
    ]
    tail: list[dict[str, Any]] = []
    if alert.sources:
        tail.append(_context(source_links(alert)))
    meta = render_fragment(
        "meta", rule=alert.rule_id, kind=kind_label(alert.rule_type), alert_id=alert.id,
        created=alert.created,
    )
    tail.append(_context(meta))
    if state_line:
        tail.append(_context(state_line))
    actions = _buttons(alert)
    if actions is not None:
        tail.append(actions)
    facts = _fact_blocks(alert.facts, MAX_BLOCKS - len(head) - len(tail))
    fallback = render_fragment(
        "fallback", severity=alert.severity, materials=materials, title=alert.title,
        facts=alert.facts, state_text=state_line or "",
    )
    return truncate_escaped(fallback, FALLBACK_CHARS), [*head, *facts, *tail]


def render_group_summary(alerts: Sequence[Alert]) -> tuple[str, Blocks]:
    """The parent message for several alerts of one rule: a count and a line each."""
    if not alerts:
        raise ValueError("render_group_summary needs at least one alert")
    top = max(alerts, key=lambda a: severity_rank(a.severity))
    materials = list(dict.fromkeys(m for a in alerts for m in a.materials))
    kind = kind_label(top.rule_type)
    header = f"{SEVERITY_EMOJI.get(top.severity, '⚪')} {len(alerts)} × {kind}"
    if materials:
        header += " · " + ", ".join(materials)
    lines: list[str] = []
    used = 0
    for a in alerts:
        line = render_fragment(
            "group_line", emoji=SEVERITY_EMOJI.get(a.severity, "⚪"), title=a.title,
            materials=", ".join(a.materials),
        )
        if used + len(line) > SECTION_CHARS - 400:
            break
        lines.append(line)
        used += len(line) + 3
    summary = render_fragment(
        "group_summary", count=len(alerts), rule=top.rule_id, lines=lines,
        more=len(alerts) - len(lines),
    )
    blocks: list[dict[str, Any]] = [
        _header(header),
        {"type": "section", "text": _text(truncate_escaped(summary, SECTION_CHARS))},
    ]
    fallback = render_fragment(
        "group_fallback", severity=top.severity, count=len(alerts), kind=kind, rule=top.rule_id,
        titles="; ".join(a.title for a in alerts),
    )
    return truncate_escaped(fallback, FALLBACK_CHARS), blocks


def source_note(source: Link, headline: str) -> str:
    """The thread reply for a further source of a story, escaped for Slack."""
    who = mrkdwn_escape(source.label or "another feed")
    return f"Also reported by *{who}*: {link(source.url, headline)}"
