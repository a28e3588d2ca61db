"""Slack mrkdwn safety: escaping, entity-safe truncation, checked links, and the Slack jinja env."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from bot.templates import environment

ELLIPSIS = "…"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
_URL_JUNK = re.compile(r"[|<>\s\x00-\x1f\x7f]")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


# Slack has no escape for its formatting marks, so a pair that would format (`*URGENT*`,
# `_x_`, `~x~`, `` `x` ``) gets look-alike characters that Slack does not read as marks.
_FORMAT_PAIR = re.compile(r"(?<![^\W_])([*_~`])(?=[^\s*_~`])([^\n]*?[^\s])\1(?![^\W_])")
_LOOKALIKE = {"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"}


def _unformat(m: re.Match[str]) -> str:
    mark = _LOOKALIKE[m.group(1)]
    return mark + m.group(2) + mark


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters (`&`, `<`, `>`), and
    defuse formatting marks, so that outside text shows as typed and can never format.

    Slack decodes only these entities, so `&amp;` in a headline becomes `&amp;amp;` and shows
    as the literal `&amp;`.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _FORMAT_PAIR.sub(_unformat, text) if any(c in text for c in "*_~`") else text


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut (plain text, no entities)."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def truncate_escaped(text: str, limit: int) -> str:
    """Like truncate, for already escaped mrkdwn: never cuts `&amp;`/`&lt;`/`&gt;` in half."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = _ENTITY_TAIL.sub("", cut)  # a half entity would show as "&am" or worse, swallow text
    return cut.rstrip() + ELLIPSIS


def escape_limited(text: str, limit: int | None = None) -> str:
    """Escape, then truncate to `limit` characters of escaped text."""
    escaped = mrkdwn_escape(str(text))
    return escaped if limit is None else truncate_escaped(escaped, limit)


def safe_url(url: str) -> str | None:
    """An http(s) URL without the characters that could break out of `<url|label>`; else None."""
    cleaned = _URL_JUNK.sub("", url or "")
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return cleaned


def link(url: str, label: str = "", *, label_limit: int = 200) -> str:
    """`<url|label>` with the label escaped; a URL that is not http(s) gives the label as text."""
    checked = safe_url(url)
    if checked is None:
        return escape_limited(label or url, label_limit)
    text = label.strip() or (urlsplit(checked).hostname or checked)
    # `&` in the URL is escaped too: Slack decodes entities inside links as everywhere else.
    return f"<{mrkdwn_escape(checked)}|{escape_limited(text, label_limit)}>"


def user_mention(user: str | None) -> str:
    """`<@U123>` for a real Slack user id, else the escaped text (never a forged mention)."""
    if not user:
        return "someone"
    if _USER_ID.match(user):
        return f"<@{user}>"
    return mrkdwn_escape(user)


def _mrkdwn_filter(value: Any, limit: int | None = None) -> str:
    return escape_limited("" if value is None else str(value), limit)


@lru_cache(maxsize=1)
def slack_environment() -> Environment:
    """The jinja2 environment for templates/slack/: autoescape off, escaping via `| mrkdwn`."""
    env = environment("slack")
    env.filters["mrkdwn"] = _mrkdwn_filter
    env.filters["link"] = link
    env.filters["user"] = user_mention
    return env


def render_fragment(name: str, **context: Any) -> str:
    """Render templates/slack/<name>.j2 to a mrkdwn (or plain) string, stripped."""
    return slack_environment().get_template(f"slack/{name}.j2").render(**context).strip()
