"""`chokepoint run` killed with SIGKILL at random moments, and three replicas on one database.

The kill test: a slow Slack (every post takes 0.8 s), ten kills at random moments, a restart
after each, then a drain. Every alert reaches every target; nothing is posted twice except at
most the one send in flight at each kill; after each restart delivery resumes within seconds.

The replica test: three `chokepoint run` started together on one fresh PostgreSQL database
(three trials): all stay up, and each alert is posted once per target.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.helpers.e2e import TOKEN, alert_id_of, clean_env, serve_feeds, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer, SlackCall
from tests.test_e2e_run import SIGNING_SECRET, free_port, start_run, stop, wait_until

KILLS = 10
SLOW = 0.8  # seconds Slack takes to answer each post


def alert_posts(peer: SlackApiPeer) -> list[tuple[int, str]]:
    """(alert, channel) of every alert message Slack received, whether or not it answered."""
    out = []
    for call in peer.calls_to("chat.postMessage"):
        alert = alert_id_of(call)
        if alert is not None:
            out.append((alert, str(call.body.get("channel"))))
    return out


def outbox_statuses(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status FROM deliveries WHERE kind = 'post'")).all()
    except OperationalError:  # killed before the schema existed
        return Counter()
    except ProgrammingError:  # PostgreSQL: no such table yet
        return Counter()
    finally:
        engine.dispose()
    return Counter(r[0] for r in rows)


def expected_posts(url: str) -> set[tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT alert_id, target FROM deliveries WHERE kind = 'post'")).all()
    finally:
        engine.dispose()
    return {(int(a), t.split(":", 1)[1]) for a, t in rows}


def with_port(config: Path, port: int, database: str | None = None) -> None:
    data = yaml.safe_load(config.read_text())
    data["server"] = {"host": "127.0.0.1", "port": port}
    if database is not None:
        data["database"] = database
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def all_sent(url: str) -> bool:
    statuses = outbox_statuses(url)
    return bool(statuses) and set(statuses) == {"sent"}


def accepted_after(peer: SlackApiPeer, moment: float) -> list[SlackCall]:
    return [c for c in peer.calls_to("chat.postMessage") if c.at >= moment and c.answer in ("ok", "hang")]


def test_run_killed_ten_times_delivers_everything_repeating_at_most_the_send_in_flight(
    tmp_path: Path, feed_server: FeedServer,
) -> None:
    rng = random.Random()
    now = datetime.now(UTC)
    config = write_config(tmp_path, serve_feeds(feed_server, now), now)
    url = f"sqlite:///{tmp_path / 'chokepoint.db'}"
    log = tmp_path / "service.log"
    resumes: list[float] = []
    with SlackApiPeer(token=TOKEN) as peer:
        peer.fail_next("chat.postMessage", hang=SLOW, times=100_000)
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=peer.url)
        kills = 0
        with log.open("ab") as out:
            while kills < KILLS:
                with_port(config, free_port())
                pending_before = kills > 0 and not all_sent(url)
                started = time.monotonic()
                proc = start_run(config, env, out)
                if kills % 2 == 0:  # a random moment of the run, start-up included
                    time.sleep(rng.uniform(0.2, 3.0))
                else:  # a random moment once delivery is under way
                    end = started + 8
                    while time.monotonic() < end and not accepted_after(peer, started):
                        time.sleep(0.05)
                    time.sleep(rng.uniform(0.0, 2.0))
                first = accepted_after(peer, started)
                if pending_before and first:
                    resumes.append(first[0].at - started)
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                kills += 1
            with_port(config, free_port())
            proc = start_run(config, env, out)
            try:
                wait_until("every delivery sent after the kills", lambda: all_sent(url), 60, proc, log)
            finally:
                stop(proc, signal.SIGTERM, log)
        posted = Counter(alert_posts(peer))
    expected = expected_posts(url)
    assert set(posted) == expected, "every alert reached every target"
    repeats = sum(n - 1 for n in posted.values())
    assert repeats <= KILLS, f"{repeats} repeated posts after {KILLS} kills"
    # Delivery resumes within seconds of a start (the process needs ~2 s to come up).
    assert not resumes or max(resumes) < 10, resumes
    print(f"kills={KILLS} repeats={repeats} resume_s={sorted(round(r, 1) for r in resumes)}")


@pytest.mark.parametrize("trial", [1, 2, 3])
def test_three_replicas_on_one_fresh_postgresql_all_stay_up_and_post_each_alert_once(
    tmp_path: Path, feed_server: FeedServer, postgres_url: str, trial: int,
) -> None:
    now = datetime.now(UTC)
    urls = serve_feeds(feed_server, now)
    log = tmp_path / "replicas.log"
    with SlackApiPeer(token=TOKEN) as peer, log.open("ab") as out:
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=peer.url)
        procs: list[subprocess.Popen[bytes]] = []
        for n in range(3):
            folder = tmp_path / f"replica{n}"
            folder.mkdir()
            config = write_config(folder, urls, now)
            with_port(config, free_port(), postgres_url)
            procs.append(start_run(config, env, out))
        try:
            wait_until("every delivery sent by the replicas", lambda: all_sent(postgres_url), 60,
                       None, log)
            time.sleep(1.0)  # a late duplicate would arrive now
            assert [p.poll() for p in procs] == [None, None, None], log.read_text()[-4000:]
        finally:
            for p in procs:
                if p.poll() is None:
                    stop(p, signal.SIGTERM, log)
        posted = Counter(alert_posts(peer))
    assert set(posted) == expected_posts(postgres_url)
    assert set(posted.values()) == {1}, {k: v for k, v in posted.items() if v > 1}
