"""export_swing: a series' latest month differs from the month before by `threshold_pct` or more."""

from __future__ import annotations

from collections import defaultdict

from pydantic import Field, field_validator

from bot.materials import materials_in
from bot.models import Match, Severity, TradePoint
from bot.rules.base import RuleBase
from bot.rules.context import RuleContext


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def swing_severity(change_pct: float, threshold_pct: float) -> Severity:
    """docs/rules.md: high at twice the threshold, else warning."""
    return "high" if abs(change_pct) >= 2 * threshold_pct else "warning"


def _fmt_tonnes(t: float) -> str:
    return f"{t:,.0f} t" if t >= 100 else f"{t:,.1f} t"


class ExportSwing(RuleBase):
    """Parameters (besides id, type, enabled; severity is derived, see swing_severity):

    threshold_pct  the smallest month-on-month change that fires, in percent (default 10)
    min_tonnes     both months must be at least this heavy; tiny series swing wildly (default 50)
    products       only these products, e.g. ["rare earth magnets"] (default: all; any case)
    destinations   only these destinations, e.g. [US, DE, ALL] (default: all)

    Only the latest month of each series is judged, and only against the month right before
    it: a missing month (China reports January and February together) means no swing. A
    revised figure is judged again, but the key is per period, so a month alerts once, ever.
    """

    derives_severity = True

    threshold_pct: float = Field(default=10.0, gt=0)
    min_tonnes: float = Field(default=50.0, ge=0)
    products: list[str] | None = Field(default=None, min_length=1)
    destinations: list[str] | None = Field(default=None, min_length=1)

    @field_validator("products", "destinations")
    @classmethod
    def _folded(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        if any(not str(x).strip() for x in v):
            raise ValueError("names must not be empty")
        return [str(x).strip().casefold() for x in v]

    def watches(self, point: TradePoint) -> bool:
        if self.products is not None and point.product.casefold() not in self.products:
            return False
        return self.destinations is None or point.destination.casefold() in self.destinations

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        series: dict[tuple[str, str], dict[str, TradePoint]] = defaultdict(dict)
        for point in ctx.trade:
            if self.watches(point):
                series[(point.product, point.destination)][point.period] = point
        matches = []
        for by_period in series.values():
            latest = by_period[max(by_period)]
            before = by_period.get(previous_month(latest.period))
            if before is None:
                continue
            match = self.judge(before, latest)
            if match is not None:
                matches.append(match)
        return matches

    def judge(self, before: TradePoint, latest: TradePoint) -> Match | None:
        """The alert for `latest` against the month `before` it, if the swing is big enough."""
        if min(before.tonnes, latest.tonnes) < self.min_tonnes or before.tonnes <= 0:
            return None
        change = (latest.tonnes - before.tonnes) / before.tonnes * 100
        # Round first so that "exactly 10%" in the data is 10%, not 9.999999999999998.
        if round(abs(change), 6) < self.threshold_pct:
            return None
        verb = "rose" if change > 0 else "fell"
        where = "worldwide" if latest.destination.upper() == "ALL" else f"to {latest.destination}"
        title = (f"China's {latest.product} exports {where} {verb} {abs(change):.0f}% "
                 f"in {latest.period}")
        facts = (
            ("Product", latest.product),
            ("Destination", latest.destination),
            ("Months", f"{before.period} → {latest.period}"),
            ("Tonnes", f"{_fmt_tonnes(before.tonnes)} → {_fmt_tonnes(latest.tonnes)}"),
            ("Change", f"{change:+.1f}%"),
        )
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=self.key(latest.series, latest.period),
            severity=swing_severity(change, self.threshold_pct),
            title=title,
            subject=latest.series,
            materials=materials_in(latest.product),
            facts=facts,
            reason=f"{change:+.1f}% month on month (threshold {self.threshold_pct:g}%)",
        )
