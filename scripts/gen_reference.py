"""Generate the parts of docs/ that the code already knows, so the docs and the code cannot drift.

    python scripts/gen_reference.py          # rewrite the generated blocks in docs/
    python scripts/gen_reference.py --check  # exit 1 and name the stale pages (the tests run this)

Each generated block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in a
page whose other text is written by hand. `config` comes from the pydantic models of
bot/config.py (their attribute docstrings are the descriptions).
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _unannotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _show_default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if isinstance(value, BaseModel):
        text = str(value) if type(value).__str__ is not BaseModel.__str__ else ""
        return f"`{text}`" if text else "(keys below)"
    if isinstance(value, timedelta):
        return f"`{_duration(value)}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | dict | tuple) and not value:
        return "`[]`" if not isinstance(value, dict) else "`{}`"
    return f"`{value}`"


def _type_name(annotation: Any) -> str:
    annotation = _unannotated(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"mapping {_type_name(key)} → {_type_name(value)}"
    if isinstance(annotation, type):
        if issubclass(annotation, timedelta):
            return "duration"
        if issubclass(annotation, BaseModel):
            return "text" if hasattr(annotation, "parse") else "section"
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}.get(
            annotation.__name__, annotation.__name__.lower()
        )
    return str(annotation).replace("typing.", "")


def config_keys(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(key path, type, default, description) for every key a user can write, depth first."""
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation, _ = _strip_optional(field.annotation)
        annotation = _unannotated(annotation)
        key = f"{prefix}{name}"
        inner = annotation
        suffix = ""
        if typing.get_origin(annotation) is list:
            inner = _unannotated(typing.get_args(annotation)[0])
            suffix = "[]"
        nested = isinstance(inner, type) and issubclass(inner, BaseModel) and not hasattr(inner, "parse")
        kind = ("list of sections" if suffix else "section") if nested else _type_name(annotation)
        yield key, kind, _show_default(field), " ".join((field.description or "").split())
        if nested:
            yield from config_keys(inner, f"{key}{suffix}.")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def config_block() -> str:
    from bot.config import Config

    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for key, kind, default, description in config_keys(Config):
        rows.append(f"| `{key}` | {kind} | {default} | {_cell(description)} |")
    return "\n".join(rows)


_COMMON_RULE_FIELDS = ("id", "type", "severity", "enabled")


def _docstring_params(cls: type) -> dict[str, str]:
    """`name   what it does` lines of the `Parameters` paragraph of a class's docstrings (MRO)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.cleandoc(klass.__dict__.get("__doc__") or "")
        current = None
        in_params = False
        for line in doc.splitlines():
            if line.startswith("Parameters"):
                in_params = True
                continue
            if not in_params:
                continue
            if not line.strip():
                current = None
                continue
            m = re.match(r"^(\w+)\s{2,}(.+)$", line)
            if m:
                current = m.group(1)
                found[current] = m.group(2).strip()
            elif current and line.startswith(" "):
                found[current] += " " + line.strip()
            else:
                in_params = False
    return found


def rule_params(cls: type[BaseModel]) -> Iterator[tuple[str, str, str, str]]:
    """(parameter, type, default, description) of a rule type, beside the fields every rule has."""
    described = _docstring_params(cls)
    for name, field in cls.model_fields.items():
        if name in _COMMON_RULE_FIELDS:
            continue
        annotation, _ = _strip_optional(field.annotation)
        key = field.alias or name
        text = field.description or described.get(key) or described.get(name) or ""
        yield key, _type_name(annotation), _show_default(field), " ".join(text.split())


def rules_block() -> str:
    from bot.rules import RULE_TYPES

    out: list[str] = []
    for name, cls in RULE_TYPES.items():
        own = (cls.__doc__ or "").strip().splitlines()
        module_doc = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()
        if own and not own[0].startswith("Parameters"):
            summary = re.sub(r"\s*\(parameters: \w+\)", "", own[0])
        else:
            summary = module_doc[0].split(":", 1)[-1].strip() if module_doc else ""
        severity = ("derived (no `severity:`)" if getattr(cls, "derives_severity", False)
                    else f"`severity:` (default `{getattr(cls, 'default_severity', 'warning')}`)")
        out += [f"### `{name}`", "", f"{summary[:1].upper()}{summary[1:]}", "", f"Severity: {severity}.", ""]
        rows = list(rule_params(cls))
        if rows:
            out += ["| parameter | type | default | meaning |", "| --- | --- | --- | --- |"]
            out += [f"| `{k}` | {t} | {d} | {_cell(m)} |" for k, t, d, m in rows]
            out.append("")
    return "\n".join(out).rstrip()


def commands_block() -> str:
    """Every `chokepoint` command with its options, from the argparse parser the CLI runs."""
    import argparse as _argparse

    from bot.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, _argparse._SubParsersAction))
    helps = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    out: list[str] = []
    for name, command in sub.choices.items():
        usage = " ".join(command.format_usage().split())
        usage = usage.removeprefix("usage: ")
        out += [f"### `chokepoint {name}`", "", f"{helps.get(name, '')[:1].upper()}{helps.get(name, '')[1:]}.", "",
                f"    {usage}", ""]
        rows = []
        for action in command._actions:
            if isinstance(action, _argparse._HelpAction):
                continue
            names = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.metavar or action.dest}`"
            rows.append(f"| {names} | {_cell(' '.join((action.help or '').split()))} |")
        if rows:
            out += ["| argument | meaning |", "| --- | --- |", *rows, ""]
    return "\n".join(out).rstrip()


def slash_block() -> str:
    """The `/chokepoint` commands, from the help the Slack app itself answers with."""
    from bot.slack_app.commands import HELP_LINES

    rows = ["| text | answers |", "| --- | --- |"]
    rows += [f"| `/chokepoint {command}` | {_cell(what)} |" for command, what in HELP_LINES]
    return "\n".join(rows)


BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "config": ("configuration.md", config_block),
    "rules": ("rules.md", rules_block),
    "commands": ("commands.md", commands_block),
    "slash": ("slash-commands.md", slash_block),
}


def _replace(text: str, name: str, body: str, page: str) -> str:
    pattern = re.compile(rf"(<!-- generated:{name} -->).*?(<!-- /generated:{name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/{page}: the markers <!-- generated:{name} --> … <!-- /generated:{name} --> are missing")
    return pattern.sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", text)


def stale_pages(write: bool) -> list[str]:
    stale = []
    for name, (page, build) in BLOCKS.items():
        path = DOCS / page
        text = path.read_text(encoding="utf-8")
        new = _replace(text, name, build(), page)
        if new != text:
            stale.append(f"docs/{page} ({name})")
            if write:
                path.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale pages instead of rewriting them")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    stale = stale_pages(write=not args.check)
    if args.check and stale:
        print("stale generated docs: " + ", ".join(stale) + "; run python scripts/gen_reference.py", file=sys.stderr)
        return 1
    for page in stale:
        print(f"rewrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
