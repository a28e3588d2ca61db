"""End to end: the installed `chokepoint run` as a service, its Slack endpoint, /healthz, SIGTERM.

Slack answers every post with 429 while the service runs, so the outbox still holds the
alerts when it is stopped; a `chokepoint once` afterwards, against a healthy Slack, must then
deliver each of them exactly once.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from bot.store import Store
from bot.store.schema import AlertMaterial, AlertRow, Delivery
from tests.helpers.e2e import (
    TOKEN,
    alert_id_of,
    chokepoint,
    chokepoint_script,
    clean_env,
    delivered_ids,
    expected_targets,
    explain,
    outbox,
    posts,
    serve_feeds,
    write_config,
)
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import signed_headers, slash_command_body
from tests.peers.smtp import SmtpPeer

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
EXPECTED_ALERTS = 7  # the fixtures' news, licence and export alerts (see test_e2e_once)
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, probe: Callable[[], T | None], timeout: float,
               proc: subprocess.Popen[bytes] | None = None, logs: Path | None = None) -> T:
    """Poll `probe` until it returns something truthy; fail with the service's log otherwise."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            break
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    log = logs.read_text(errors="replace")[-4000:] if logs and logs.exists() else ""
    status = f"exited {proc.returncode}" if proc is not None and proc.poll() is not None else "running"
    pytest.fail(f"{what}: not within {timeout:g} s (service {status})\n{log}")


def start_run(config: Path, env: dict[str, str], out: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([chokepoint_script(), "run", "-c", str(config)], env=env,
                            stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes], signum: int, log: Path) -> tuple[int, float]:
    """Send `signum`; the exit code and how long the process took to go (fails after 10 s)."""
    proc.send_signal(signum)
    started = time.monotonic()
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        pytest.fail(f"chokepoint run did not stop within 10 s of {signal.Signals(signum).name}\n"
                    + log.read_text(errors="replace")[-4000:])
    return code, time.monotonic() - started


@dataclass(frozen=True)
class Service:
    proc: subprocess.Popen[bytes]
    base: str
    config: Path
    log: Path
    peer: SlackApiPeer
    smtp: SmtpPeer
    http: httpx.Client

    def slash(self, text: str) -> dict[str, Any]:
        """The ephemeral answer to `/chokepoint <text>`: in the acknowledgement or, when the
        answer was slow, posted to the command's response_url."""
        before = len(self.peer.responses)
        body = slash_command_body(text, response_url=self.peer.response_url())
        resp = self.http.post("/slack/events", content=body,
                              headers=signed_headers(body, SIGNING_SECRET))
        assert resp.status_code == 200, resp.text
        if resp.content:
            answer: dict[str, Any] = resp.json()
            return answer
        late = wait_until("the answer on response_url",
                          lambda: self.peer.responses[before:] or None, 10)
        return dict(late[0].body)


def reply_text(answer: dict[str, Any]) -> str:
    """All text a user reads in an answer: the fallback and every text in the blocks."""
    out = [str(answer.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(answer.get("blocks", []))
    return "\n".join(out)


@pytest.fixture
def service(tmp_path: Path, feed_server: FeedServer, smtp_peer: SmtpPeer) -> Iterator[Service]:
    now = datetime.now(UTC)
    port = free_port()
    config = write_config(tmp_path, serve_feeds(feed_server, now), now, smtp_port=smtp_peer.port,
                          server_port=port)
    log = tmp_path / "service.log"
    with SlackApiPeer(token=TOKEN) as peer, log.open("wb") as out:
        peer.fail_next("chat.postMessage", status=429, retry_after=1, times=100_000)
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=peer.url)
        proc = start_run(config, env, out)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=10) as http:
                yield Service(proc, base, config, log, peer, smtp_peer, http)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


def healthz(http: httpx.Client, status: int = 200) -> httpx.Response | None:
    """GET /healthz when it answers `status`, else None (not listening yet, or another status)."""
    try:
        resp = http.get("/healthz", timeout=2)
    except httpx.TransportError:
        return None
    return resp if resp.status_code == status else None


def stored_alerts(store: Store) -> list[tuple[AlertRow, list[str], list[Delivery]]]:
    with store.reader() as s:
        alerts = list(s.scalars(select(AlertRow).order_by(AlertRow.id)))
        out = []
        for alert in alerts:
            materials = list(s.scalars(select(AlertMaterial.material)
                                       .where(AlertMaterial.alert_id == alert.id)))
            rows = list(s.scalars(select(Delivery).where(Delivery.alert_id == alert.id)))
            s.expunge_all()
            out.append((alert, materials, rows))
        return out


def test_run_serves_slack_and_health_then_stops_cleanly_losing_nothing(service: Service) -> None:
    health = wait_until("GET /healthz answering 200", lambda: healthz(service.http), 15,
                        service.proc, service.log)
    assert health.json()["ok"] is True
    assert health.json()["scheduler"] == "running"

    # The first cycle ran: every alert recorded, and Slack was tried (and said 429).
    store = Store(f"sqlite:///{service.config.parent / 'chokepoint.db'}")
    try:
        wait_until("the first cycle's alerts in the store",
                   lambda: len(stored_alerts(store)) >= EXPECTED_ALERTS, 15, service.proc, service.log)
        service.peer.wait_for("chat.postMessage", 1, timeout=10)

        help_text = reply_text(service.slash("help"))
        for command in ("status", "licences", "exports", "subscribe"):
            assert command in help_text, help_text
        answer = service.slash("status dysprosium")
        assert answer.get("response_type", "ephemeral") == "ephemeral"
        status = reply_text(answer)
        assert "dysprosium oxide exports" in status.lower(), status
        assert "E2E-DU-0001" in status, status

        # Headlines reach slash answers too: the injected one is shown, never live.
        listing = reply_text(service.slash("alerts"))
        assert "&lt;!channel&gt;" in listing and "<!channel>" not in listing, listing

        forged = slash_command_body("alerts", response_url=service.peer.response_url())
        resp = service.http.post("/slack/events", content=forged,
                                 headers=signed_headers(forged, "not-the-signing-secret"))
        assert resp.status_code == 401

        service.smtp.wait_for(1, timeout=10)  # the e-mail route does not wait for Slack
        code, _ = stop(service.proc, signal.SIGTERM, service.log)
        assert code == 0, service.log.read_text(errors="replace")[-4000:]
        with pytest.raises(httpx.TransportError):
            service.http.get("/healthz", timeout=2)

        # Nothing lost: every alert has its outbox rows; Slack's are still waiting, none stuck
        # in the middle of a send; the e-mail, which did not depend on Slack, went out.
        stored = stored_alerts(store)
        assert len(stored) == EXPECTED_ALERTS
        for alert, materials, rows in stored:
            wanted = expected_targets({"severity": alert.severity, "materials": materials})
            post_rows = {r.target: r.status for r in rows if r.kind == "post"}
            assert sorted(post_rows) == sorted(wanted), alert.title
            assert post_rows == {t: "pending" if t.startswith("slack:") else "sent"
                                 for t in wanted}, alert.title
            assert all(r.status != "sending" for r in rows), [(r.target, r.status) for r in rows]
        assert len(service.smtp.messages) == 1
    finally:
        store.dispose()

    # A `once` against a healthy Slack delivers what waited, each alert exactly once.
    with SlackApiPeer(token=TOKEN) as healthy:
        proc = chokepoint("once", "-c", service.config,
                          env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=healthy.url))
        assert proc.returncode == 0, explain(proc)
        delivered = delivered_ids(posts(healthy))
    final = outbox(service.config)
    assert len(final) == EXPECTED_ALERTS
    assert sorted(delivered) == sorted(final)
    assert {status for rows in final.values() for status in rows.values()} == {"sent"}
    assert len(service.smtp.messages) == 1, "the e-mail is not sent a second time"


def test_run_without_slack_turns_unhealthy_when_no_poll_succeeds_and_stops_on_sigint(
        tmp_path: Path, feed_server: FeedServer) -> None:
    port = free_port()
    broken = feed_server.add("/down.xml", status=503)
    config = write_config(tmp_path, {"down": broken}, datetime.now(UTC), server_port=port)
    # Poll every second, so that three intervals without a good poll pass quickly.
    text = config.read_text().replace("every: 15m", "every: 1s")
    config.write_text(text)
    log = tmp_path / "service.log"
    with log.open("wb") as out, httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        proc = start_run(config, clean_env(), out)  # no SLACK_BOT_TOKEN: console, /healthz only
        try:
            first = wait_until("GET /healthz answering 200", lambda: healthz(http), 15, proc, log)
            assert first.json()["store"] == "ok"
            sick = wait_until("GET /healthz answering 503", lambda: healthz(http, 503), 10, proc, log)
            assert sick.json()["ok"] is False and sick.json()["last_poll"] is None
            assert feed_server.hits["/down.xml"] >= 2
            events = http.post("/slack/events", content=b"{}")
            assert events.status_code == 404  # no Slack app without a token
            code, _ = stop(proc, signal.SIGINT, log)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    assert code == 0, log.read_text(errors="replace")[-4000:]


def run_until_exit(config: Path, env: dict[str, str], tmp_path: Path) -> tuple[int, str]:
    """`chokepoint run` that is expected to give up on its own; its exit code and output."""
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        proc = start_run(config, env, out)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            pytest.fail("chokepoint run kept running\n" + log.read_text(errors="replace")[-4000:])
    return code, log.read_text(errors="replace")


def test_run_without_the_signing_secret_says_which_setting_is_missing(
        tmp_path: Path, feed_server: FeedServer) -> None:
    now = datetime.now(UTC)
    config = write_config(tmp_path, serve_feeds(feed_server, now), now, server_port=free_port())
    code, output = run_until_exit(config, clean_env(SLACK_BOT_TOKEN=TOKEN), tmp_path)
    assert "SLACK_SIGNING_SECRET" in output
    assert "Traceback" not in output
    assert code == 2


def test_run_on_a_port_in_use_says_so_without_a_traceback(
        tmp_path: Path, feed_server: FeedServer) -> None:
    now = datetime.now(UTC)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = int(busy.getsockname()[1])
        config = write_config(tmp_path, serve_feeds(feed_server, now), now, server_port=port)
        code, output = run_until_exit(config, clean_env(), tmp_path)
    assert code != 0
    assert "Traceback" not in output
    assert str(port) in output and "in use" in output.lower()


def test_sigterm_during_a_slack_post_leaves_no_delivery_stuck_in_the_outbox(
        tmp_path: Path, feed_server: FeedServer) -> None:
    now = datetime.now(UTC)
    port = free_port()
    config = write_config(tmp_path, serve_feeds(feed_server, now), now, server_port=port)
    log = tmp_path / "service.log"
    with SlackApiPeer(token=TOKEN) as peer, log.open("wb") as out:
        peer.fail_next("chat.postMessage", hang=3)  # the first post is in flight at SIGTERM
        env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=peer.url)
        proc = start_run(config, env, out)
        try:
            in_flight = peer.wait_for("chat.postMessage", 1, timeout=20)[0]
            code, _ = stop(proc, signal.SIGTERM, log)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
        assert code == 0, log.read_text(errors="replace")[-4000:]
        stuck = {a: rows for a, rows in outbox(config).items() if "sending" in rows.values()}
        assert stuck == {}, "claimed rows left under a lease after a clean stop"

        proc2 = chokepoint("once", "-c", config,
                           env=clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url))
        assert proc2.returncode == 0, explain(proc2)
        delivered = delivered_ids(posts(peer))
    stored = outbox(config)
    assert {status for p in stored.values() for status in p.values()} == {"sent"}
    first = alert_id_of(in_flight)
    for alert_id in stored:
        if alert_id != first:  # the in-flight post may repeat: Slack never confirmed it
            assert delivered.count(alert_id) == 1, alert_id
