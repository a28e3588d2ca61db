"""What the Dockerfile and the package promise (no Docker engine runs here: checked as text)."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_runs_the_service_as_a_non_root_user_with_a_config_aware_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f'"chokepoint[postgres]=={version}"' in text, "pin the image to pyproject's version"
    assert 'CMD ["chokepoint", "run"]' in text  # exec form: SIGTERM reaches chokepoint
    assert re.search(r"^USER 1\d{4}$", text, re.M)
    # The probe reads server.port from the configuration, not a port guessed in the Dockerfile.
    assert 'CMD ["chokepoint", "health"]' in text and "3000/healthz" not in text and "curl" not in text
    assert "--constraint constraints.txt" in text, "the image installs the pinned versions"
    assert "chokepoint init /etc/chokepoint" in text, "the image carries a starter set-up that passes check"
    assert 'VOLUME ["/data"]' in text and text.count("FROM ") == 2


def test_constraints_pin_every_runtime_dependency_within_its_range() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["postgres"]]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    for req in wanted:
        pin = pins.get(canonicalize_name(req.name))
        assert pin, f"{req.name} is not pinned in constraints.txt; run scripts/update-constraints.sh"
        assert req.specifier.contains(pin, prereleases=True), (
            f"constraints.txt pins {req.name}=={pin}, outside pyproject's {req.specifier}; "
            "run scripts/update-constraints.sh")


def _tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        pytest.skip("not a git checkout: the build context is measured from git's file list")
    return [ROOT / line for line in out.stdout.splitlines() if line]


def _in_context(rel: str, rules: list[tuple[bool, str]]) -> bool:
    """Docker's .dockerignore semantics for the patterns used here: the last matching rule wins."""
    keep = True
    for negated, pattern in rules:
        pattern = pattern.rstrip("/")
        parts = rel.split("/")
        hit = any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1))
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        if hit:
            keep = negated
    return keep


def test_the_image_build_context_is_small() -> None:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!")))
    files = [p for p in _tracked_files() if p.is_file()]
    inside = [p for p in files if _in_context(str(p.relative_to(ROOT)), rules)]
    size = sum(p.stat().st_size for p in inside)
    assert any(p.name == "pyproject.toml" for p in inside) and any("bot/cli" in str(p) for p in inside)
    assert not any(".venv" in p.parts or p.parts[len(ROOT.parts)] == "tests" for p in inside)
    assert size < 5 * 1024 * 1024, f"the build context is {size / 1e6:.1f} MB"


def test_compose_validates_where_docker_compose_is_installed(tmp_path: Path) -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker client here")
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip("docker compose is not installed here (the client has no compose plugin)")
    result = subprocess.run(["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_compose_needs_no_env_file_and_gives_secrets_from_the_environment() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    assert "env_file" not in bot, "a missing .env must not stop `docker compose config`"
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SMTP_PASSWORD"):
        assert bot["environment"][secret] == f"${{{secret}:-}}"


def test_the_wheel_carries_the_rule_pack_and_templates() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert build["targets"]["wheel"]["force-include"] == {
        "rules": "bot/_bundled/rules", "templates": "bot/_bundled/templates",
        "slack-manifest.yaml": "bot/_bundled/slack-manifest.yaml"}


def test_compose_has_the_bot_and_postgresql() -> None:
    text = (ROOT / "compose.yaml").read_text()
    assert "postgres:" in text and "postgresql+psycopg://" in text and "service_healthy" in text


def test_the_image_reports_healthy_on_a_port_set_only_in_the_yaml() -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker client here")
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:
        pytest.skip("no Docker engine runs here (`docker info` fails): scripts/docker-smoke.sh needs one")
    result = subprocess.run([str(ROOT / "scripts" / "docker-smoke.sh")], cwd=ROOT, capture_output=True,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "healthy on port 38123" in result.stdout
