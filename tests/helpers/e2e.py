"""What the end-to-end tests share: the console script, the fixtures of tests/data/e2e
rendered for a date, a configuration, and reading the outbox and `chokepoint alerts --json`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.material_graph import any_covered
from bot.store import Store
from bot.store.schema import Delivery
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer, SlackCall

REPO = Path(__file__).resolve().parents[2]
E2E_DATA = REPO / "tests" / "data" / "e2e"
RULES = REPO / "rules"
TOKEN = "xoxb-e2e-0000-token"
TZ = "Europe/Berlin"
FEEDS = ("metals-wire.xml", "asia-desk.xml")

URGENT, HEAVY, DEFAULT = "#supply-risk-urgent", "#heavy-rare-earths", "#supply-risk"
COO = "coo@example.com"
# The SPEC §2 contract of `chokepoint alerts --json`: operators script against these keys.
ALERT_KEYS = {"id", "rule", "type", "severity", "materials", "title", "subject", "sources",
              "state", "created", "deliveries"}
# What the injected headline and summary in metals-wire.xml try to do in Slack.
LIVE_MARKUP = ("<!channel>", "<@U0BUYER>", "<http://evil.example")


def chokepoint_script() -> str:
    """The installed console script: the one next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "chokepoint"
    if beside.exists():
        return str(beside)
    found = shutil.which("chokepoint")
    if found is None:
        pytest.fail("the `chokepoint` console script is not installed (pip install -e .)")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any Chokepoint setting or secret, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHOKEPOINT_", "SLACK_", "SMTP_"))}
    env.update(extra)
    return env


def chokepoint(*args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the installed `chokepoint` with `args` and return what it did."""
    return subprocess.run(
        [chokepoint_script(), *map(str, args)], env=dict(env if env is not None else clean_env()),
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


_STAMP = re.compile(r"\{\{(now|today)([+-]\d+)([hd])\}\}")


def render(text: str, now: datetime) -> str:
    """Fill the fixtures' placeholders: {{now-3h}} an RFC 822 date, {{today+5d}} an ISO date.

    The fixtures stay fresh for ever: entries within max_age, licences days from expiry.
    """
    def stamp(m: re.Match[str]) -> str:
        amount = int(m.group(2))
        delta = timedelta(hours=amount) if m.group(3) == "h" else timedelta(days=amount)
        if m.group(1) == "now":
            return format_datetime(now + delta, usegmt=True)
        return (now.astimezone(ZoneInfo(TZ)).date() + delta).isoformat()

    return _STAMP.sub(stamp, text)


def serve_feeds(server: FeedServer, now: datetime) -> dict[str, str]:
    """Serve the fixture feeds; returns feed name -> URL."""
    return {name.removesuffix(".xml"): server.add(f"/{name}", render((E2E_DATA / name).read_text(), now))
            for name in FEEDS}


def write_config(folder: Path, feed_urls: Mapping[str, str], now: datetime, *,
                 smtp_port: int | None = None, api_url: str | None = None,
                 server_port: int | None = None) -> Path:
    """chokepoint.yaml plus the rendered licence register and export figures, in `folder`."""
    (folder / "licences.csv").write_text(render((E2E_DATA / "licences.csv").read_text(), now))
    shutil.copy(E2E_DATA / "exports.csv", folder / "exports.csv")
    config: dict[str, Any] = {
        "timezone": TZ,
        "database": f"sqlite:///{folder / 'chokepoint.db'}",
        "rules": str(RULES),
        "feeds": [{"name": name, "url": url, "every": "15m"} for name, url in feed_urls.items()],
        "licences": {"source": "licences.csv"},  # relative: resolved against the config folder
        "trade": {"source": "exports.csv"},
        "slack": {"default_channel": DEFAULT, "timeout": "5s"},
        "routes": [
            {"match": {"severity": ["critical"]}, "slack": URGENT,
             **({"email": [COO]} if smtp_port else {})},
            {"match": {"materials": ["dysprosium", "Tb"]}, "slack": HEAVY},
        ],
    }
    if api_url:
        config["slack"]["api_url"] = api_url
    if smtp_port:
        config["email"] = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "security": "none",
                           "sender": "Chokepoint <alerts@example.com>", "timeout": "5s"}
    if server_port is not None:
        config["server"] = {"host": "127.0.0.1", "port": server_port}
    path = folder / "chokepoint.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def alerts_json(config: Path, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """`chokepoint alerts --json`, one object per line."""
    proc = chokepoint("alerts", "-c", config, "--json", env=env)
    assert proc.returncode == 0, explain(proc)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def outbox(config: Path) -> dict[int, dict[str, str]]:
    """Alert id -> {target: status} of its posts, read straight from the SQLite store."""
    store = Store(f"sqlite:///{config.parent / 'chokepoint.db'}")
    try:
        with store.reader() as s:
            rows = s.execute(select(Delivery.alert_id, Delivery.target, Delivery.status)
                             .where(Delivery.kind == "post")).all()
    finally:
        store.dispose()
    out: dict[int, dict[str, str]] = {}
    for alert_id, target, status in rows:
        out.setdefault(alert_id, {})[target] = status
    return out


def expected_targets(alert: Mapping[str, Any], *, email: bool = True) -> list[str]:
    """The routes of write_config: first match wins, the rest to the default channel."""
    if alert["severity"] == "critical":
        return [f"slack:{URGENT}", *([f"email:{COO}"] if email else [])]
    if any_covered(("Dy", "Tb"), alert["materials"]):  # through the materials graph: REE too
        return [f"slack:{HEAVY}"]
    return [f"slack:{DEFAULT}"]


def posts(peer: SlackApiPeer) -> list[SlackCall]:
    return peer.calls_to("chat.postMessage")


def alert_id_of(call: SlackCall) -> int | None:
    """The alert a message is about, from the metadata Chokepoint attaches (None: a summary)."""
    meta = call.body.get("metadata")
    if not isinstance(meta, dict):
        return None
    alert_id = (meta.get("event_payload") or {}).get("alert_id")
    return int(alert_id) if alert_id is not None else None


def delivered_ids(calls: list[SlackCall]) -> list[int]:
    """The alert of every message Slack accepted, one entry per message (summaries left out)."""
    return [alert_id for c in calls if c.ok and (alert_id := alert_id_of(c)) is not None]


def slack_text(call: SlackCall) -> tuple[str, str]:
    """A message's fallback text and its blocks as JSON text."""
    return str(call.body.get("text", "")), json.dumps(call.body.get("blocks", []), ensure_ascii=False)


def run_with_terminal_stderr(args: list[str], *, cwd: Path | None = None,
                             timeout: float = 120) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run `chokepoint` with stderr on a pseudo-terminal (as a person at a shell sees it):
    the finished process (stdout captured) and everything it wrote to the terminal."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([chokepoint_script(), *args], stdout=subprocess.PIPE, stderr=follower,
                              env=clean_env(), cwd=cwd, timeout=timeout, check=False)
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end is closed: everything is read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    return proc, seen
