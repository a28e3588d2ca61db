"""news_easing: a new entry reports an easing (lifted ban, resumed exports, licences granted)."""

from __future__ import annotations

from typing import ClassVar

from bot.models import Severity
from bot.rules.registry import register
from bot.rules.stories import NewsRule


@register("news_easing")
class NewsEasing(NewsRule):
    """Same parameters as news_restriction (materials, min_score, cluster_days, similarity).

    Severity defaults to `info`: good news is worth knowing but never worth waking anyone,
    and a route on `severity: [critical]` should not page on it. Each easing alert also
    marks the open news_restriction alerts on the same materials as eased
    (bot.alerts.resolve.apply_resolutions).
    """

    kind: ClassVar[str] = "easing"
    default_severity: ClassVar[Severity] = "info"
