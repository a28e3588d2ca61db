"""news_restriction: a new entry reports a restriction (ban, halt, quota cut) on a material."""

from __future__ import annotations

from typing import ClassVar

from bot.models import Severity
from bot.rules.registry import register
from bot.rules.stories import NewsRule


@register("news_restriction")
class NewsRestriction(NewsRule):
    """Parameters (besides id, type, severity, enabled):

    materials     aliases of the materials to watch (default: every watched material);
                  `REE` covers every rare-earth element, and a rule on an element also
                  sees stories about the rare earths as a group
    min_score     the classifier's minimum confidence (default 0: all it files as restrictions)
    cluster_days  the same story from several feeds within this many days is one alert (default 3)
    similarity    how alike two headlines must be to be one story, 0-1 (default 0.5)

    Severity defaults to `high`: a restriction is what this bot exists to catch early.
    """

    kind: ClassVar[str] = "restriction"
    default_severity: ClassVar[Severity] = "high"
