"""The rule types, by the name rule files give in `type:` (docs/rules.md).

Adding a rule type is one module plus one line in RULE_TYPES; there is no folder scanning.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.rules.base import RuleBase
from bot.rules.export_swing import ExportSwing
from bot.rules.feed_stale import FeedStale
from bot.rules.licence_expiry import LicenceExpiry
from bot.rules.licence_status import LicenceStatusRule
from bot.rules.news import NewsEasing, NewsRestriction, NewsRule
from bot.rules.policy_deadline import PolicyDeadline

RULE_TYPES: Mapping[str, type[RuleBase]] = MappingProxyType({
    "news_restriction": NewsRestriction,
    "news_easing": NewsEasing,
    "licence_expiry": LicenceExpiry,
    "licence_status": LicenceStatusRule,
    "export_swing": ExportSwing,
    "feed_stale": FeedStale,
    "policy_deadline": PolicyDeadline,
})
for _name, _cls in RULE_TYPES.items():
    _cls.type_name = _name  # the one spelling of each name is the key above

# The rule types whose alerts are news stories (snoozed by story, joined by later entries).
NEWS_TYPES: tuple[str, ...] = tuple(n for n, c in RULE_TYPES.items() if issubclass(c, NewsRule))


class UnknownRuleType(KeyError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown rule type {self.name!r}; known types: {', '.join(known_types())}"


def known_types() -> list[str]:
    return sorted(RULE_TYPES)


def rule_type(name: str) -> type[RuleBase]:
    """The model class for `name`, or UnknownRuleType whose message lists the known names."""
    if name not in RULE_TYPES:
        raise UnknownRuleType(name)
    return RULE_TYPES[name]
