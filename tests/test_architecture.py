"""The one-way flow of docs/ARCHITECTURE.md, checked on the imports themselves.

Imports inside functions count as much as those at the top: a lazy import is still a
dependency, and still closes a cycle.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
MAX_LINES = 300


def _import_cycles() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "scripts" / "import_cycles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IMPORTS = _import_cycles()
GRAPH: dict[str, set[str]] = IMPORTS.import_graph(BOT)

# Each part of bot/ (a package or a top-level module) and the parts it may import. Everything
# else is downstream of it or a service it must not know. Read top to bottom, the list is the
# flow: a part may only import parts above it.
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "redact": set(),
    "dburl": set(),
    "models": {"text"},
    "durations": set(),
    "materials_data": set(),
    "materials": {"materials_data"},
    "material_graph": {"materials", "materials_data"},
    "policy": {"models", "materials"},
    "exposure": {"models", "materials", "material_graph"},
    "templates": set(),
    "wording": set(),
    "logs": {"redact"},
    "config": {"models", "durations", "materials", "templates", "dburl", "redact"},
    "store": {"models", "redact"},
    "sources": {"models", "config", "materials", "store", "redact", "policy", "exposure"},
    "rules": {"models", "durations", "materials", "material_graph", "policy"},
    "alerts": {"models", "config", "materials", "material_graph", "store", "rules", "policy",
               "exposure"},
    "channels": {"models", "config", "logs", "templates"},
    "delivery": {"models", "store", "alerts", "channels"},
    "digest": {"models", "config", "materials", "templates", "store", "channels", "policy",
               "exposure"},
    "slack_app": {"models", "config", "materials", "material_graph", "templates", "logs", "store",
                  "rules", "alerts", "channels", "policy", "exposure", "wording"},
    "backtest": {"models", "materials", "material_graph", "rules", "alerts", "policy", "exposure"},
    "pipeline": {"models", "config", "store", "sources", "rules", "alerts", "channels",
                 "delivery", "redact", "policy", "exposure"},
    "scheduler": {"models", "config", "store", "digest", "pipeline", "slack_app"},
    "cli": {"models", "config", "durations", "logs", "templates", "store", "sources", "rules",
            "channels", "delivery", "digest", "pipeline", "scheduler", "backtest", "slack_app",
            "wording"},
}
# Modules over MAX_LINES that others own and are rewriting (issue 12, items 6 and 7); each
# line here goes when its module is split or says why in its docstring.
LONG_FOR_NOW: dict[str, str] = {}


def part(module: str) -> str:
    """`bot.rules.news` -> `rules`; `bot` (the package itself) -> `bot`."""
    return module.split(".")[1] if "." in module else "bot"


def test_every_part_of_bot_is_placed_in_the_flow() -> None:
    parts = {part(m) for m in GRAPH} - {"bot"}
    assert parts == set(ALLOWED), "add new parts of bot/ to ALLOWED, where they belong"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_part_imports_only_what_is_upstream_of_it(name: str) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items() if part(module) == name
        for target in targets
        if part(target) not in ALLOWED[name] | {name, "bot"}
    )
    assert not wrong, wrong


def test_no_import_cycles() -> None:
    assert IMPORTS.cycles(GRAPH) == []


def test_nothing_imports_the_command_line() -> None:
    wrong = sorted(f"{m} imports {t}" for m, ts in GRAPH.items() if part(m) != "cli"
                   for t in ts if part(t) == "cli")
    assert not wrong, wrong


def test_a_long_module_says_why_in_its_docstring() -> None:
    long = []
    for path in sorted(BOT.rglob("*.py")):
        rel = path.relative_to(BOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= MAX_LINES or rel in LONG_FOR_NOW:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if f"{MAX_LINES} lines" not in doc:
            long.append(f"{rel}: {text.count(chr(10))} lines; split it, or say in its "
                        f"docstring why it is over {MAX_LINES} lines")
    assert not long, long


def test_the_module_graph_reads_lazy_imports_too(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f() -> None:\n    from pkg import b  # noqa\n")
    (pkg / "b.py").write_text("from pkg.a import f\n")
    graph = IMPORTS.import_graph(pkg)
    assert graph["pkg.a"] == {"pkg", "pkg.b"} and graph["pkg.b"] == {"pkg.a"}
    assert IMPORTS.cycles(graph) == [["pkg.a", "pkg.b"]]
