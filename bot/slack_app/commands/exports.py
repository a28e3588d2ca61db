"""`exports <product> [<destination>]`: the last six months with month-over-month change."""

from __future__ import annotations

from bot.slack_app import queries
from bot.slack_app.blocks import Reply, ReplyBuilder, esc, simple
from bot.slack_app.commands.ask import Ask
from bot.slack_app.commands.parse import match_product, split_destination

MONTHS = 6


def _shift(period: str, months: int) -> str:
    """'2025-01' shifted by -1 -> '2024-12'."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def change_text(previous: tuple[str, float] | None, current: tuple[str, float]) -> str:
    """'+12.3%' between consecutive months; a gap or a zero base has no change (docs/formats.md)."""
    if previous is None or _shift(previous[0], 1) != current[0]:
        return "n/a (gap)" if previous is not None else "—"
    if previous[1] == 0:
        return "—"
    pct = (current[1] - previous[1]) / previous[1] * 100
    arrow = "▲" if pct > 0 else "▼" if pct < 0 else "="
    return f"{arrow} {pct:+.1f}%"


def _table(rows: list[tuple[str, float]], before: tuple[str, float] | None) -> str:
    lines = [f"{'month':<8} {'tonnes':>10}  m/m"]
    previous = before
    for period, tonnes in rows:
        lines.append(f"{period:<8} {tonnes:>10,.1f}  {change_text(previous, (period, tonnes))}")
        previous = (period, tonnes)
    return "```" + "\n".join(lines) + "```"


def exports(ask: Ask, rest: str) -> Reply:
    with ask.store.reader() as s:
        products = queries.trade_products(s)
    if not products:
        return simple("No export statistics are loaded yet (see `trade.source` in the "
                      "configuration).")
    known = ", ".join(f"`{esc(p)}`" for p in products)
    if not rest:
        return simple(f"Which product? One of {known}; for example "
                      "`/chokepoint exports magnets US`.")
    matches = match_product(rest, products)
    destination = "ALL"
    if not matches:
        text, code = split_destination(rest)
        matches = match_product(text, products) if code else []
        destination = code or destination
    if len(matches) != 1:
        what = "could be " + " or ".join(f"`{esc(p)}`" for p in matches) if matches else \
            "is no product I know"
        return simple(f":thinking_face: “{esc(rest[:80])}” {what}. Products: {known}.")
    product = matches[0]
    with ask.store.reader() as s:
        destinations = queries.trade_destinations(s, product)
        if destination not in destinations:
            where = ", ".join(f"`{esc(d)}`" for d in destinations)
            return simple(f"No figures for {esc(product)} to `{esc(destination)}`. "
                          f"Destinations with figures: {where}.")
        series = queries.trade_months(s, product, destination, MONTHS + 1)
    # Calendar months, not data points: a missing month leaves a hole rather than reaching
    # further back, and the month just before the window gives the first row its change.
    first = _shift(series[-1][0], -(MONTHS - 1))
    before = next((p for p in series if p[0] == _shift(first, -1)), None)
    rows = [p for p in series if p[0] >= first]
    place = "all destinations" if destination == "ALL" else f"→ {destination}"
    reply = ReplyBuilder().header(f"Exports · {product} · {place}")
    reply.section(_table(rows, before))
    latest = rows[-1]
    prior = rows[-2] if len(rows) > 1 else before
    reply.section(f"Latest month *{latest[0]}*: *{latest[1]:,.1f} t* "
                  f"({change_text(prior, latest)} on the month before)")
    others = [d for d in destinations if d != destination]
    if others:
        reply.context("Other destinations: " + ", ".join(f"`{esc(d)}`" for d in others))
    return reply.build()
