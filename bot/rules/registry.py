"""The registry of rule types: `@register` on each, one visible import line per built-in type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.rules.base import RuleBase

R = TypeVar("R", bound=type[RuleBase])

_TYPES: dict[str, type[RuleBase]] = {}


class UnknownRuleType(KeyError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown rule type {self.name!r}; known types: {', '.join(known_types())}"


def register(name: str) -> Callable[[R], R]:
    """Class decorator: make a rule type available under `type: <name>` in rule files."""

    def deco(cls: R) -> R:
        if name in _TYPES and _TYPES[name] is not cls:
            raise ValueError(f"rule type {name!r} is registered twice")
        cls.type_name = name
        _TYPES[name] = cls
        return cls

    return deco


def _load_builtin() -> None:
    # Explicit, no folder scanning: adding a rule type is one module plus one line here.
    from bot.rules import (  # noqa: F401
        export_swing,
        feed_stale,
        licence_expiry,
        licence_status,
        news_easing,
        news_restriction,
    )


def rule_types() -> dict[str, type[RuleBase]]:
    _load_builtin()
    return dict(_TYPES)


def known_types() -> list[str]:
    return sorted(rule_types())


def rule_type(name: str) -> type[RuleBase]:
    """The model class for `name`, or UnknownRuleType whose message lists the known names."""
    types = rule_types()
    if name not in types:
        raise UnknownRuleType(name)
    return types[name]


NEWS_TYPES = ("news_restriction", "news_easing")
