"""The weekly digest's context: the week read from the store into one frozen record (docs/alerts.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.digest.chart import (
    ExportSeries,
    build_series,
    chart_alt_text,
    chartable,
    month_name,
    months_before,
)
from bot.digest.outlook import (
    MaterialExposure,
    PolicyDate,
    exposure_by_material,
    policy_calendar,
)
from bot.digest.week import day_text, period, when
from bot.exposure import Part
from bot.materials import display_name
from bot.models import SEVERITIES, Alert, Licence, Link, StatusChange, severity_rank
from bot.policy.measures import Measure
from bot.store import Store
from bot.store import digests as repo

TOP_ALERTS = 10
EXPIRY_HORIZON_DAYS = 60
SOON_DAYS = 30
STALE_AFTER = timedelta(days=3)
SEVERITIES_DESC = tuple(reversed(SEVERITIES))  # critical first, as people read them


@dataclass(frozen=True)
class SeverityCount:
    severity: str
    count: int
    previous: int  # the week before, for "what changed"


@dataclass(frozen=True)
class MaterialCount:
    name: str
    counts: tuple[int, ...]  # in SEVERITIES_DESC order
    total: int


@dataclass(frozen=True)
class TopAlert:
    severity: str
    title: str
    meta: str  # materials · rule · when, one line
    state: str  # open, acknowledged by …, eased, resolved
    links: tuple[Link, ...]

    @property
    def settled(self) -> bool:
        return self.state in ("eased", "resolved")


@dataclass(frozen=True)
class Change:
    kind: str  # Restricted, Eased, Resolved, Renewed, Within 30 days, Status
    text: str
    link: str | None = None


@dataclass(frozen=True)
class ExpiringLicence:
    licence_id: str
    holder: str
    end_user: str
    destination: str
    material: str  # display name and form: "gadolinium (Gd) metal"
    expires: str
    days_left: int
    status: str
    urgency: str  # a severity, for colour: critical <= 7 days, high <= 30, warning above

    @property
    def days_text(self) -> str:
        return "today" if self.days_left == 0 else f"{self.days_left} day" + (
            "" if self.days_left == 1 else "s")


@dataclass(frozen=True)
class SourceProblem:
    name: str
    kind: str  # feed | source
    problem: str


@dataclass(frozen=True)
class DigestContext:
    """Everything the three renderings show; built once, so subject, text and HTML agree."""

    week: str  # ISO week the digest belongs to, e.g. 2026-W03 (sent once per week)
    period: str  # "Mon 5 Jan 07:30 – Mon 12 Jan 2026 07:30"
    generated: str
    timezone: str
    total: int
    previous_total: int
    severity_counts: tuple[SeverityCount, ...]
    by_material: tuple[MaterialCount, ...]
    top_alerts: tuple[TopAlert, ...]
    more_alerts: int
    changes: tuple[Change, ...]
    expiring: tuple[ExpiringLicence, ...]
    soon: int  # licences within SOON_DAYS
    series: tuple[ExportSeries, ...]
    charted: tuple[ExportSeries, ...]
    chart_alt: str
    months: str  # "Dec 2024 – Nov 2025"
    feeds_total: int
    problems: tuple[SourceProblem, ...]
    calendar: tuple[PolicyDate, ...] = ()
    exposure: tuple[MaterialExposure, ...] = ()

    @property
    def severities(self) -> tuple[str, ...]:
        return SEVERITIES_DESC

    @property
    def headline(self) -> str:
        """The short summary the subject and the preheader share."""
        parts = [f"{c.count} {c.severity}" for c in self.severity_counts
                 if c.count and c.severity in ("critical", "high")]
        alerts = ", ".join(parts) if parts else f"{self.total} alert" + (
            "" if self.total == 1 else "s")
        if self.soon:
            alerts += f"; {self.soon} licence" + (" expires" if self.soon == 1 else "s expire")
            alerts += f" within {SOON_DAYS} days"
        return alerts


def material_name(key: str) -> str:
    try:
        return display_name(key)
    except (KeyError, ValueError):
        return key  # a key the vocabulary no longer knows still deserves a row


def _counts(alerts: list[Alert], previous: list[Alert]) -> tuple[SeverityCount, ...]:
    now, before = Counter(a.severity for a in alerts), Counter(a.severity for a in previous)
    return tuple(SeverityCount(s, now[s], before[s]) for s in SEVERITIES_DESC)


def _by_material(alerts: list[Alert]) -> tuple[MaterialCount, ...]:
    table: dict[str, Counter[str]] = {}
    for a in alerts:
        for key in a.materials or ("",):
            table.setdefault(material_name(key) if key else "(no material)", Counter())[
                a.severity] += 1
    rows = [MaterialCount(name, tuple(c[s] for s in SEVERITIES_DESC), sum(c.values()))
            for name, c in table.items()]
    return tuple(sorted(rows, key=lambda r: (tuple(-n for n in r.counts), r.name == "(no material)",
                                             r.name.lower())))


def _top(alerts: list[Alert], tz: ZoneInfo) -> tuple[TopAlert, ...]:
    ranked = sorted(alerts, key=lambda a: (-severity_rank(a.severity), -a.created.timestamp()))
    out = []
    for a in ranked[:TOP_ALERTS]:
        state = a.state if a.state != "acknowledged" or not a.acked_by else (
            f"acknowledged by {a.acked_by}")
        meta = [", ".join(a.materials)] if a.materials else []
        meta += [a.rule_id, when(a.created, tz)]
        links = tuple(Link(link.url, link.label or urlsplit(link.url).hostname or link.url)
                      for link in a.sources[:3])
        out.append(TopAlert(a.severity, a.title, " · ".join(meta), state, links))
    return tuple(out)


def _licence_label(lic: Licence) -> str:
    return f"{lic.licence_id} ({lic.holder}, {material_name(lic.material)} {lic.form})"


def _changes(
    alerts: list[Alert], settled: list[Alert], renewals: list[tuple[Licence, Licence]],
    status: list[tuple[Licence, StatusChange]], entered: list[Licence], today: date,
) -> tuple[Change, ...]:
    """What moved this week, in the order a buyer cares: restrictions, easings, resolutions,
    renewals, licences newly inside 30 days, other status changes."""
    out: list[Change] = []
    for a in sorted(alerts, key=lambda a: a.created):
        if a.rule_type in ("news_restriction", "news_easing"):
            kind = "Restricted" if a.rule_type == "news_restriction" else "Eased"
            out.append(Change(kind, a.title, a.sources[0].url if a.sources else None))
    out += [Change("Eased" if a.state == "eased" else "Resolved", a.title) for a in settled]
    renewed: set[str] = set()
    for old, new in renewals:
        renewed.add(old.licence_id)
        until = f", valid until {day_text(new.expires)}" if new.expires else ""
        out.append(Change("Renewed", f"{_licence_label(old)} renewed by {new.licence_id}{until}"))
    for lic, sc in status:
        if sc.new_status == "renewed" and lic.licence_id not in renewed:
            out.append(Change("Renewed", f"{_licence_label(lic)} renewed"))
        elif sc.new_status != "renewed":
            move = f"{sc.old_status} → {sc.new_status}".replace("_", " ")
            out.append(Change("Status", f"{_licence_label(lic)}: {move}"))
    for lic in entered:
        assert lic.expires is not None
        out.append(Change("Within 30 days", f"{_licence_label(lic)} expires in "
                                            f"{lic.days_left(today)} days ({day_text(lic.expires)})"))
    order = ("Restricted", "Eased", "Resolved", "Renewed", "Within 30 days", "Status")
    return tuple(sorted(out, key=lambda c: order.index(c.kind)))


def _expiring(licences: list[Licence], today: date) -> tuple[ExpiringLicence, ...]:
    rows = []
    for lic in licences:
        days = lic.days_left(today)
        if days is None or lic.expires is None or not 0 <= days <= EXPIRY_HORIZON_DAYS:
            continue
        urgency = "critical" if days <= 7 else ("high" if days <= SOON_DAYS else "warning")
        rows.append(ExpiringLicence(
            lic.licence_id, lic.holder, lic.end_user, lic.destination,
            f"{material_name(lic.material)} {lic.form}", day_text(lic.expires), days,
            lic.status.replace("_", " "), urgency,
        ))
    return tuple(sorted(rows, key=lambda r: (r.days_left, r.licence_id)))


def _problem(h: repo.UnhealthySource, tz: ZoneInfo) -> SourceProblem:
    since = f"last success {when(h.last_success, tz, year=True)}" if h.last_success else (
        "never loaded successfully")
    error = (h.last_error or "").strip().replace("\n", " ")
    error = error if len(error) <= 160 else error[:159] + "…"
    if h.kind == "feed" and h.failures:
        text = f"failing ({h.failures} attempt{'s' if h.failures != 1 else ''} in a row); {since}"
    elif h.kind == "feed":
        text = f"stale: {since}"
    else:
        text = f"last load failed; {since}"
    return SourceProblem(h.name, h.kind, text + (f"; error: {error}" if error else ""))


def build_digest(
    store: Store, *, now: datetime, tz: ZoneInfo, week: str | None = None,
    policies: Sequence[Measure] = (), parts: Sequence[Part] = (),
) -> DigestContext:
    """Read the week from the store. `week` (2026-W03) reports that ISO week instead of the
    seven days up to `now`; days left and the 60-day horizon count from the period's end.
    `policies` is the register of the calendar, `parts` the exposure file's parts."""
    key, start, end = period(now, tz, week)
    today = end.astimezone(tz).date()
    last_month = months_before(today, 1)[0]
    with store.session() as s:
        alerts = repo.alerts_created(s, start, end)
        previous = repo.alerts_created(s, start - timedelta(days=7), start)
        settled = repo.alerts_settled(s, start, end)
        status = repo.status_changes(s, start, end)
        renewals = repo.renewed_by(s, repo.licences_first_seen(s, start, end))
        watched = repo.watched_licences(s)
        latest = repo.latest_trade_period(s, last_month)
        # 12 months ending at the newest figure: statistics appear weeks after the month.
        after_latest = date.fromisoformat(f"{latest or last_month}-01") + timedelta(days=32)
        months = months_before(after_latest, 12)
        series = build_series(repo.trade_points(s, months[0], months[-1]), months)
        feeds_total = repo.feed_count(s)
        health = repo.unhealthy_sources(s, end, STALE_AFTER)
    start_day = start.astimezone(tz).date()
    entered = [lic for lic in watched if lic.expires
               and start_day + timedelta(days=SOON_DAYS) < lic.expires
               <= today + timedelta(days=SOON_DAYS) and lic.expires >= today]
    expiring = _expiring(watched, today)
    charted = chartable(series)
    return DigestContext(
        week=key,
        period=f"{when(start, tz)} – {when(end, tz, year=True)}",
        generated=when(now, tz, year=True),
        timezone=str(tz),
        total=len(alerts),
        previous_total=len(previous),
        severity_counts=_counts(alerts, previous),
        by_material=_by_material(alerts),
        top_alerts=_top(alerts, tz),
        more_alerts=max(0, len(alerts) - TOP_ALERTS),
        changes=_changes(alerts, settled, renewals, status, entered, today),
        expiring=expiring,
        soon=sum(1 for e in expiring if e.days_left <= SOON_DAYS),
        series=series,
        charted=charted,
        chart_alt=chart_alt_text(charted),
        months=f"{month_name(months[0])} – {month_name(months[-1])}",
        feeds_total=feeds_total,
        problems=tuple(_problem(h, tz) for h in health),
        calendar=policy_calendar(policies, today),
        exposure=exposure_by_material(parts, watched, today),
    )
