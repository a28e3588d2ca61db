"""The weekly digest as an e-mail: the MIME message, and the once-a-week send (docs/alerts.md)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Literal
from zoneinfo import ZoneInfo

from bot.channels.base import DeliveryError
from bot.channels.email import EmailSender, address_of, base_message, new_message_id
from bot.config import EmailConfig
from bot.digest.context import build_digest
from bot.digest.render import RenderedDigest, render_digest
from bot.digest.week import iso_week
from bot.exposure import Part
from bot.policy.measures import Measure
from bot.store import Store
from bot.store import digests as repo

log = logging.getLogger(__name__)


def digest_message(
    rendered: RenderedDigest, *, sender: str, recipients: Sequence[str], now: datetime,
    message_id: str | None = None,
) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + the PNG parts)."""
    msg = base_message(rendered.subject, sender=sender, to=recipients, now=now,
                       message_id=message_id or new_message_id(f"digest.{rendered.week}", sender))
    msg["List-Unsubscribe"] = f"<mailto:{address_of(sender)}?subject=unsubscribe>"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for cid, png in rendered.images.items():
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", disposition="inline",
                              filename="exports.png")
    return msg


def send_weekly_digest(
    store: Store, sender: EmailSender, config: EmailConfig, *, now: datetime, tz: ZoneInfo,
    policies: Sequence[Measure] = (), parts: Sequence[Part] = (),
) -> Literal["sent", "already_sent", "failed"]:
    """Send this ISO week's digest once. A restart does not send it twice (a claim in the
    store); a failure is recorded and the next call tries again with the same Message-ID."""
    recipients = list(config.digest.recipients) if config.digest else []
    if not recipients:
        log.error("digest not sent: email.digest.recipients is empty")
        return "failed"
    week = iso_week(now, tz)
    lease = max(timedelta(minutes=5), config.timeout * 4)
    with store.session() as s:
        claim = repo.claim_digest(s, week, now, lease=lease,
                                  message_id=new_message_id(f"digest.{week}", config.sender))
    if claim.outcome != "claimed":
        log.info("digest %s %s", week, "already sent" if claim.outcome == "sent"
                 else "is being sent by another process")
        return "already_sent"
    try:
        rendered = render_digest(build_digest(store, now=now, tz=tz, policies=policies,
                                              parts=parts))
        sender.send(digest_message(rendered, sender=config.sender, recipients=recipients,
                                   now=now, message_id=claim.message_id))
    except DeliveryError as exc:
        with store.session() as s:
            repo.mark_digest_failed(s, week, str(exc))
        log.warning("digest %s not sent (attempt %d, retried on the next run): %s",
                    week, claim.attempts, exc)
        return "failed"
    except Exception as exc:
        # A bug in rendering must not leave the claim held until its lease runs out.
        with store.session() as s:
            repo.mark_digest_failed(s, week, f"{type(exc).__name__}: {exc}")
        log.exception("digest %s could not be built", week)
        return "failed"
    with store.session() as s:
        repo.mark_digest_sent(s, week, now)
    log.info("digest %s sent to %d recipient(s)", week, len(recipients))
    return "sent"
