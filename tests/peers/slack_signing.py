"""Signed Slack requests (slash commands, button clicks) built exactly as Slack sends them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
TEAM_ID = "T0TEST"
TEAM_DOMAIN = "chokepoint-test"
APP_ID = "A0CHOKEPOINT"
# Slack gives every invocation its own trigger_id, so no two genuine bodies are the same.
_TRIGGERS = itertools.count(1)


def _trigger_id() -> str:
    return f"1337.42.{next(_TRIGGERS):06x}"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds: HMAC-SHA256 of `v0:<timestamp>:<body>` with the secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def signed_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """`sign` plus the Content-Type Slack sends with every command and interaction."""
    return {"Content-Type": FORM, **sign(body, secret, timestamp)}


def slash_command_body(
    text: str,
    *,
    user_id: str = "U0BUYER",
    response_url: str = "https://hooks.invalid/cmd",
    command: str = "/chokepoint",
    channel_id: str = "C0GENERAL",
    user_name: str = "buyer",
    trigger_id: str | None = None,
) -> bytes:
    """The form body of a slash command, fields in the order Slack sends them."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": "general" if channel_id.startswith("C") else "directmessage",
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields).encode()


def block_actions_body(
    action_id: str,
    value: str,
    user_id: str = "U0BUYER",
    channel: str = "C0GENERAL",
    message_ts: str = "1700000000.000100",
    response_url: str = "https://hooks.invalid/act",
    *,
    block_id: str = "alert_actions",
    action_type: str = "button",
    message: dict[str, Any] | None = None,
) -> bytes:
    """The form body of a block_actions interaction: `payload=<JSON>`.

    For `static_select` / `overflow` the value travels as `selected_option.value`, as Slack
    sends it; for a button it is `value`. `message` is the message the button sat on.
    """
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": "1700000100.123456",
    }
    if action_type == "button":
        action["value"] = value
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    else:
        action["selected_option"] = {
            "text": {"type": "plain_text", "text": value, "emoji": True},
            "value": value,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "buyer", "name": "buyer", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": _trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "message": message
        or {
            "type": "message",
            "user": "U0BOTUSER",
            "bot_id": "B0BOT",
            "ts": message_ts,
            "text": "alert",
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
