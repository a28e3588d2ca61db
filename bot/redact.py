"""Addresses as they may be shown: no user name or password, no query values.

A configured source URL can carry credentials (`https://user:pw@host/file.csv?token=…`);
logs, operator alerts, slash-command answers and the store only ever see its shown form.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

HIDDEN = "…"
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'|]+", re.IGNORECASE)


def shown_url(url: str) -> str:
    """`url` without userinfo and with every query value replaced by `…` (names kept)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return HIDDEN
    if not parts.scheme or not parts.netloc:
        return url  # a file path: nothing secret in its shape
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(p.split("=", 1)[0] + (f"={HIDDEN}" if "=" in p else "")
                     for p in parts.query.split("&") if p) if parts.query else ""
    return urlunsplit(SplitResult(parts.scheme, host, parts.path, query, ""))


def redact_urls(text: str) -> str:
    """Every URL inside `text` in its shown form."""
    return _URL.sub(lambda m: shown_url(m.group(0)), text)
