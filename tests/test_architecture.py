"""The one-way flow of docs/ARCHITECTURE.md, checked on the imports themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# package -> what it must never import (downstream of it, or a service it must not know)
FORBIDDEN = {
    "store": ("sources", "rules", "alerts", "channels", "slack_app", "delivery", "pipeline",
              "digest", "scheduler"),
    "sources": ("rules", "alerts", "channels", "slack_app", "delivery", "pipeline", "digest"),
    "rules": ("store", "alerts", "channels", "slack_app", "delivery", "pipeline", "digest"),
    "channels": ("store", "sources", "rules", "alerts", "slack_app", "delivery", "pipeline"),
    "alerts": ("channels", "slack_app", "delivery", "pipeline", "sources"),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("bot."))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_never_imports_downstream(package: str) -> None:
    files = sorted((BOT / package).glob("**/*.py"))
    assert files, f"bot/{package} has no modules"
    wrong = {
        f"{path.relative_to(BOT)} imports bot.{name}"
        for path in files for name in imports_of(path) & set(FORBIDDEN[package])
    }
    assert not wrong, sorted(wrong)
