"""`status <material>`, `licences [...] [expiring N]` and `alerts [<material>]`."""

from __future__ import annotations

from bot.materials import MATERIALS, display_name
from bot.slack_app import queries
from bot.slack_app.blocks import Reply, ReplyBuilder, alert_line, esc, licence_line, simple
from bot.slack_app.commands.ask import Ask
from bot.slack_app.commands.parse import Materials, parse_materials, split_expiring
from bot.store.subscriptions import subscriptions_of

STATUS_ITEMS = 5
LIST_ITEMS = 20
ALERT_ITEMS = 15
SOON_DAYS = 60


def _names(keys: tuple[str, ...]) -> str:
    return ", ".join(display_name(k) for k in keys)


def _materials_or_problem(rest: str, example: str) -> Materials | Reply:
    if not rest:
        return simple(f"Which material? For example `/chokepoint {example}`.")
    found = parse_materials(rest)
    if not found.keys:
        problem = found.problems[0] if found.problems else f"{rest!r} names no material"
        return simple(f":thinking_face: {esc(problem)}.")
    return found


def status(ask: Ask, rest: str) -> Reply:
    found = _materials_or_problem(rest, "status dysprosium")
    if isinstance(found, Reply):
        return found
    keys = found.keys
    with ask.store.reader() as s:
        open_page, news_page = queries.material_alerts(s, keys, limit=STATUS_ITEMS)
        lic_page = queries.licences(s, today=ask.today, materials=keys, limit=STATUS_ITEMS)
        soon = queries.licences(s, today=ask.today, materials=keys, expiring_within=SOON_DAYS,
                                limit=0).total
        mine = set(subscriptions_of(s, ask.user))
    reply = ReplyBuilder().header(f"Status · {_names(keys)}")
    controls = [f"*{esc(display_name(k))}* · China's export control: "
                f"{esc(MATERIALS[k].china_control)}"
                for k in keys if MATERIALS[k].china_control]
    if controls:
        reply.section("\n".join(controls))
    for problem in found.problems:
        reply.context(f"Skipped: {esc(problem)}")
    reply.section(f"*Open alerts* ({open_page.total})" if open_page.total
                  else "*Open alerts*: none")
    reply.lines((alert_line(a, ask.now) for a in open_page.items), open_page.total,
                noun="open alerts")
    reply.section(f"*Latest news* ({news_page.total})" if news_page.total
                  else "*Latest news*: nothing recorded yet")
    reply.lines((alert_line(a, ask.now) for a in news_page.items), news_page.total,
                noun="news items")
    if lic_page.total:
        reply.section(f"*Licences* ({lic_page.total} on record, {soon} expiring within "
                      f"{SOON_DAYS} days)")
        reply.lines((licence_line(lic, ask.today) for lic in lic_page.items), lic_page.total,
                    noun="licences")
    else:
        reply.section("*Licences*: none on record")
    missing = [k for k in keys if k not in mine]
    if missing:
        reply.context(f"Get a DM for new alerts: `/chokepoint subscribe {' '.join(missing)}`")
    return reply.build()


def licences(ask: Ask, rest: str) -> Reply:
    query, days = split_expiring(rest)
    materials: tuple[str, ...] = ()
    holder: str | None = None
    if query:
        found = parse_materials(query)
        # A clean material list filters by material; anything else is part of a holder name
        # ("China Northern Rare Earth" names REE but means the company).
        if found.keys and not found.problems:
            materials = found.keys
        else:
            holder = query
    with ask.store.reader() as s:
        page = queries.licences(s, today=ask.today, materials=materials, holder=holder,
                                expiring_within=days, limit=LIST_ITEMS)
    title = "Licences"
    if materials:
        title += f" · {_names(materials)}"
    if holder:
        title += f" · “{holder[:60]}”"
    if days is not None:
        title += f" · expiring within {days} days"
    reply = ReplyBuilder().header(title)
    if not page.total:
        which = "matching licences" if (materials or holder) else "licences"
        if days is not None:
            reply.section(f"No {which} expire within {days} days.")
        else:
            reply.section("No licences match." if which != "licences" else
                          "No licences are on record.")
        reply.context("Search by holder (any part of the name), licence id or material; "
                      "add `expiring 30` for those running out within 30 days.")
        return reply.build()
    reply.lines((licence_line(lic, ask.today) for lic in page.items), page.total,
                noun="licences")
    reply.context(f"{page.total} licence{'s' if page.total != 1 else ''} · soonest expiry first "
                  f"· days left counted from {ask.today:%Y-%m-%d} ({ask.tz.key})")
    return reply.build()


def alerts(ask: Ask, rest: str) -> Reply:
    keys: tuple[str, ...] | None = None
    if rest:
        found = _materials_or_problem(rest, "alerts Dy")
        if isinstance(found, Reply):
            return found
        keys = found.keys
    with ask.store.reader() as s:
        page = queries.open_alerts(s, materials=keys, limit=ALERT_ITEMS)
    title = "Open alerts" + (f" · {_names(keys)}" if keys else "")
    reply = ReplyBuilder().header(title)
    if not page.total:
        reply.section(":white_check_mark: No open alerts: everything is acknowledged, snoozed "
                      "or resolved.")
        return reply.build()
    reply.lines((alert_line(a, ask.now) for a in page.items), page.total, noun="open alerts")
    reply.context(f"{page.total} open · newest first · acknowledge or snooze them on the alert "
                  "messages")
    return reply.build()
