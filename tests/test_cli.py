"""The installed `chokepoint` command line: help, the dry run, bad input, the digest file (SPEC §2)."""

from __future__ import annotations

import json
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.helpers.e2e import REPO, RULES, chokepoint, explain

# Every command of SPEC §2 with the options the spec gives it.
COMMANDS: dict[str, tuple[str, ...]] = {
    "demo": (),
    "run": ("-c",),
    "once": ("-c",),
    "check": ("-c",),
    "digest": ("-c", "--out", "--send"),
    "alerts": ("-c", "--since", "--json"),
    "test-rules": ("SOURCE", "-c", "--json"),
}
TEST_FEED = REPO / "tests" / "data" / "test_feed.xml"


@pytest.fixture(scope="module")
def helps() -> dict[str, subprocess.CompletedProcess[str]]:
    """`chokepoint --help` and `chokepoint <command> --help`, run side by side to save time."""
    argvs = {"": ("--help",), **{name: (name, "--help") for name in COMMANDS}}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(chokepoint, *argv, timeout=30) for name, argv in argvs.items()}
        return {name: future.result() for name, future in futures.items()}


def minimal_config(folder: Path, **extra: object) -> Path:
    """A valid configuration: one feed file, SQLite in `folder`, the repo's rules."""
    config = {"database": f"sqlite:///{folder / 'chokepoint.db'}", "rules": str(RULES),
              "feeds": [{"name": "test-feed", "url": str(TEST_FEED)}], **extra}
    path = folder / "chokepoint.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_top_level_help_lists_every_command(helps: dict[str, subprocess.CompletedProcess[str]]) -> None:
    proc = helps[""]
    assert proc.returncode == 0, explain(proc)
    for name in COMMANDS:
        assert name in proc.stdout, f"{name} missing from chokepoint --help"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_help_lists_its_spec_options(
        helps: dict[str, subprocess.CompletedProcess[str]], command: str) -> None:
    proc = helps[command]
    assert proc.returncode == 0, explain(proc)
    assert f"chokepoint {command}" in proc.stdout  # the usage line names the command
    for option in COMMANDS[command]:
        assert option in proc.stdout, f"{option} missing from chokepoint {command} --help"


def test_test_rules_json_is_one_object_per_entry_in_the_spec_shape(tmp_path: Path) -> None:
    # No chokepoint.yaml in the working directory: the default rule pack judges.
    proc = chokepoint("test-rules", TEST_FEED, "--json", cwd=tmp_path)
    assert proc.returncode == 0, explain(proc)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == TEST_FEED.read_text().count("<item>")
    for line in lines:
        assert set(line) == {"title", "link", "alerts"}, line
        for alert in line["alerts"]:
            assert set(alert) == {"rule", "type", "severity", "materials"}, alert
    fired = {line["title"]: line["alerts"] for line in lines}
    (halt,) = fired["China halts exports of dysprosium and terbium oxides to US"]
    assert (halt["type"], halt["severity"], sorted(halt["materials"])) == (
        "news_restriction", "high", ["Dy", "Tb"])
    assert fired["Tesla cuts prices of Model Y in China"] == []
    (ease,) = fired["China suspends export controls on gallium and germanium"]
    assert ease["type"] == "news_easing"
    assert not (tmp_path / "chokepoint.db").exists(), "a dry run stores nothing"


def test_test_rules_on_a_missing_file_says_so_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-feed.xml"
    proc = chokepoint("test-rules", missing, cwd=tmp_path)
    assert proc.returncode != 0, explain(proc)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "no-such-feed.xml" in proc.stderr, explain(proc)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"  # nothing listens there any more


@pytest.mark.parametrize("kind", ["file that is not a feed", "URL nobody answers"])
def test_test_rules_on_an_unusable_source_names_it(tmp_path: Path, kind: str) -> None:
    if kind.startswith("file"):
        junk = tmp_path / "page.xml"
        junk.write_text("this is not a feed at all\n")
        source = str(junk)
    else:
        source = closed_port_url()
    proc = chokepoint("test-rules", source, cwd=tmp_path)
    assert proc.returncode != 0, explain(proc)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert source in proc.stderr, explain(proc)


def test_alerts_with_a_bad_since_exits_2_and_names_the_value(tmp_path: Path) -> None:
    config = minimal_config(tmp_path)
    proc = chokepoint("alerts", "-c", config, "--since", "bogus")
    assert proc.returncode == 2, explain(proc)
    assert "bogus" in proc.stderr and "Traceback" not in proc.stderr


def test_digest_out_writes_the_html_file(tmp_path: Path) -> None:
    config = minimal_config(tmp_path)
    out = tmp_path / "weekly.html"
    proc = chokepoint("digest", "-c", config, "--out", out)
    assert proc.returncode == 0, explain(proc)
    html = out.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "</html>" in html.lower()
    assert str(out.name) in proc.stdout


def test_check_accepts_a_valid_setup_and_names_each_bad_row(tmp_path: Path) -> None:
    licences = tmp_path / "licences.csv"
    licences.write_text(
        "licence_id,holder,material,expires,status\n"
        "OK-1,Example Holder (FICTITIOUS),Dy,2031-01-01,active\n"
        "BAD-2,Example Holder (FICTITIOUS),Dy,01/12/2030,active\n"  # ambiguous: no date_order
    )
    config = minimal_config(tmp_path, licences={"source": "licences.csv"})
    good_folder = tmp_path / "good"
    good_folder.mkdir()
    (good_folder / "licences.csv").write_text("\n".join(licences.read_text().splitlines()[:2]) + "\n")
    good = minimal_config(good_folder, licences={"source": "licences.csv"})
    with ThreadPoolExecutor(max_workers=2) as pool:
        bad_run, good_run = pool.map(lambda c: chokepoint("check", "-c", c), (config, good))
    assert bad_run.returncode == 2, explain(bad_run)
    assert "licences.csv" in bad_run.stdout and "row 3" in bad_run.stdout
    assert "01/12/2030" in bad_run.stdout and "ambiguous" in bad_run.stdout
    assert good_run.returncode == 0, explain(good_run)


def test_alerts_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.models import Match
    from bot.store import Store
    from bot.store.alerts import record_alert
    from tests.helpers.e2e import chokepoint_script, clean_env

    db = tmp_path / "a.db"
    store = Store(f"sqlite:///{db}")
    now = datetime.now(UTC)
    with store.session() as s:
        for n in range(1500):  # far more than a pipe buffer holds
            record_alert(s, Match(rule_id="r", rule_type="news_restriction", key=f"k{n}",
                                  severity="high", title="China halts Dy oxide exports " * 4,
                                  subject=f"story:{n}", materials=("Dy",)), ["slack:#x"], now)
    store.dispose()
    config = tmp_path / "c.yaml"
    config.write_text(f"database: sqlite:///{db}\nfeeds: []\n")
    proc = subprocess.run(f"'{chokepoint_script()}' alerts -c '{config}' --json | head -n 1",
                          shell=True, capture_output=True, text=True, env=clean_env(), timeout=60)
    assert json.loads(proc.stdout)["subject"] == "story:1499"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
