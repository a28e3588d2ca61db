"""The one contract every channel keeps (bot.channels.base.Channel), run through one table.

Each row is a channel (Slack, Slack DM, e-mail, console) against a real peer on loopback: a
transient failure (rate limit, server error, timeout, refused connection) is a retryable
DeliveryError, a refusal is a permanent one, no secret appears in any error, and outside text
cannot act as markup where it lands.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import Channel, DeliveryError
from bot.channels.console import ConsoleChannel
from bot.channels.email import EmailChannel, EmailSender
from bot.channels.slack import SlackChannel
from bot.config import EmailConfig
from bot.models import Alert, Link, Target
from tests.helpers.sockets import silent_server
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer

TOKEN = "xoxb-1234-5678-contractsecret"
PASSWORD = "contract-horse-battery"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HOSTILE = "<script>x</script> <!channel> <@U123> <http://evil.example|bank> & Dy2O3 halted"

TRANSIENT = ("rate_limited", "server_error", "timeout", "refused")
FAMILIES = ("slack", "slack-dm", "email", "console")


def an_alert(title: str = "China halts Dy2O3 exports") -> Alert:
    return Alert(
        id=7, rule_id="news", rule_type="news_restriction", key="news:story:1", severity="high",
        title=title, subject="story:1", materials=("Dy",), facts=(("Holder", HOSTILE),),
        sources=(Link("https://example.com/a?x=1&y=2", "<b>feed</b>"),), state="open", created=NOW,
    )


@dataclass
class Row:
    """One channel of the table: how to build it, break it, and read what it delivered."""

    channel: Channel
    target: Target
    secret: str | None
    breaks: Callable[[str], Channel] | None  # failure kind -> the channel to send with
    delivered: Callable[[], str]  # every text the receiving end got, joined


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def _silent_port(stack: list[Callable[[], None]]) -> int:
    server = silent_server()
    port = server.__enter__()
    stack.append(lambda: server.__exit__(None, None, None))
    return port


def _slack_row(family: str, stack: list[Callable[[], None]]) -> Row:
    peer = SlackApiPeer(token=TOKEN).__enter__()
    stack.append(lambda: peer.__exit__(None, None, None))
    address = "#risk" if family == "slack" else "U0BUYER"
    ok = SlackChannel(TOKEN, api_url=peer.url, timeout=0.5)

    def breaks(kind: str) -> Channel:
        if kind == "rate_limited":
            peer.fail_next("chat.postMessage", status=429, retry_after=7)
        elif kind == "server_error":
            peer.fail_next("chat.postMessage", status=503, body=f"upstream {TOKEN}".encode())
        elif kind == "timeout":
            peer.fail_next("chat.postMessage", hang=3)
        elif kind == "refused":
            return SlackChannel(TOKEN, api_url="http://127.0.0.1:9/api/", timeout=1)
        elif kind == "refusal":
            peer.fail_next("chat.postMessage", error="channel_not_found")
        elif kind == "bad_secret":
            peer.fail_next("chat.postMessage", error=f"invalid_auth {TOKEN}")
        return ok

    def delivered() -> str:
        return "\n".join(t for c in peer.calls_to("chat.postMessage") for t in _texts(c.body))

    return Row(ok, Target(family, address), TOKEN, breaks, delivered)  # type: ignore[arg-type]


def _email_row(tmp: Path, stack: list[Callable[[], None]]) -> Row:
    peer = SmtpPeer(folder=tmp, require_starttls=True,
                    auth={"alerts@example.com": PASSWORD}).__enter__()
    stack.append(lambda: peer.__exit__(None, None, None))

    def sender(password: str = PASSWORD, port: int | None = None) -> EmailChannel:
        cfg = EmailConfig(smtp_host="127.0.0.1", smtp_port=port or peer.port, security="starttls",
                          username="alerts@example.com", sender="Chokepoint <alerts@example.com>",
                          timeout=timedelta(seconds=0.5))
        return EmailChannel(EmailSender(cfg, SecretStr(password),
                                        ssl_context=peer.client_context()))

    ok = sender()

    def breaks(kind: str) -> Channel:
        if kind == "rate_limited":
            peer.fail_next(1, code=421, message="4.7.0 try again later")
        elif kind == "server_error":
            peer.fail_next(1, code=451, message="4.3.0 local error")
        elif kind == "timeout":
            return sender(port=_silent_port(stack))
        elif kind == "refused":
            peer.down()
        elif kind == "refusal":
            peer.fail_next(1, code=554, message="5.7.1 rejected")
        elif kind == "bad_secret":
            return sender(password=PASSWORD[::-1])  # a wrong password must not be echoed either
        return ok

    def delivered() -> str:
        # The HTML part is where outside text could act as markup (the text part is plain).
        bodies = [m.message.get_body(("html",)) for m in peer.messages]
        return "\n".join(str(b.get_content()) for b in bodies if b is not None)

    return Row(ok, Target("email", "coo@example.com"), PASSWORD, breaks, delivered)


def _console_row() -> Row:
    out = io.StringIO()
    return Row(ConsoleChannel(out), Target("console"), None, None, out.getvalue)


@pytest.fixture(params=FAMILIES)
def row(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Row]:
    stack: list[Callable[[], None]] = []
    family = request.param
    try:
        if family in ("slack", "slack-dm"):
            yield _slack_row(family, stack)
        elif family == "email":
            yield _email_row(tmp_path, stack)
        else:
            yield _console_row()
    finally:
        for close in reversed(stack):
            close()


def _failure(row: Row, kind: str) -> DeliveryError:
    if row.breaks is None:
        pytest.skip("the console writes to a local stream: it has no remote end to fail")
    channel = row.breaks(kind)
    with pytest.raises(DeliveryError) as err:
        channel.send(an_alert(), target=row.target)
    return err.value


def test_a_send_lands(row: Row) -> None:
    row.channel.send(an_alert(), target=row.target)
    assert "China halts Dy2O3 exports" in row.delivered()


@pytest.mark.parametrize("kind", TRANSIENT)
def test_transient_failures_are_retryable(row: Row, kind: str) -> None:
    error = _failure(row, kind)
    assert not error.permanent, str(error)
    assert str(error)  # a sentence for operators, never empty


def test_a_refusal_is_permanent(row: Row) -> None:
    assert _failure(row, "refusal").permanent


@pytest.mark.parametrize("kind", (*TRANSIENT, "refusal", "bad_secret"))
def test_no_secret_in_any_error(row: Row, kind: str) -> None:
    error = _failure(row, kind)
    assert row.secret is not None
    for text in (str(error), repr(error.args)):
        assert row.secret not in text and row.secret[::-1] not in text


def test_outside_text_cannot_act_as_markup(row: Row) -> None:
    row.channel.send(an_alert(title=HOSTILE), target=row.target)
    got = row.delivered()
    if row.target.family in ("slack", "slack-dm"):
        # Slack would turn these into a mention of everyone, a user ping and a disguised link.
        for live in ("<!channel>", "<@U123>", "<http://evil.example|bank>"):
            assert live not in got
        assert "&lt;!channel&gt;" in got
    elif row.target.family == "email":
        assert "<script>" not in got and "<b>feed" not in got
        assert "&lt;script&gt;x&lt;/script&gt;" in got
    else:
        # The console shows what a Slack reader would read: the text as written, not entities.
        assert "<!channel>" in got and "&lt;" not in got and "&amp;" not in got
