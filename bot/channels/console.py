"""The console channel: prints what Slack would show (for `demo`, and when there is no token)."""

from __future__ import annotations

import re
import sys
import textwrap
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from bot.channels.base import Sent
from bot.channels.slack_blocks import render_alert
from bot.models import Alert, Target

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_WRAPPED = re.compile(r"^([*_])(.+)\1$")
_INLINE = re.compile(r"(?<![\w*`])([*`])([^*`\n]+)\1(?![\w*`])")
MAX_FACT_LINES = 6


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn as a reader sees it: links as `label <url>`, entities decoded."""
    text = _LINK.sub(lambda m: f"{m.group(2)} <{m.group(1)}>", text)
    text = _MENTION.sub(r"@\1", text)
    lines = [_INLINE.sub(r"\2", _WRAPPED.sub(r"\2", line)) for line in text.split("\n")]
    return "\n".join(lines).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _wrap(text: str, indent: str, width: int, max_lines: int | None = None) -> list[str]:
    hanging = indent + ("  " if text.startswith("• ") else "")  # bullets hang under their text
    lines = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=hanging) or [indent]
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + " …"]
    return lines


def blocks_to_text(
    blocks: Sequence[dict[str, Any]], *, indent: str = "  ", width: int = 78
) -> list[str]:
    """Block Kit as console lines: header, text, facts as `Label: value`, context, [buttons]."""
    lines: list[str] = []
    seen_title = False
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(block["text"]["text"])
        elif kind == "section" and "text" in block:
            body = mrkdwn_to_text(block["text"]["text"]).split("\n")
            if seen_title:  # a long fact: its label on one line, its text below
                lines.append(indent + body[0] + ":")
                lines.extend(_wrap(" ".join(body[1:]), indent * 2, width, MAX_FACT_LINES))
            else:
                lines.extend(wrapped for line in body for wrapped in _wrap(line, "", width))
                seen_title = True
        elif kind == "section":
            for field in block.get("fields", ()):
                label, _, value = mrkdwn_to_text(field["text"]).partition("\n")
                lines.append(f"{indent}{label + ':':<14} {value}")
        elif kind == "context":
            for element in block.get("elements", ()):
                lines.extend(_wrap(mrkdwn_to_text(element.get("text", "")), indent, width))
        elif kind == "actions":
            buttons = " ".join(f"[{e['text']['text']}]" for e in block.get("elements", ()))
            lines.append(indent + buttons)
    return lines


_ASCII = str.maketrans({"─": "-", "·": "|", "…": "...", "×": "x", "→": "->", "•": "*"})


def _plain(text: str, encoding: str) -> str:
    """Text a narrow terminal can print: box and bullet characters mapped, emoji dropped."""
    text = text.translate(_ASCII).encode(encoding, "ignore").decode(encoding)
    return re.sub(r"(?m)^ (?=\S)", "", text)  # the space that followed a dropped emoji


def _where(target: Target) -> str:
    """`#chan` or `U123` as Slack would name it; `console` for the console itself."""
    return str(target) if target.family in ("console", "email") else target.address


class ConsoleChannel:
    """Writes alerts readably to a stream (stdout by default); never fails a delivery."""

    def __init__(self, stream: TextIO | None = None, *, width: int = 78) -> None:
        self._stream = stream
        self.width = width
        self._lock = threading.Lock()
        self.count = 0

    def send(self, alert: Alert, *, target: Target, thread_ts: str | None = None) -> Sent:
        _fallback, blocks = render_alert(alert)
        where = _where(target) + (" (in thread)" if thread_ts else "")
        self._show(f"to {where}", blocks)
        return Sent(channel="console", ts=None)

    def update(
        self, alert: Alert, *, channel: str, ts: str, state_line: str | None = None
    ) -> None:
        _fallback, blocks = render_alert(alert, state_line=state_line)
        self._show(f"update of alert #{alert.id} in {channel}", blocks)

    def _show(self, label: str, blocks: Sequence[dict[str, Any]]) -> None:
        self._write(self._rule(label), *blocks_to_text(blocks, width=self.width))

    def _rule(self, label: str) -> str:
        head = f"── {label} "
        return head + "─" * max(self.width - len(head), 3)

    def _write(self, *lines: str) -> None:
        stream = self._stream or sys.stdout
        text = "\n".join(lines) + "\n\n"
        with self._lock:
            self.count += 1
            try:
                stream.write(text)
            except UnicodeEncodeError:  # a terminal that cannot show emoji still gets the alert
                stream.write(_plain(text, getattr(stream, "encoding", None) or "ascii"))
            stream.flush()
