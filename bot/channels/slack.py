"""The Slack channel: post, thread and update alert messages through the Web API (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.channels.base import DeliveryError, Sent
from bot.channels.pacing import Pacer
from bot.channels.slack_blocks import render_alert, render_group_summary, source_note
from bot.logs import scrub
from bot.models import Alert, Link, Target

# Slack's own word that trying again later may work; every other `ok: false` is our mistake or
# the workspace's (unknown channel, bot not invited, revoked token) and retrying will not help.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout", "team_added_to_org",
})
# Errors about the token or the workspace, not about one message: the channel pauses.
WORKSPACE_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})
PAUSE_PROBE = 60.0  # seconds between tries while paused
HINTS = {
    "channel_not_found": "the channel does not exist or the bot cannot see it; check the route's "
                         "`slack:` channel, and for a private channel invite the bot",
    "not_in_channel": "the bot is not a member; invite it with /invite @Chokepoint",
    "is_archived": "the channel is archived; unarchive it or route elsewhere",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid for this workspace",
    "not_authed": "no SLACK_BOT_TOKEN was sent",
    "account_inactive": "the bot's token belongs to a deactivated app or user; reinstall the app",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app and set the new token",
    "missing_scope": "the app lacks a scope (chat:write); add it and reinstall",
    "message_not_found": "the message to update no longer exists",
    "cant_update_message": "the message was not posted by this bot",
}


class SlackChannel:
    """Wraps slack_sdk's WebClient. Retries are the outbox's job, so the client makes none."""

    def __init__(
        self, token: SecretStr | str, *, api_url: str = "https://slack.com/api/",
        timeout: float = 10.0,
    ) -> None:
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        self._token = secret
        base = api_url if api_url.endswith("/") else api_url + "/"
        self.client = WebClient(token=secret, base_url=base, retry_handlers=[])
        # WebClient's signature says whole seconds, urllib takes any float (tests use fractions).
        self.client.timeout = timeout  # type: ignore[assignment]
        self.pacer = Pacer()

    def send(self, alert: Alert, *, target: Target, thread_ts: str | None = None) -> Sent:
        """Post one alert (into `thread_ts`'s thread when given); returns channel id and ts.
        A `slack-dm` target's address is a user id: Slack opens the DM with the bot."""
        text, blocks = render_alert(alert)
        return self._post(target.address, text, blocks, thread_ts=thread_ts, alert_id=alert.id)

    def post_summary(self, alerts: Sequence[Alert], *, target: Target) -> Sent:
        """The parent message of a group; the details go into its thread with `send`."""
        text, blocks = render_group_summary(alerts)
        return self._post(target.address, text, blocks, thread_ts=None, alert_id=None)

    def update(
        self, alert: Alert, *, channel: str, ts: str, state_line: str | None = None
    ) -> None:
        """Rewrite a posted message to show the alert's current state (chat.update)."""
        text, blocks = render_alert(alert, state_line=state_line)
        self._call("chat.update", {"channel": channel, "ts": ts, "text": text, "blocks": blocks})

    def post_note(self, channel: str, thread_ts: str, note: str) -> Sent:
        """A short mrkdwn reply in a message's thread (a further source of the same story).
        `note` must already be escaped (bot.channels.mrkdwn)."""
        block = {"type": "context", "elements": [{"type": "mrkdwn", "text": note[:3000]}]}
        return self._post(channel, note[:3000], [block], thread_ts=thread_ts, alert_id=None)

    def post_source(self, channel: str, thread_ts: str, source: Link, headline: str) -> Sent:
        """Announce a further source of a story in its message's thread."""
        return self.post_note(channel, thread_ts, source_note(source, headline))

    def _post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, thread_ts: str | None,
        alert_id: int | None,
    ) -> Sent:
        args: dict[str, Any] = {
            "channel": channel, "text": text, "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False,
        }
        if thread_ts:
            args["thread_ts"] = thread_ts
        if alert_id is not None:
            # Lets the Slack app (and anyone reading the channel's history) find the alert.
            args["metadata"] = {"event_type": "chokepoint_alert",
                                "event_payload": {"alert_id": alert_id}}
        self.pacer.wait_turn(channel)
        data = self._call("chat.postMessage", args)
        ts = data.get("ts")
        return Sent(channel=str(data.get("channel") or channel), ts=str(ts) if ts else None)

    def _call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        try:
            response = self.client.api_call(method, json=args)
            return dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            raise self._api_error(method, channel, exc) from None
        except Exception as exc:  # timeouts, refused connections, non-JSON answers
            kind = "timed out" if "timed out" in str(exc).lower() else "could not be reached"
            detail = self._clean(f"{type(exc).__name__}: {exc}")
            raise DeliveryError(
                f"Slack {method} to {channel} {kind} ({detail}); will retry", permanent=False
            ) from None

    def _api_error(self, method: str, channel: str, exc: SlackApiError) -> DeliveryError:
        response = exc.response
        status = int(getattr(response, "status_code", 0) or 0)
        data = response.data if isinstance(response.data, dict) else {}
        error = str(data.get("error") or f"HTTP {status}")
        if status == 429 or error in ("ratelimited", "rate_limited"):
            retry_after = _retry_after(response.headers)
            return DeliveryError(
                f"Slack rate-limited {method} to {channel}; retrying after {retry_after:g} s",
                permanent=False, retry_after=retry_after,
            )
        if status >= 500 or error in TRANSIENT_ERRORS:
            return DeliveryError(
                f"Slack answered {method} to {channel} with {self._clean(error)} (HTTP {status}); "
                "will retry", permanent=False,
            )
        hint = HINTS.get(error)
        if error in WORKSPACE_ERRORS:
            return DeliveryError(
                f"Slack refused {method}: {self._clean(error)} ({hint}); Slack delivery is "
                f"paused and its alerts kept, tried again every {PAUSE_PROBE:g} s",
                permanent=False, retry_after=PAUSE_PROBE, paused=True,
            )
        message = f"Slack refused {method} to {channel}: {self._clean(error)}"
        return DeliveryError(message + (f" ({hint})" if hint else ""), permanent=True)

    def _clean(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, "[redacted]")
        return scrub(text)[:300]


def _retry_after(headers: Any) -> float:
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
        return max(float(value), 0.0)  # exactly as Slack asks
    except (TypeError, ValueError, AttributeError):
        return 30.0  # Slack always sends it; if not, a polite pause
