"""`chokepoint digest`: render the weekly digest now, to a file and/or by e-mail."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_CONFIG, EXIT_OK, EXIT_PENDING, add_config, load
from bot.config import Config, Secrets

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("digest", help="render the weekly digest now")
    add_config(p)
    p.add_argument("--out", metavar="FILE", help="write the HTML digest to FILE")
    p.add_argument("--send", action="store_true", help="send it to email.digest.recipients")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config = load(args)
    return digest_now(config, out=args.out, send=args.send)


def digest_now(config: Config, *, out: str | None, send: bool, now: datetime | None = None) -> int:
    """Write the HTML to a file and/or send it now."""
    from bot.channels.base import DeliveryError
    from bot.channels.email import EmailSender
    from bot.digest.context import build_digest
    from bot.digest.render import render_digest, write_digest_html
    from bot.digest.send import digest_message
    from bot.sources.reference import from_config
    from bot.store import Store, utcnow

    now = now or utcnow()
    policies, exposure = from_config(config)
    measures, parts = policies.get(now), exposure.get(now)
    store = Store(config.database_url)
    try:
        if out or not send:
            path = write_digest_html(store, out or "chokepoint-digest.html", now=now, tz=config.tz,
                                     policies=measures, parts=parts)
            print(f"digest written to {path}")
        if send:
            if config.email is None or config.email.digest is None:
                print("chokepoint digest --send: configure email and email.digest first",
                      file=sys.stderr)
                return EXIT_CONFIG
            recipients = list(config.email.digest.recipients)
            if not recipients:
                print("chokepoint digest --send: email.digest.recipients is empty", file=sys.stderr)
                return EXIT_CONFIG
            # On demand means now, every time: the scheduled weekly send (sent once per ISO
            # week) is not used up by a manual one.
            sender = EmailSender(config.email, Secrets().smtp_password)
            rendered = render_digest(build_digest(store, now=now, tz=config.tz, policies=measures,
                                                  parts=parts))
            try:
                sender.send(digest_message(rendered, sender=config.email.sender,
                                           recipients=recipients, now=now))
            except DeliveryError as exc:
                print(f"chokepoint digest --send: not sent: {exc}", file=sys.stderr)
                return EXIT_PENDING
            print(f"digest {rendered.week} sent to {', '.join(recipients)}")
    finally:
        store.dispose()
    return EXIT_OK
