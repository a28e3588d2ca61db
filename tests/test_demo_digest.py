"""The demo's digest counts the alerts the demo has just printed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.cli.demo import run_demo


def test_the_demo_digest_counts_the_alerts_the_demo_printed(tmp_path: Path) -> None:
    printed = io.StringIO()
    assert run_demo(out=tmp_path / "digest.html", stream=printed) == 0
    m = re.search(r"^(\d+) alerts from", printed.getvalue(), re.MULTILINE)
    assert m is not None, printed.getvalue()[-500:]
    html = (tmp_path / "digest.html").read_text(encoding="utf-8")
    counted = re.search(r"(\d+) alerts? this week", html)
    assert counted is not None
    assert int(counted.group(1)) == int(m.group(1)) > 0
