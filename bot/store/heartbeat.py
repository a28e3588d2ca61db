"""The delivery worker's heartbeat: while it sends, its claims are renewed every few seconds.

Claims are short (bot/store/outbox.py DEFAULT_LEASE) so that the rows of a worker killed
mid-send are due again within seconds; a live worker renews them, so a slow Slack or SMTP
server never lets another worker take a row that is still being sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.store.db import Store
from bot.store.outbox import renew_claims

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, store: Store, worker_id: str, lease: timedelta,
                 clock: Callable[[], datetime]) -> None:
        self._store, self._worker, self._lease, self._clock = store, worker_id, lease, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="chokepoint-heartbeat",
                                        daemon=True)

    def _beat(self) -> None:
        every = max(self._lease.total_seconds() / 3, 0.05)
        while not self._stop.wait(every):
            try:
                with self._store.session() as s:
                    renew_claims(s, self._worker, self._clock() + self._lease)
            except Exception as exc:  # the next beat tries again; the lease still has time
                log.warning("could not renew delivery claims: %s", exc)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
