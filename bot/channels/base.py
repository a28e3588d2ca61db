"""What every channel promises: send an alert to a target, or fail saying whether to retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.models import Alert, Target


class DeliveryError(Exception):
    """A failed delivery. `permanent` errors (bad auth, unknown channel) are not retried;
    the others (429, 5xx, timeouts, connection errors) are, after `retry_after` seconds if given.
    The message is a sentence for operators and never contains a secret.

    `paused`: the whole channel is unusable until an operator acts (a revoked or wrong token):
    its deliveries stay pending, probed again after `retry_after`, and the error is shown once."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None,
                 paused: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.paused = paused


@dataclass(frozen=True)
class Sent:
    """Where a message landed (Slack channel id and ts, for threads and chat.update)."""

    channel: str | None = None
    ts: str | None = None


class Channel(Protocol):
    """What every channel (Slack, Slack DM, e-mail, console) does for the delivery worker.

    A channel is built from its own validated config, gets an Alert and where it goes, and
    returns where it landed or raises DeliveryError saying whether a retry may help. It never
    reads the database, and no secret appears in what it raises.
    """

    def send(self, alert: Alert, *, target: Target, thread_ts: str | None = None) -> Sent: ...
