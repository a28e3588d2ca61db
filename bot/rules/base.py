"""What every rule type shares: common fields, the evaluate contract, and running a set of rules."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from bot.models import Match, Severity
from bot.rules.context import RuleContext

log = logging.getLogger(__name__)

RULE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class RuleBase(BaseModel):
    """A rule: its validated parameters plus `evaluate`. One subclass per rule type.

    Subclasses set `type_name`, give `severity` a default (or set `derives_severity`), add
    their own parameters, and implement `evaluate`. Unknown parameters are errors
    (extra="forbid"), so a misspelt threshold never silently falls back to its default.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type_name: ClassVar[str] = ""
    # Types whose severity the spec derives (licence_expiry, export_swing) reject `severity:`.
    derives_severity: ClassVar[bool] = False
    default_severity: ClassVar[Severity] = "warning"

    id: str = Field(max_length=100)
    type: str
    severity: Severity | None = None
    enabled: bool = True

    _file: str = PrivateAttr(default="")
    _line: int | None = PrivateAttr(default=None)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.match(RULE_ID_PATTERN, v):
            raise ValueError(f"{v!r}: a rule id is letters, digits, '.', '_' and '-', "
                             "starting with a letter or digit (it becomes part of alert keys)")
        return v

    @field_validator("type")
    @classmethod
    def _type_matches(cls, v: str) -> str:
        if cls.type_name and v != cls.type_name:
            raise ValueError(f"this model validates {cls.type_name!r} rules, not {v!r}")
        return v

    @field_validator("severity")
    @classmethod
    def _severity_allowed(cls, v: Severity | None) -> Severity | None:
        if cls.derives_severity and v is not None:
            raise ValueError(
                f"{cls.type_name} derives its severity (see docs/rules.md); remove `severity:`"
            )
        return v

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.default_severity

    @property
    def where(self) -> str:
        """`rules/news.yaml:12` — where the rule was written, for logs and messages."""
        if not self._file:
            return f"rule {self.id!r}"
        return f"{self._file}:{self._line}" if self._line else self._file

    def placed(self, file: str, line: int | None) -> RuleBase:
        """Remember where the rule came from (the loader calls this)."""
        self._file, self._line = file, line
        return self

    def key(self, *parts: object) -> str:
        """The alert key: `<rule id>:<parts...>` (one alert per key, ever)."""
        return ":".join([self.id, *(str(p) for p in parts)])

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        raise NotImplementedError


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised while evaluating; the other rules still ran."""

    rule_id: str
    where: str
    error: str


@dataclass(frozen=True)
class Evaluation:
    matches: tuple[Match, ...]
    failures: tuple[RuleFailure, ...]


def evaluate_rules(rules: Iterable[RuleBase], ctx: RuleContext) -> Evaluation:
    """Run every enabled rule; one rule's bug must not silence the others, so it is caught."""
    matches: list[Match] = []
    failures: list[RuleFailure] = []
    for rule in rules:
        if not rule.enabled:
            continue
        try:
            matches.extend(rule.evaluate(ctx))
        except Exception as exc:  # a rule bug is reported, not allowed to stop the others
            log.exception("rule %s (%s) failed", rule.id, rule.where)
            failures.append(RuleFailure(rule.id, rule.where, f"{type(exc).__name__}: {exc}"))
    return Evaluation(tuple(matches), tuple(failures))

