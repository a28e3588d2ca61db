"""E-mail over SMTP (SPEC §3): security modes, login, failures with their kind, alert e-mails."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import DeliveryError
from bot.channels.email import EmailSender, alert_message
from bot.config import EmailConfig
from bot.models import Alert, Link
from tests.helpers.sockets import silent_server as silent
from tests.peers.smtp import SmtpPeer

SENDER = "Chokepoint <alerts@example.com>"
PASSWORD = "correct-horse-battery"
NOW = datetime(2026, 1, 12, 6, 30, tzinfo=UTC)


def config(peer: SmtpPeer | None = None, port: int = 1, **kw: Any) -> EmailConfig:
    kw.setdefault("security", "none")
    kw.setdefault("timeout", timedelta(seconds=5))
    return EmailConfig(smtp_host="127.0.0.1", smtp_port=peer.port if peer else port,
                       sender=SENDER, **kw)


def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content())


def an_alert(title: str = "Licence TEST-DU-2025-000162 (terbium oxide) expires in 7 days",
             **kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "id": 42, "rule_id": "licence-expiry", "rule_type": "licence_expiry",
        "key": "licence-expiry:TEST-DU-2025-000162:7", "severity": "critical", "title": title,
        "subject": "TEST-DU-2025-000162", "materials": ("Tb",),
        "facts": (("Holder", "Example Ganzhou Magnetics Co."), ("Expires", "2026-01-19")),
        "sources": (), "state": "open", "created": NOW,
    }
    fields.update(kw)
    return Alert(**fields)


def test_alert_email_arrives_as_text_and_html(smtp_peer: SmtpPeer) -> None:
    EmailSender(config(smtp_peer), None).send_alert(an_alert(), "coo@example.com")

    [got] = smtp_peer.messages
    assert got.rcpt_tos == ("coo@example.com",)
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    # strip(): Python's parser keeps the fold's leading space; RFC 5322 unfolding drops it.
    assert msg["Subject"].strip() == (
        "[CRITICAL] Tb: Licence TEST-DU-2025-000162 (terbium oxide) expires in 7 days")
    assert msg["From"] == SENDER and msg["Message-ID"] and msg["Date"]
    text = body(msg, "plain")
    assert "Holder: Example Ganzhou Magnetics Co." in text
    assert "Expires: 2026-01-19" in text


def test_alert_email_escapes_outside_text_in_html_only() -> None:
    alert = an_alert(
        title="<script>alert(1)</script> <!channel> & co",
        sources=(Link("https://example.com/a?x=1&y=<2>", "<b>feed</b>"),),
        facts=(("Holder", "<img src=x onerror=alert(1)>"),),
    )
    msg = alert_message(alert, sender=SENDER, to="coo@example.com", now=NOW)

    html = body(msg, "html")
    assert "<script>" not in html and "<img src=x" not in html and "<b>feed" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://example.com/a?x=1&amp;y=&lt;2&gt;"' in html
    text = body(msg, "plain")
    assert "<script>alert(1)</script> <!channel> & co" in text  # plain text stays as written


def test_alert_email_message_id_is_stable_across_retries() -> None:
    first = alert_message(an_alert(), sender=SENDER, to="coo@example.com", now=NOW)
    again = alert_message(an_alert(), sender=SENDER, to="coo@example.com",
                          now=NOW + timedelta(hours=1))
    other = alert_message(an_alert(), sender=SENDER, to="cfo@example.com", now=NOW)
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")


@pytest.mark.parametrize(
    "smtp_peer", [{"require_starttls": True, "auth": {"alerts@example.com": PASSWORD}}],
    indirect=True,
)
def test_starttls_with_a_throwaway_certificate_and_login(smtp_peer: SmtpPeer) -> None:
    cfg = config(smtp_peer, security="starttls", username="alerts@example.com")
    sender = EmailSender(cfg, SecretStr(PASSWORD), ssl_context=smtp_peer.client_context())

    sender.send_alert(an_alert(), "coo@example.com")

    [got] = smtp_peer.messages
    assert got.tls and got.username == "alerts@example.com"


@pytest.mark.parametrize("smtp_peer", [{"require_starttls": True}], indirect=True)
def test_starttls_refuses_a_certificate_it_does_not_trust(smtp_peer: SmtpPeer) -> None:
    sender = EmailSender(config(smtp_peer, security="starttls"), None)  # system trust store

    with pytest.raises(DeliveryError) as err:
        sender.send_alert(an_alert(), "coo@example.com")

    assert err.value.permanent
    assert "certificate that is not trusted" in str(err.value)
    assert smtp_peer.messages == []


@pytest.mark.parametrize(
    "smtp_peer", [{"implicit_tls": True, "auth": {"alerts@example.com": PASSWORD}}], indirect=True
)
def test_ssl_mode_speaks_tls_from_the_first_byte(smtp_peer: SmtpPeer) -> None:
    cfg = config(smtp_peer, security="ssl", username="alerts@example.com")
    EmailSender(cfg, SecretStr(PASSWORD), ssl_context=smtp_peer.client_context()).send_alert(
        an_alert(), "coo@example.com")
    [got] = smtp_peer.messages
    assert got.tls and got.username == "alerts@example.com"


def test_starttls_against_a_server_without_it_is_a_configuration_error(
    smtp_peer: SmtpPeer,
) -> None:
    with pytest.raises(DeliveryError) as err:
        EmailSender(config(smtp_peer, security="starttls"), None).send_alert(an_alert(), "a@b.c")
    assert err.value.permanent
    assert "does not offer STARTTLS" in str(err.value)


@pytest.mark.parametrize(
    "smtp_peer", [{"require_starttls": True, "auth": {"alerts@example.com": PASSWORD}}],
    indirect=True,
)
def test_refused_login_is_permanent_and_says_what_to_fix(
    smtp_peer: SmtpPeer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-123"
    cfg = config(smtp_peer, security="starttls", username="alerts@example.com")
    sender = EmailSender(cfg, SecretStr(wrong), ssl_context=smtp_peer.client_context())

    with pytest.raises(DeliveryError) as err:
        sender.send_alert(an_alert(), "coo@example.com")

    message = str(err.value)
    assert err.value.permanent
    assert f"SMTP server 127.0.0.1:{smtp_peer.port} refused the login for alerts@example.com" \
        in message
    assert "535" in message and "$SMTP_PASSWORD" in message
    assert wrong not in message and wrong not in caplog.text and wrong not in repr(sender.__dict__)
    assert smtp_peer.messages == []


def test_username_without_password_is_reported_before_connecting() -> None:
    sender = EmailSender(config(port=1, username="alerts@example.com"), None)
    with pytest.raises(DeliveryError) as err:
        sender.send_alert(an_alert(), "coo@example.com")
    assert err.value.permanent and "$SMTP_PASSWORD is not" in str(err.value)


def test_server_down_is_transient(smtp_peer: SmtpPeer) -> None:
    smtp_peer.down()
    with pytest.raises(DeliveryError) as err:
        EmailSender(config(smtp_peer), None).send_alert(an_alert(), "coo@example.com")
    assert not err.value.permanent
    assert f"127.0.0.1:{smtp_peer.port} refused the connection" in str(err.value)


@pytest.mark.parametrize(("code", "permanent"), [(421, False), (451, False), (554, True)])
def test_refusal_at_data_carries_its_kind(smtp_peer: SmtpPeer, code: int, permanent: bool) -> None:
    smtp_peer.fail_next(1, code=code, message="nope")
    with pytest.raises(DeliveryError) as err:
        EmailSender(config(smtp_peer), None).send_alert(an_alert(), "coo@example.com")
    assert err.value.permanent is permanent
    assert f"answered {code} nope" in str(err.value)


@pytest.fixture
def silent_server() -> Iterator[int]:
    with silent() as port:
        yield port


def test_a_server_that_hangs_times_out_as_transient(silent_server: int) -> None:
    sender = EmailSender(config(port=silent_server, timeout=timedelta(seconds=0.5)), None)
    with pytest.raises(DeliveryError) as err:
        sender.send_alert(an_alert(), "coo@example.com")
    assert not err.value.permanent
    assert "did not answer within 0.5s" in str(err.value)
