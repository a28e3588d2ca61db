"""`chokepoint init`, `--version` and `health`, run as a user runs them: the installed command,
and the built wheel in a folder outside the checkout."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from bot.cli.init import EXPOSURE_COLUMNS, LICENCE_COLUMNS
from tests.helpers.e2e import REPO, chokepoint, clean_env, explain


def test_init_writes_a_starter_set_up_that_passes_check_offline(tmp_path: Path) -> None:
    team = tmp_path / "team"
    made = chokepoint("init", team)
    assert made.returncode == 0, explain(made)
    for name in ("chokepoint.yaml", "data/licences.csv", "data/licences.xlsx", "data/exposure.csv",
                 "data/exposure.xlsx", "slack-manifest.yaml"):
        assert (team / name).is_file(), name
    assert sorted(p.name for p in (team / "rules").glob("*.yaml")) == sorted(
        p.name for p in (REPO / "rules").glob("*.yaml"))
    assert "chokepoint check -c" in made.stdout  # says what to do next
    # Offline: no proxy, no resolvable network; check validates shape, never reachability.
    env = clean_env(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    checked = chokepoint("check", "-c", team / "chokepoint.yaml", env=env)
    assert checked.returncode == 0, explain(checked)


def test_init_starter_configuration_names_real_sources(tmp_path: Path) -> None:
    assert chokepoint("init", tmp_path).returncode == 0
    config = yaml.safe_load((tmp_path / "chokepoint.yaml").read_text(encoding="utf-8"))
    urls = [feed["url"] for feed in config["feeds"]] + [page["url"] for page in config.get("pages", [])]
    assert len(urls) >= 8 and all(url.startswith(("https://", "http://")) for url in urls)
    assert not any("example" in url for url in urls)


def test_init_templates_have_the_headings_and_no_rows(tmp_path: Path) -> None:
    assert chokepoint("init", tmp_path).returncode == 0
    for stem, columns in (("licences", LICENCE_COLUMNS), ("exposure", EXPOSURE_COLUMNS)):
        lines = (tmp_path / "data" / f"{stem}.csv").read_text(encoding="utf-8").splitlines()
        assert lines == [",".join(columns)]
        sheet = load_workbook(tmp_path / "data" / f"{stem}.xlsx").active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows == [tuple(columns)]


def test_init_never_overwrites_and_says_what_it_kept(tmp_path: Path) -> None:
    (tmp_path / "chokepoint.yaml").write_text("# mine\nfeeds: []\n", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "news.yaml").write_text("[]\n", encoding="utf-8")
    again = chokepoint("init", tmp_path)
    assert again.returncode == 0, explain(again)
    assert (tmp_path / "chokepoint.yaml").read_text(encoding="utf-8") == "# mine\nfeeds: []\n"
    assert (tmp_path / "rules" / "news.yaml").read_text(encoding="utf-8") == "[]\n"
    assert re.search(r"kept\s+\S*chokepoint\.yaml", again.stdout)
    assert re.search(r"wrote\s+\S*slack-manifest\.yaml", again.stdout)


def test_init_refuses_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "team").write_text("x", encoding="utf-8")
    refused = chokepoint("init", tmp_path / "team")
    assert refused.returncode == 2 and "not a folder" in refused.stderr


def test_version_is_the_changelogs_latest_release() -> None:
    shown = chokepoint("--version")
    latest = re.search(r"^## \[?(\d+\.\d+\.\d+)\]?", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert latest, "CHANGELOG.md has no release heading"
    assert shown.stdout.strip() == f"chokepoint {latest.group(1)}"


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = json.dumps({"ok": self.status == 200, "database": "ok"}).encode()
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_health_probes_the_port_the_configuration_file_sets(tmp_path: Path,
                                                             health_server: http.server.HTTPServer) -> None:
    port = health_server.server_address[1]
    config = tmp_path / "chokepoint.yaml"
    config.write_text(f"feeds: []\nserver: {{host: 0.0.0.0, port: {port}}}\n", encoding="utf-8")
    ok = chokepoint("health", "-c", config)
    assert ok.returncode == 0, explain(ok)
    assert json.loads(ok.stdout)["url"] == f"http://127.0.0.1:{port}/healthz"
    # The same port through $CHOKEPOINT_CONFIG, as in the image.
    assert chokepoint("health", env=clean_env(CHOKEPOINT_CONFIG=str(config)), cwd=tmp_path).returncode == 0
    _Health.status = 503
    try:
        assert chokepoint("health", "-c", config).returncode == 1
    finally:
        _Health.status = 200
    config.write_text(f"feeds: []\nserver: {{port: {port + 1 if port < 65535 else port - 1}}}\n", encoding="utf-8")
    down = chokepoint("health", "-c", config)
    assert down.returncode == 1 and "did not answer" in down.stderr


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built as a wheel and unpacked alone into a folder (no checkout beside it)."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--disable-pip-version-check", "--wheel-dir", str(out / "dist"), str(REPO)],
        capture_output=True, text=True, timeout=300, check=False)
    if built.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{built.stderr[-2000:]}")
    [wheel] = (out / "dist").glob("chokepoint-*.whl")
    site = out / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check",
         "--target", str(site), str(wheel)], capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stderr
    return site


def _from_wheel(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(PYTHONPATH=str(site), HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_built_wheel_alone_inits_checks_and_runs_the_demo(wheel_dir: Path, tmp_path: Path) -> None:
    made = _from_wheel(wheel_dir, tmp_path, "init", "team")
    assert made.returncode == 0, explain(made)
    checked = _from_wheel(wheel_dir, tmp_path, "check", "-c", "team/chokepoint.yaml")
    assert checked.returncode == 0, explain(checked)
    demo = _from_wheel(wheel_dir, tmp_path, "demo")
    assert demo.returncode == 0, explain(demo)
    assert (tmp_path / "chokepoint-digest.html").stat().st_size > 10_000
    probe = subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(wheel_dir)}, capture_output=True, text=True,
                           check=False)
    assert probe.stdout.strip().startswith(str(wheel_dir)), "the test must run the wheel, not the checkout"
