"""What the Dockerfile and the package promise (no Docker engine runs here: checked as text)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_runs_the_service_as_a_non_root_user_with_a_python_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f'"chokepoint[postgres]=={version}"' in text, "pin the image to pyproject's version"
    assert 'CMD ["chokepoint", "run"]' in text  # exec form: SIGTERM reaches chokepoint
    assert re.search(r"^USER 1\d{4}$", text, re.M)
    health = next(line for line in text.splitlines() if "CMD" in line and "healthz" in line)
    assert '"python"' in health and "curl" not in text
    assert 'VOLUME ["/data"]' in text and text.count("FROM ") == 2


def test_the_wheel_carries_the_rule_pack_and_templates() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert build["targets"]["wheel"]["force-include"] == {
        "rules": "bot/_bundled/rules", "templates": "bot/_bundled/templates"}


def test_compose_has_the_bot_and_postgresql() -> None:
    text = (ROOT / "compose.yaml").read_text()
    assert "postgres:" in text and "postgresql+psycopg://" in text and "service_healthy" in text
