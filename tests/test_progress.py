"""Long work shows progress on a terminal and stays quiet when piped: `once` over many feeds."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.helpers.e2e import REPO, RULES, chokepoint, chokepoint_script, clean_env, explain

FEEDS = 25


def _config(folder: Path) -> Path:
    feeds = []
    for i in range(FEEDS):
        path = folder / f"feed-{i}.xml"
        shutil.copyfile(REPO / "tests" / "data" / "test_feed.xml", path)
        feeds.append({"name": f"feed-{i}", "url": str(path)})
    config = folder / "chokepoint.yaml"
    config.write_text(yaml.safe_dump({"database": f"sqlite:///{folder / 'c.db'}", "rules": str(RULES),
                                      "feeds": feeds}), encoding="utf-8")
    return config


def test_once_over_many_feeds_counts_them_on_a_terminal(tmp_path: Path) -> None:
    config = _config(tmp_path)
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([chokepoint_script(), "once", "-c", str(config), "--wait", "0"],
                              env=clean_env(), stdout=subprocess.PIPE, stderr=follower, timeout=120,
                              check=False)
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode in (0, 1), proc.stdout
    text = seen.decode("utf-8", "replace")
    assert f"polling feeds: {FEEDS}/{FEEDS}" in text
    assert "polling feeds: 10/25" in text  # it counts as it goes, not only at the end


def test_once_piped_prints_no_progress(tmp_path: Path) -> None:
    config = _config(tmp_path)
    proc = chokepoint("once", "-c", config, "--wait", "0")
    assert proc.returncode in (0, 1), explain(proc)
    assert "polling feeds" not in proc.stderr and "\r" not in proc.stderr
    assert f"polled {FEEDS} feeds" in proc.stdout
