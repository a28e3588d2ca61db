"""`policy [<material>]` and `exposure [<material>]`: the register's measures with their next
date, and the buyer's parts with days of cover and the licences behind them."""

from __future__ import annotations

from bot.exposure import Part, depends_on
from bot.materials import display_name
from bot.policy.measures import Measure
from bot.slack_app.blocks import Reply, ReplyBuilder, clip, esc, simple
from bot.slack_app.commands.ask import Ask
from bot.slack_app.commands.parse import parse_materials
from bot.store.licences import current_licences

LIST_ITEMS = 25
_LIVE = ("announced", "in_force", "suspended", "lapsed")


def _wanted(rest: str) -> tuple[str, ...] | Reply:
    """The materials asked about ((): all), or a reply saying what was not understood."""
    if not rest:
        return ()
    found = parse_materials(rest)
    if not found.keys:
        problem = found.problems[0] if found.problems else f"{rest!r} names no material"
        return simple(f":thinking_face: {esc(problem)}.")
    return found.keys


def _concerns(asked: tuple[str, ...], materials: tuple[str, ...]) -> bool:
    """A question on Dy concerns a measure on the rare earths, and one on magnets their Dy."""
    return not asked or any(m in depends_on(q) or q in depends_on(m)
                            for q in asked for m in materials)


def measure_line(measure: Measure, ask: Ask) -> str:
    arrow = {"restrict": "🔒", "ease": "🔓"}.get(measure.direction, "•")
    materials = ", ".join(measure.materials)
    return (f"{arrow} *{clip(esc(measure.instrument), 200)}* · {esc(materials)} · "
            f"{esc(measure.describe(ask.today))}")


def policy(ask: Ask, rest: str) -> Reply:
    asked = _wanted(rest)
    if isinstance(asked, Reply):
        return asked
    live = [m for m in ask.policies
            if m.state(ask.today) in _LIVE and _concerns(asked, m.materials)]
    # The next date first: what is about to change is what a buyer asks for.
    live.sort(key=lambda m: (m.next_change(ask.today) is None,
                             getattr(m.next_change(ask.today), "day", ask.today), m.id))
    title = "Policy register" + (f" · {', '.join(display_name(k) for k in asked)}" if asked else "")
    reply = ReplyBuilder().header(title)
    if not live:
        reply.section("No measure in the register is in force, suspended or upcoming for that."
                      if asked else "The policy register holds no live measure.")
        return reply.build()
    reply.lines((measure_line(m, ask) for m in live), len(live), noun="measures")
    reply.context(f"{len(live)} measure{'s' if len(live) != 1 else ''} in force, suspended or "
                  f"upcoming · next date first · as of {ask.today:%Y-%m-%d}")
    return reply.build()


def part_line(part: Part, licence_text: str) -> str:
    cover = part.cover_days
    text = f"*{clip(esc(part.part), 80)}* · {esc(part.material)}"
    if part.supplier:
        text += f" from {clip(esc(part.supplier), 80)}"
    text += " · " + (f"*{cover:.0f} days of cover*" if cover is not None else "no monthly use")
    if part.lead_time_days is not None:
        text += f" (lead time {part.lead_time_days} days)"
    if part.short_of_lead_time:
        text += " · :warning: below lead time"
    return text + (f" · {licence_text}" if licence_text else "")


def exposure(ask: Ask, rest: str) -> Reply:
    asked = _wanted(rest)
    if isinstance(asked, Reply):
        return asked
    parts = [p for p in ask.parts if not asked or not set(asked).isdisjoint(depends_on(p.material))]
    parts.sort(key=lambda p: (p.cover_days is None, p.cover_days or 0.0, p.part))
    title = "Exposure" + (f" · {', '.join(display_name(k) for k in asked)}" if asked else "")
    reply = ReplyBuilder().header(title)
    if not parts:
        reply.section("No part in the exposure file depends on that." if ask.parts else
                      "No exposure file is configured (`exposure:` in chokepoint.yaml).")
        return reply.build()
    with ask.store.reader() as s:
        licences = {lic.licence_id: lic for lic in current_licences(s)}

    def licence_text(part: Part) -> str:
        lic = licences.get(part.licence_id)
        if lic is None:
            return f"licence {esc(part.licence_id)} (not in the register)" if part.licence_id else ""
        left = lic.days_left(ask.today)
        when = f", {left} days left" if left is not None and left >= 0 else ""
        return f"licence {esc(lic.licence_id)} ({esc(lic.status.replace('_', ' '))}{when})"

    reply.lines((part_line(p, licence_text(p)) for p in parts[:LIST_ITEMS]), len(parts),
                noun="parts")
    reply.context("Days of cover = on hand / monthly use × 30 · lowest cover first")
    return reply.build()
