"""Long work shows progress on a terminal and stays quiet when piped: `once` over many feeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.helpers.e2e import REPO, RULES, chokepoint, explain, run_with_terminal_stderr

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
    proc, seen = run_with_terminal_stderr(["once", "-c", str(config), "--wait", "0"])
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
