"""Export series for the digest: 12-month windows with month-over-month change, and their chart."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.models import TradePoint

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_PANELS = 8
# One colour per customs series, so that "magnets" looks the same in every panel.
_PRODUCT_COLOURS = ("#1d4ed8", "#7c3aed", "#0f766e", "#b45309", "#be185d", "#4d7c0f")
_FALL, _RISE, _FLAT = "#b91c1c", "#15803d", "#4b5563"


def month_name(period: str, *, year: bool = True) -> str:
    """'2025-12' -> 'Dec 2025' (or 'Dec')."""
    y, m = period.split("-")
    return f"{MONTH_NAMES[int(m) - 1]} {y}" if year else MONTH_NAMES[int(m) - 1]


def months_before(day: date, count: int = 12) -> tuple[str, ...]:
    """The `count` whole months before `day`'s month, oldest first: statistics lag a month."""
    y, m = day.year, day.month
    out: list[str] = []
    for _ in range(count):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(f"{y:04d}-{m:02d}")
    return tuple(reversed(out))


def previous_month(period: str) -> str:
    y, m = (int(x) for x in period.split("-"))
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def tonnes(value: float) -> str:
    return f"{value:,.0f} t"


@dataclass(frozen=True)
class ExportSeries:
    """One product and destination over the window; `values` has None for unreported months."""

    product: str
    destination: str
    months: tuple[str, ...]
    values: tuple[float | None, ...]

    @property
    def label(self) -> str:
        where = "world" if self.destination.upper() == "ALL" else self.destination
        return f"{self.product} → {where}"

    @property
    def reported(self) -> int:
        return sum(v is not None for v in self.values)

    @property
    def latest_index(self) -> int:
        return max(i for i, v in enumerate(self.values) if v is not None)

    @property
    def latest_period(self) -> str:
        return self.months[self.latest_index]

    @property
    def latest_month(self) -> str:
        return month_name(self.latest_period)

    @property
    def latest_tonnes(self) -> float:
        value = self.values[self.latest_index]
        assert value is not None
        return value

    @property
    def previous_tonnes(self) -> float | None:
        """The month right before the latest: a swing is only between consecutive months."""
        i = self.latest_index
        return self.values[i - 1] if i > 0 else None

    @property
    def change_pct(self) -> float | None:
        prev = self.previous_tonnes
        if prev is None or prev == 0:
            return None
        return (self.latest_tonnes - prev) / prev * 100

    @property
    def change_text(self) -> str:
        """'−20.1% m/m', or why there is no change to show."""
        pct = self.change_pct
        if pct is None:
            return f"{month_name(previous_month(self.latest_period), year=False)} not reported"
        sign = "+" if pct > 0 else ("−" if pct < 0 else "±")
        return f"{sign}{abs(pct):.1f}% m/m"

    @property
    def direction(self) -> str:
        pct = self.change_pct
        return "flat" if pct is None or abs(pct) < 0.05 else ("down" if pct < 0 else "up")


def build_series(points: Iterable[TradePoint], months: Sequence[str]) -> tuple[ExportSeries, ...]:
    """One series per product and destination with a figure in the window: world totals first,
    then the destinations with the most reported months."""
    window = tuple(months)
    grouped: dict[tuple[str, str], dict[str, float]] = {}
    for p in points:
        if p.period in window:
            grouped.setdefault((p.product, p.destination), {})[p.period] = p.tonnes
    series = [
        ExportSeries(product, dest, window, tuple(by_month.get(m) for m in window))
        for (product, dest), by_month in grouped.items()
    ]
    return tuple(sorted(series, key=lambda s: (
        s.destination.upper() != "ALL", s.product, -s.reported, -s.latest_tonnes, s.destination,
    )))


def chartable(series: Sequence[ExportSeries]) -> tuple[ExportSeries, ...]:
    """Series worth a panel: at least two reported months; at most MAX_PANELS of them."""
    return tuple(s for s in series if s.reported >= 2)[:MAX_PANELS]


def chart_alt_text(series: Sequence[ExportSeries]) -> str:
    """What the chart shows, for images off and screen readers; the figures themselves are
    in the table under the chart, so the alt text does not repeat them."""
    if not series:
        return "No export series to chart."
    months = series[0].months
    return (f"Chart of monthly export tonnes, {month_name(months[0])} – {month_name(months[-1])}: "
            f"{len(series)} series ({'; '.join(s.label for s in series)}), one panel each. "
            "The latest months and their changes are in the table below.")


def _month_tick(months: Sequence[str]) -> FuncFormatter:
    def fmt(x: float, _pos: int | None) -> str:
        i = round(x)
        if not 0 <= i < len(months) or abs(x - i) > 1e-6:
            return ""
        y, m = months[i].split("-")
        return f"{MONTH_NAMES[int(m) - 1]} ’{y[2:]}"

    return FuncFormatter(fmt)


def render_chart(series: Sequence[ExportSeries], *, width_px: int = 600, scale: int = 2) -> bytes:
    """Small multiples, one panel per series with its own scale (a world total and one
    country differ tenfold), drawn at `scale`x for sharp display at `width_px`.

    Missing months are gaps in the line; isolated months still show as dots. The latest
    month is labelled with its tonnes and month-over-month change.
    """
    # The mail's own sans-serif where installed, so the chart reads like the text around it.
    with rc_context({"font.family": "sans-serif",
                     "font.sans-serif": ["Helvetica", "Arial", "Liberation Sans", "DejaVu Sans"]}):
        return _render(series, width_px, scale)


def _render(series: Sequence[ExportSeries], width_px: int, scale: int) -> bytes:
    cols = 1 if len(series) == 1 else 2
    rows = max(1, math.ceil(len(series) / cols))
    dpi = 100 * scale
    width_in = width_px / 100
    fig = Figure(figsize=(width_in, 0.3 + rows * 1.9), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    products = sorted({s.product for s in series})
    colour = {p: _PRODUCT_COLOURS[i % len(_PRODUCT_COLOURS)] for i, p in enumerate(products)}
    if not series:
        fig.text(0.5, 0.5, "No export figures in the last 12 months", ha="center", va="center",
                 fontsize=10, color=_FLAT)
    for n, s in enumerate(series):
        ax = fig.add_subplot(rows, cols, n + 1)
        _panel(ax, s, colour[s.product])
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.1 if cols == 2 else 0.08, right=0.97, top=1 - 0.32 / height,
                        bottom=0.35 / height, wspace=0.3, hspace=0.55)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _panel(ax: object, s: ExportSeries, colour: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    xs = list(range(len(s.months)))
    ys = [math.nan if v is None else v for v in s.values]
    ax.plot(xs, ys, color=colour, linewidth=1.8, marker="o", markersize=3.2, solid_capstyle="round")
    i, last = s.latest_index, s.latest_tonnes
    ax.plot([i], [last], marker="o", markersize=5.5, color=colour, markeredgecolor="white",
            markeredgewidth=1.0)
    top = max(v for v in s.values if v is not None)
    ax.set_ylim(0, top * 1.65)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    tone = {"down": _FALL, "up": _RISE}.get(s.direction, _FLAT)
    ax.set_title(s.label, loc="left", fontsize=10.5, fontweight="bold", color="#111827", pad=5)
    # The latest month's figure sits in the headroom above the data, so it never hides a point.
    ax.text(0.99, 0.97, f"{month_name(s.latest_period, year=False)}: {last:,.0f} t",
            transform=ax.transAxes, ha="right", va="top", fontsize=9.5, fontweight="bold",
            color="#111827")
    ax.text(0.99, 0.80, s.change_text, transform=ax.transAxes, ha="right", va="top",
            fontsize=9.5, fontweight="bold", color=tone)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, steps=[1, 2, 3, 4, 6]))
    ax.xaxis.set_major_formatter(_month_tick(s.months))
    ax.set_xticks(xs, minor=True)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3, min_n_ticks=2))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.tick_params(labelsize=8.5, colors="#4b5563", length=2.5)
    ax.tick_params(which="minor", length=1.5)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9ca3af")
