"""E-mail over SMTP (docs/configuration.md): one sender for the weekly digest and immediate alert e-mails."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from pydantic import SecretStr

from bot.channels.base import DeliveryError, Sent
from bot.channels.headers import POLICY
from bot.config import EmailConfig
from bot.models import Alert, Target
from bot.templates import environment

log = logging.getLogger(__name__)


def address_of(sender: str) -> str:
    """'Chokepoint <alerts@example.com>' -> 'alerts@example.com'."""
    return parseaddr(sender)[1] or sender


def _domain(sender: str) -> str:
    return address_of(sender).rpartition("@")[2] or "chokepoint.invalid"


def new_message_id(tag: str, sender: str) -> str:
    return make_msgid(idstring=tag, domain=_domain(sender))


def base_message(
    subject: str, *, sender: str, to: Sequence[str], now: datetime, message_id: str
) -> EmailMessage:
    """The headers every Chokepoint e-mail carries; the subject is kept to one line."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject  # literal text, never header syntax (bot/channels/headers.py)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    # Tell vacation responders and Outlook not to answer a machine.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    return msg


class EmailSender:
    """Sends over SMTP per `email.security`: `starttls` (upgrade on the submission port),
    `ssl` (TLS from the first byte, port 465) or `none` (a local relay); logs in when
    `email.username` is set, with the password from $SMTP_PASSWORD.

    `ssl_context` exists for tests that trust a throw-away certificate; by default the
    system's trust store verifies the server and its host name.
    """

    def __init__(
        self, config: EmailConfig, password: SecretStr | None, *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.config = config
        self._password = password
        self._context = ssl_context or ssl.create_default_context()

    @property
    def _where(self) -> str:
        return f"SMTP server {self.config.smtp_host}:{self.config.smtp_port}"

    def send(self, message: EmailMessage) -> None:
        """Deliver one message to the addresses in its To/Cc headers, or raise DeliveryError:
        permanent for what a retry cannot fix (login refused, 5xx), else transient."""
        cfg = self.config
        if cfg.username and self._password is None:
            raise DeliveryError(
                "email.username is set but $SMTP_PASSWORD is not; set it in the environment",
                permanent=True)
        try:
            refused = self._deliver(message)
        except DeliveryError:
            raise
        except Exception as exc:
            raise self._explain(exc) from None
        if refused:
            # The others have it already: raising would make a retry send it to them again.
            log.warning("%s refused some recipients of %r: %s", self._where,
                        message["Subject"], self._clean(str(sorted(refused))))

    def send_alert(self, alert: Alert, to: str, *, now: datetime | None = None) -> None:
        """The immediate e-mail for a route with `email:` targets: text and HTML. `now` dates
        the message (default: when the alert was raised)."""
        self.send(alert_message(alert, sender=self.config.sender, to=to,
                                now=now or alert.created))

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        cfg = self.config
        timeout = cfg.timeout.total_seconds()
        smtp: smtplib.SMTP
        if cfg.security == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=timeout,
                                    context=self._context)
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if cfg.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{self._where} does not offer STARTTLS; check email.smtp_port, or set "
                        "email.security to ssl (port 465) or none (a local relay)",
                        permanent=True)
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if cfg.username and self._password is not None:
                smtp.login(cfg.username, self._password.get_secret_value())
            return smtp.send_message(message)

    def _explain(self, exc: Exception) -> DeliveryError:
        """One sentence for operators that says what failed and whether a retry may help."""
        where, user = self._where, self.config.username
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            permanent = exc.smtp_code >= 500
            text = (f"{where} refused the login for {user} ({self._reply(exc)}); "
                    "check email.username and $SMTP_PASSWORD")
        elif isinstance(exc, smtplib.SMTPNotSupportedError):
            permanent, text = True, (f"{where} does not offer a login (AUTH); remove "
                                     f"email.username or use the submission port: {exc}")
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            text = f"{where} refused every recipient: " + ", ".join(
                f"{addr} ({code} {msg.decode('utf-8', 'replace')})"
                for addr, (code, msg) in sorted(exc.recipients.items()))
        elif isinstance(exc, smtplib.SMTPResponseException):
            permanent = exc.smtp_code >= 500
            text = f"{where} answered {self._reply(exc)}"
            if exc.smtp_code == 530:
                text += "; it requires a login: set email.username and $SMTP_PASSWORD"
        elif isinstance(exc, ssl.SSLCertVerificationError):
            permanent = True
            text = (f"{where} presented a certificate that is not trusted "
                    f"({exc.verify_message}); check email.smtp_host")
        elif isinstance(exc, smtplib.SMTPServerDisconnected) and not isinstance(
            exc.__context__, TimeoutError
        ):
            permanent, text = False, f"{where} closed the connection: {exc}"
        elif isinstance(exc, TimeoutError | smtplib.SMTPServerDisconnected):
            # smtplib reports a read timeout as a disconnection; the cause says which it was.
            permanent = False
            text = f"{where} did not answer within {self.config.timeout.total_seconds():g}s"
        elif isinstance(exc, ConnectionRefusedError):
            permanent, text = False, f"{where} refused the connection (is it running?)"
        elif isinstance(exc, OSError):
            permanent, text = False, f"{where} could not be reached: {exc}"
        else:
            permanent, text = False, f"{where}: {type(exc).__name__}: {exc}"
        return DeliveryError(self._clean(text), permanent=permanent)

    @staticmethod
    def _reply(exc: smtplib.SMTPResponseException) -> str:
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {' '.join(text.split())}"

    def _clean(self, text: str) -> str:
        """The password never leaves this object, even if a server echoes it back."""
        secret = self._password.get_secret_value() if self._password else ""
        return text.replace(secret, "[redacted]") if len(secret) >= 4 else text


class EmailChannel:
    """The e-mail channel of the delivery worker: one alert to the address of an `email` target."""

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender

    def send(self, alert: Alert, *, target: Target, thread_ts: str | None = None) -> Sent:
        """E-mail has no threads: `thread_ts` is ignored."""
        self.sender.send_alert(alert, target.address)
        return Sent()


def alert_message(alert: Alert, *, sender: str, to: str, now: datetime) -> EmailMessage:
    """An alert as e-mail: multipart/alternative, text then HTML (outside text escaped)."""
    ctx = {"alert": alert, "created": alert.created.strftime("%Y-%m-%d %H:%M UTC")}
    text_env, html_env = environment("text"), environment("html")
    subject = text_env.get_template("email/subject.j2").render(**ctx)
    # Stable per alert and recipient: a retried send carries the same Message-ID.
    digest = hashlib.sha256(f"{alert.key}\n{to}\n{alert.created.isoformat()}".encode()).hexdigest()
    recipients = [addr for _, addr in getaddresses([to]) if addr] or [to]
    msg = base_message(subject, sender=sender, to=recipients, now=now,
                       message_id=f"<alert.{alert.id}.{digest[:16]}@{_domain(sender)}>")
    msg.set_content(text_env.get_template("email/text.j2").render(**ctx).rstrip() + "\n")
    msg.add_alternative(html_env.get_template("email/html.j2").render(subject=subject, **ctx),
                        subtype="html")
    return msg
