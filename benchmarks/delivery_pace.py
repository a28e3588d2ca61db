"""Delivery figures: posts per second to one channel at N alerts of one rule in one cycle, and
how long after Slack recovers the last pending alert goes out.

    .venv/bin/python benchmarks/delivery_pace.py [N]       (default 200; takes about N seconds)
"""

from __future__ import annotations

import itertools
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.channels.slack import SlackChannel  # noqa: E402
from bot.delivery import DeliveryWorker  # noqa: E402
from bot.models import Match  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.alerts import record_alert  # noqa: E402
from tests.peers.slack_api import SlackApiPeer  # noqa: E402

TOKEN = "xoxb-bench"


def fill(store: Store, n: int, now: datetime) -> None:
    with store.session() as s:
        for i in range(n):
            m = Match(rule_id="expiry", rule_type="licence_expiry", key=f"k{i}", severity="high",
                      title=f"Licence L{i} expires in 14 days", subject=f"L{i}", materials=("Dy",))
            record_alert(s, m, ["slack:#risk"], now)


def pace(n: int) -> None:
    with TemporaryDirectory() as tmp, SlackApiPeer(token=TOKEN) as peer:
        store, now = Store(f"sqlite:///{tmp}/b.db"), datetime.now(UTC)
        fill(store, n, now)
        worker = DeliveryWorker(store, slack=SlackChannel(TOKEN, api_url=peer.url), console=None,
                                email=None, worker_id="bench")
        started = time.monotonic()
        report = worker.run_once(now)
        took = time.monotonic() - started
        posts = [c for c in peer.calls_to("chat.postMessage") if c.ok]
        summaries = sum(1 for c in posts if not c.body.get("metadata"))
        times = [c.at for c in posts]
        gap = min((b - a for a, b in itertools.pairwise(times)), default=0.0)
        print(f"{n} alerts of one rule to one channel: {len(posts)} posts ({summaries} summary) "
              f"in {took:.1f} s, {len(posts) / took:.2f} per second on average, closest two "
              f"{gap:.3f} s apart (as they arrived at the peer), {report.pending} pending, "
              f"429s: {sum(c.status == 429 for c in peer.calls)}")
        store.dispose()


def recovery(n: int = 7, outage: float = 10.0) -> None:
    with TemporaryDirectory() as tmp, SlackApiPeer(token=TOKEN) as peer:
        store, now = Store(f"sqlite:///{tmp}/r.db"), datetime.now(UTC)
        with store.session() as s:
            for i in range(n):
                m = Match(rule_id=f"r{i}", rule_type="news_restriction", key=f"n{i}",
                          severity="high", title=f"Story {i}", subject=f"story:{i}")
                record_alert(s, m, [f"slack:#c{i}"], now)
        peer.fail_next("chat.postMessage", status=500, times=10_000)
        worker = DeliveryWorker(store, slack=SlackChannel(TOKEN, api_url=peer.url), console=None,
                                email=None, worker_id="bench")
        start, recovered = time.monotonic(), None
        report = worker.run_once(now)
        while report.pending:
            if recovered is None and time.monotonic() - start >= outage:
                with peer._lock:
                    peer._scripts.clear()  # Slack is back
                recovered = time.monotonic()
            wait = (report.next_due - datetime.now(UTC)).total_seconds() if report.next_due else 1
            time.sleep(max(0.05, min(wait, 1.0)))
            report = worker.run_once(datetime.now(UTC))
        assert recovered is not None
        print(f"Slack down {outage:g} s (HTTP 500), {n} alerts: last pending one sent "
              f"{time.monotonic() - recovered:.1f} s after Slack recovered")
        store.dispose()


if __name__ == "__main__":
    recovery()
    pace(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

