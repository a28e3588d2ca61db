"""Where message templates live and the jinja2 environments that render them (Slack, HTML, text)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TemplateKind = Literal["slack", "html", "text"]

_PACKAGE = Path(__file__).resolve().parent
# The wheel carries templates/ inside the package (pyproject force-include); a checkout has it at
# the top level, next to rules/, where users read and copy it.


def bundled_dir(name: Literal["templates", "rules"]) -> Path:
    """A top-level folder shipped with the program: the wheel's copy, else the checkout's."""
    candidates = (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"no {name} folder found (looked in " + ", ".join(str(c) for c in candidates) + ")"
    )


def bundled_file(name: str) -> Path:
    """A top-level file shipped with the program (the Slack manifest): the wheel's copy, else the checkout's."""
    candidates = (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {name} found (looked in " + ", ".join(str(c) for c in candidates) + ")")


def template_dir() -> Path:
    """The templates folder: the bundled copy in an installed wheel, else the repository's."""
    return bundled_dir("templates")


def default_rules_dir() -> Path:
    """The default rule pack (rules/), for the demo and for test-rules without a config."""
    return bundled_dir("rules")


def environment(kind: TemplateKind) -> Environment:
    """A fresh environment over the whole templates folder (name templates as `slack/x.j2`).

    HTML autoescapes; Slack and text do not (Slack escaping is explicit through the `mrkdwn`
    filter that bot.channels.mrkdwn adds). All use StrictUndefined so that a misspelt variable
    fails the render instead of silently printing nothing.
    """
    if kind not in ("slack", "html", "text"):
        raise ValueError(f"unknown template kind {kind!r}; use slack, html or text")
    return Environment(
        loader=FileSystemLoader(str(template_dir())),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
