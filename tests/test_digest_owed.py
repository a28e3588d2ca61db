"""The week's digest is owed until it is sent: a late start or a restart after a failed
attempt sends it (once), against a real SMTP peer and the installed `chokepoint run`."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.helpers.e2e import TZ, clean_env, serve_feeds, write_config
from tests.peers.http_feeds import FeedServer
from tests.peers.smtp import ReceivedMessage, SmtpPeer
from tests.test_e2e_run import free_port, start_run, stop, wait_until

OPS = "ops@example.com"


def digests(smtp: SmtpPeer) -> list[ReceivedMessage]:
    return [m for m in smtp.messages if OPS in m.rcpt_tos]


def digest_config(tmp_path: Path, feed_server: FeedServer, smtp: SmtpPeer) -> Path:
    """A configuration whose weekly digest was due at midnight today: already past."""
    now = datetime.now(UTC)
    config = write_config(tmp_path, serve_feeds(feed_server, now), now, smtp_port=smtp.port,
                          server_port=free_port())
    data = yaml.safe_load(config.read_text())
    today = now.astimezone(ZoneInfo(TZ)).strftime("%a").lower()
    data["email"]["digest"] = {"schedule": f"{today} 00:00", "recipients": [OPS]}
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    return config


def run_for_a_while(config: Path, log: Path, until: object = None, seconds: float = 20) -> None:
    with log.open("ab") as out:
        proc = start_run(config, clean_env(), out)
        try:
            if callable(until):
                wait_until("the owed digest", until, seconds, proc, log)
            else:
                wait_until("the service to start", lambda: "started" in log.read_text(errors="replace")
                           or "listening" in log.read_text(errors="replace"), seconds, proc, log)
        finally:
            if proc.poll() is None:
                stop(proc, signal.SIGTERM, log)


def test_a_start_after_the_scheduled_minute_sends_the_weeks_digest_once(
    tmp_path: Path, feed_server: FeedServer, smtp_peer: SmtpPeer,
) -> None:
    config = digest_config(tmp_path, feed_server, smtp_peer)
    log = tmp_path / "service.log"
    run_for_a_while(config, log, lambda: digests(smtp_peer))
    run_for_a_while(config, log)  # a restart: the store knows it was sent
    assert len(digests(smtp_peer)) == 1


def test_a_failed_digest_followed_by_a_restart_is_sent_after_the_restart(
    tmp_path: Path, feed_server: FeedServer, smtp_peer: SmtpPeer,
) -> None:
    config = digest_config(tmp_path, feed_server, smtp_peer)
    log = tmp_path / "service.log"
    smtp_peer.fail_next(50)  # everything refused during the first run: alerts and the digest
    run_for_a_while(config, log, lambda: [m for m in smtp_peer.refused if OPS in m.rcpt_tos])
    assert digests(smtp_peer) == []
    smtp_peer.clear_failures()
    run_for_a_while(config, log, lambda: digests(smtp_peer))
    assert len(digests(smtp_peer)) == 1
