"""The reference in docs/ agrees with the code: every configuration key is documented and the
generated blocks are current, and no module cites a document outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.config import Config
from scripts.gen_reference import config_keys

ROOT = Path(__file__).resolve().parent.parent


def test_every_configuration_key_has_a_description() -> None:
    missing = [key for key, _kind, _default, description in config_keys(Config) if not description]
    assert not missing, f"add an attribute docstring in bot/config.py for: {', '.join(missing)}"


def test_every_configuration_key_appears_in_the_configuration_reference() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    absent = [key for key, *_ in config_keys(Config) if f"`{key}`" not in page]
    assert not absent, f"docs/configuration.md lacks: {', '.join(absent)}"


def test_generated_docs_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/gen_reference.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_no_module_cites_a_document_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if re.search(r"SPEC §|shared/SPEC", path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"cite the project's docs/ pages instead: {offenders}"


def test_docs_pages_cited_by_the_code_exist() -> None:
    cited = set()
    for path in (ROOT / "bot").rglob("*.py"):
        cited |= set(re.findall(r"docs/([\w.-]+\.md)", path.read_text(encoding="utf-8")))
    missing = sorted(page for page in cited if not (ROOT / "docs" / page).exists())
    assert not missing, f"the code cites docs pages that do not exist: {missing}"


def test_every_rule_parameter_is_described_in_its_class() -> None:
    from bot.rules import RULE_TYPES
    from scripts.gen_reference import rule_params

    missing = [f"{name}.{param}" for name, cls in RULE_TYPES.items()
               for param, _kind, _default, meaning in rule_params(cls) if not meaning]
    assert not missing, f"describe these in the rule class's `Parameters` docstring: {missing}"


def test_every_exit_code_is_in_the_commands_reference() -> None:
    from bot.cli import common

    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    codes = {value for name, value in vars(common).items() if name.startswith("EXIT_")}
    table = set(re.findall(r"^\| (\d+) \|", page, re.M))
    assert {str(code) for code in codes} == table, f"exit codes in code {sorted(codes)}, in docs {sorted(table)}"
