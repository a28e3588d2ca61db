"""Read rules/*.yaml into validated rules, or report every problem with file, line and rule id."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.rules import UnknownRuleType, known_types, rule_type
from bot.rules.base import RuleBase


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file: where it is, which rule, and what to do about it."""

    file: str
    line: int | None
    rule_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}" if self.line else self.file
        who = f"rule {self.rule_id!r}: " if self.rule_id else ""
        return f"{where}: {who}{self.message}"


class RulesError(Exception):
    """Rule files that cannot be used; carries every problem found (not just the first)."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _param_names(model: type[RuleBase]) -> list[str]:
    names = {(f.alias or name) for name, f in model.model_fields.items()}
    if model.derives_severity:
        names.discard("severity")
    return sorted(names)


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _explain(err: Any, model: type[RuleBase]) -> str:
    loc = [str(p) for p in err["loc"]]
    name = loc[0] if loc else ""
    where = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        known = _param_names(model)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown parameter {name!r}{hint}; known: {', '.join(known)}"
    if kind == "missing":
        return f"parameter {name!r} is required"
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "literal_error" and name == "severity":
        message = "severity must be one of info, warning, high, critical"
    # Name the parameter unless the message already does.
    return f"{where}: {message}" if where and name not in message else message


def _build(
    raw: object, node: yaml.Node | None, index: int, file: str
) -> tuple[RuleBase | None, list[RuleProblem]]:
    line = node.start_mark.line + 1 if node is not None else None
    if not isinstance(raw, dict) or not isinstance(node, yaml.MappingNode):
        return None, [RuleProblem(file, line, None, f"rule #{index + 1} must be a mapping "
                                  "with id, type and parameters")]
    lines = _key_lines(node)
    rule_id = raw.get("id")
    label = str(rule_id) if rule_id is not None else None
    if rule_id is None:
        return None, [RuleProblem(file, line, None, f"rule #{index + 1} has no `id`")]
    kind = raw.get("type")
    if kind is None:
        return None, [RuleProblem(file, line, label,
                                  f"missing `type`; known types: {', '.join(known_types())}")]
    try:
        model = rule_type(str(kind))
    except UnknownRuleType as exc:
        return None, [RuleProblem(file, lines.get("type", line), label, str(exc))]
    try:
        rule = model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            RuleProblem(file, lines.get(str(err["loc"][0]), line) if err["loc"] else line,
                        label, _explain(err, model))
            for err in exc.errors()
        ]
        return None, problems
    return rule.placed(file, line), []


def _load_file(path: Path) -> tuple[list[RuleBase], list[RuleProblem]]:
    file = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [RuleProblem(file, None, None, f"cannot be read: {exc}")]
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return [], [RuleProblem(file, mark.line + 1 if mark else None, None,
                                f"not valid YAML: {problem}")]
    if raw is None:
        return [], []
    if not isinstance(raw, list) or not isinstance(node, yaml.SequenceNode):
        return [], [RuleProblem(file, 1, None, "a rule file holds a list of rules "
                                "(each item starts with `- id: ...`)")]
    rules, problems = [], []
    for i, item in enumerate(raw):
        rule, found = _build(item, node.value[i], i, file)
        problems += found
        if rule is not None:
            rules.append(rule)
    return rules, problems


def rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_rules(folder: Path | str) -> list[RuleBase]:
    """Every rule of every *.yaml file in `folder` (disabled ones too), or RulesError."""
    folder = Path(folder)
    name = _display(folder)
    if not folder.is_dir():
        raise RulesError([RuleProblem(
            name, None, None, "rules folder not found (set `rules:` in the configuration)")])
    files = rule_files(folder)
    if not files:
        raise RulesError([RuleProblem(name, None, None, "no rule files (*.yaml) in the folder; "
                                      "copy the default pack from the project's rules/")])
    rules: list[RuleBase] = []
    problems: list[RuleProblem] = []
    seen: dict[str, RuleBase] = {}
    for path in files:
        found, file_problems = _load_file(path)
        problems += file_problems
        for rule in found:
            first = seen.get(rule.id)
            if first is not None:
                problems.append(RuleProblem(rule._file, rule._line, rule.id,
                                            f"duplicate rule id; already defined at {first.where}"))
                continue
            seen[rule.id] = rule
            rules.append(rule)
    if problems:
        raise RulesError(problems)
    return rules


def check_rules(folder: Path | str) -> list[str]:
    """One line per problem in the rule files (none when valid), for `chokepoint check`."""
    try:
        load_rules(folder)
    except RulesError as exc:
        return [str(p) for p in exc.problems]
    return []
