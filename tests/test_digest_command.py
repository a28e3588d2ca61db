"""`chokepoint digest`: --out writes the HTML, --send sends now (every time it is asked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.digest import digest_now
from bot.config import load_config
from tests.peers.smtp import SmtpPeer


def config_for(tmp_path: Path, smtp: SmtpPeer, recipients: str = "[head@example.com]") -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(
        f"database: sqlite:///{tmp_path}/d.db\nfeeds: []\n"
        f"email:\n  smtp_host: 127.0.0.1\n  smtp_port: {smtp.port}\n  security: none\n"
        f"  sender: 'Chokepoint <alerts@example.com>'\n  digest: {{recipients: {recipients}}}\n")
    return path


def test_send_on_demand_sends_each_time_and_out_writes_html(
        tmp_path: Path, smtp_peer: SmtpPeer, capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config(config_for(tmp_path, smtp_peer))
    out = tmp_path / "digest.html"
    assert digest_now(config, out=str(out), send=True) == 0
    assert digest_now(config, out=None, send=True) == 0
    smtp_peer.wait_for(2)
    assert [list(m.rcpt_tos) for m in smtp_peer.messages] == [["head@example.com"]] * 2
    assert smtp_peer.messages[0].message.get_content_type() == "multipart/alternative"
    assert out.read_text().lstrip().lower().startswith("<!doctype html")
    assert "sent to head@example.com" in capsys.readouterr().out


def test_send_with_smtp_down_exits_1_and_says_why(
        tmp_path: Path, smtp_peer: SmtpPeer, capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config(config_for(tmp_path, smtp_peer))
    smtp_peer.down()
    assert digest_now(config, out=str(tmp_path / "x.html"), send=True) == 1
    assert "not sent" in capsys.readouterr().err


def test_send_without_recipients_is_a_configuration_problem(
        tmp_path: Path, smtp_peer: SmtpPeer) -> None:
    config = load_config(config_for(tmp_path, smtp_peer, recipients="[]"))
    assert digest_now(config, out=str(tmp_path / "x.html"), send=True) == 2
