"""The Bolt app, built once: `/chokepoint`, the alert buttons and App Home, all on one store."""

from __future__ import annotations

import logging
import re
import secrets as random_secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Config, Secrets
from bot.exposure import Part
from bot.policy.measures import Measure
from bot.slack_app import actions, home
from bot.slack_app.commands import Ask, answer
from bot.slack_app.gate import RequestGate, TeamOfToken
from bot.store import Store, utcnow

log = logging.getLogger(__name__)

# The register and the parts at a moment (bot.pipeline.Pipeline.reference is one).
Reference = Callable[[datetime], tuple[tuple[Measure, ...], tuple[Part, ...]]]

# Slack shows an error if a command is not acknowledged within 3 s; answers that take longer
# than this are acknowledged empty and then sent to the command's response_url.
ACK_DEADLINE = 2.0


class SlackAppError(Exception):
    """The Slack app cannot be built as configured; the message says which setting to fix."""


class ChokepointApp(App):
    """The Bolt app plus the gate its HTTP requests pass first (bot/slack_app/gate.py)."""

    gate: RequestGate | None = None


def _authorize(token: str) -> Callable[..., AuthorizeResult]:
    # One workspace, one bot token: no auth.test round trip on the request path, so a Slack
    # API outage does not stop /chokepoint from answering out of the store.
    def authorize(enterprise_id: str | None, team_id: str | None,
                  user_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token,
                               user_id=user_id)

    return authorize


def web_client(config: Config, secrets: Secrets, token: str | None = None) -> WebClient:
    """A WebClient on `$SLACK_API_URL` or `slack.api_url`, retrying once on 429."""
    base_url = secrets.slack_api_url or config.slack.api_url
    timeout = max(1, int(config.slack.timeout.total_seconds()))
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def build_app(
    store: Store, config: Config, secrets: Secrets, *,
    now: Callable[[], datetime] = utcnow, ack_deadline: float = ACK_DEADLINE,
    reference: Reference | None = None,
) -> ChokepointApp:
    """The Bolt app with every listener registered; serve it with server.serve_http or
    server.serve_socket_mode. Requests whose signature or timestamp fails are refused (401).
    `reference` gives the policy register and the exposure file's parts as the running
    process holds them (`policy` and `exposure` answer from it; None: there are none)."""
    if secrets.slack_bot_token is None:
        raise SlackAppError("SLACK_BOT_TOKEN is not set: the Slack app needs the bot token "
                            "(OAuth & Permissions → Bot User OAuth Token, xoxb-…).")
    token = secrets.slack_bot_token.get_secret_value()
    if secrets.slack_signing_secret is not None:
        signing_secret = secrets.slack_signing_secret.get_secret_value()
    elif secrets.slack_app_token is not None:
        # Socket Mode needs no signature. A random secret makes any HTTP request fail
        # verification, instead of an empty key that anyone could sign with.
        signing_secret = random_secrets.token_hex(32)
    else:
        raise SlackAppError("SLACK_SIGNING_SECRET is not set: requests from Slack cannot be "
                            "verified (Basic Information → Signing Secret). Set it, or set "
                            "SLACK_APP_TOKEN to use Socket Mode.")
    app = ChokepointApp(
        client=web_client(config, secrets),
        signing_secret=signing_secret,
        authorize=_authorize(token),
        process_before_response=False,
        # Bolt's default of 5 workers would queue a burst of commands behind each other.
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt"),
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("bot.slack_app.bolt"),
    )
    if secrets.slack_signing_secret is not None:
        token_client = web_client(config, secrets, token)
        app.gate = RequestGate(signing_secret,
                               TeamOfToken(lambda: str(token_client.auth_test()["team_id"])))
    register_command(app, store, config, now=now, ack_deadline=ack_deadline, reference=reference)
    actions.register(app, store, config, now=now)
    home.register(app, store, config, now=now)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack request failed: %s (type %s)", error, body.get("type"),
                  exc_info=error)

    return app


def register_command(
    app: App, store: Store, config: Config, *, now: Callable[[], datetime],
    ack_deadline: float, reference: Reference | None = None,
) -> None:
    answers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="chokepoint-answer")
    feeds = tuple(f.name for f in config.feeds)

    # Any command name: the manifest may call it /chokepoint-dev in a test workspace.
    @app.command(re.compile(r"^/"))
    def on_command(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        asked_at = now()
        policies, parts = reference(asked_at) if reference else ((), ())
        ask = Ask(store=store, user=str(command.get("user_id") or ""), now=asked_at, tz=config.tz,
                  feeds=feeds, policies=policies, parts=parts)
        future = answers.submit(answer, str(command.get("text") or ""), ask)
        try:
            reply = future.result(timeout=ack_deadline)
        except FutureTimeout:
            ack()  # in time for Slack; the answer follows on response_url
            reply = future.result()  # answer() never raises
            try:
                respond(**reply.ephemeral())
            except Exception as exc:
                log.warning("could not send a slow /chokepoint answer to response_url: %s", exc)
            return
        ack(**reply.ephemeral())
