"""The weekly digest (SPEC §8): one context from the store, rendered as subject, text and HTML."""

from __future__ import annotations

import base64
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.channels.base import DeliveryError
from bot.channels.email import EmailSender, address_of, base_message, new_message_id
from bot.config import EmailConfig
from bot.digest_chart import (
    ExportSeries,
    build_series,
    chart_alt_text,
    chartable,
    month_name,
    months_before,
    render_chart,
)
from bot.materials import display_name
from bot.models import SEVERITIES, Alert, Licence, Link, severity_rank
from bot.store import Store
from bot.store import digests as repo
from bot.templates import environment

log = logging.getLogger(__name__)

TOP_ALERTS = 10
EXPIRY_HORIZON_DAYS = 60
SOON_DAYS = 30
STALE_AFTER = timedelta(days=3)
SEVERITIES_DESC = tuple(reversed(SEVERITIES))  # critical first, as people read them
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


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


def iso_week(moment: datetime, tz: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def _period(now: datetime, tz: ZoneInfo, week: str | None) -> tuple[str, datetime, datetime]:
    """The week's key and [start, end): an explicit ISO week runs Monday to Monday in `tz`
    (cut at `now` while it lasts); otherwise the seven days up to `now`."""
    if week is None:
        return iso_week(now, tz), now - timedelta(days=7), now
    m = _WEEK_RE.match(week)
    if not m:
        raise ValueError(f"{week!r} is not an ISO week; write it as 2026-W03")
    monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    start = datetime.combine(monday, time(0), tz)
    return week, start, min(start + timedelta(days=7), now)


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _when(moment: datetime, tz: ZoneInfo, *, year: bool = False) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}" + (f" {local:%Y}" if year else "") + \
        f" {local:%H:%M}"


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
        meta += [a.rule_id, _when(a.created, tz)]
        links = tuple(Link(link.url, link.label or urlsplit(link.url).hostname or link.url)
                      for link in a.sources[:3])
        out.append(TopAlert(a.severity, a.title, " · ".join(meta), state, links))
    return tuple(out)


def _licence_label(lic: Licence) -> str:
    return f"{lic.licence_id} ({lic.holder}, {material_name(lic.material)} {lic.form})"


def _changes(
    alerts: list[Alert], settled: list[Alert], renewals: list[tuple[Licence, Licence]],
    status: list[repo.StatusChange], entered: list[Licence], today: date,
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
        until = f", valid until {_day(new.expires)}" if new.expires else ""
        out.append(Change("Renewed", f"{_licence_label(old)} renewed by {new.licence_id}{until}"))
    for sc in status:
        if sc.new_status == "renewed" and sc.licence.licence_id not in renewed:
            out.append(Change("Renewed", f"{_licence_label(sc.licence)} renewed"))
        elif sc.new_status != "renewed":
            move = f"{sc.old_status} → {sc.new_status}".replace("_", " ")
            out.append(Change("Status", f"{_licence_label(sc.licence)}: {move}"))
    for lic in entered:
        assert lic.expires is not None
        out.append(Change("Within 30 days", f"{_licence_label(lic)} expires in "
                                            f"{lic.days_left(today)} days ({_day(lic.expires)})"))
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
            f"{material_name(lic.material)} {lic.form}", _day(lic.expires), days,
            lic.status.replace("_", " "), urgency,
        ))
    return tuple(sorted(rows, key=lambda r: (r.days_left, r.licence_id)))


def _problem(h: repo.SourceHealth, tz: ZoneInfo) -> SourceProblem:
    since = f"last success {_when(h.last_success, tz, year=True)}" if h.last_success else (
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
    store: Store, *, now: datetime, tz: ZoneInfo, week: str | None = None
) -> DigestContext:
    """Read the week from the store. `week` (2026-W03) reports that ISO week instead of the
    seven days up to `now`; days left and the 60-day horizon count from the period's end."""
    key, start, end = _period(now, tz, week)
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
        period=f"{_when(start, tz)} – {_when(end, tz, year=True)}",
        generated=_when(now, tz, year=True),
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
    )


# --- rendering and sending -----------------------------------------------------------------

@dataclass(frozen=True)
class RenderedDigest:
    """The three renderings and the images the HTML references by Content-ID."""

    week: str
    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict, hash=False)  # cid (no <>) -> PNG


def render_digest(ctx: DigestContext, *, inline_images: bool = False) -> RenderedDigest:
    """Subject, text and HTML from one context. The chart is referenced as `cid:` for e-mail,
    or embedded as a data: URI with `inline_images` (a file that is viewable alone)."""
    images: dict[str, bytes] = {}
    chart_src = ""
    if ctx.charted:
        png = render_chart(ctx.charted)
        if inline_images:
            chart_src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        else:
            cid = f"exports-{ctx.week}@chokepoint"
            images[cid], chart_src = png, f"cid:{cid}"
    text_env = environment("text")
    subject = " ".join(text_env.get_template("digest/subject.j2").render(d=ctx).split())
    text = text_env.get_template("digest/text.j2").render(d=ctx)
    html = environment("html").get_template("digest/html.j2").render(
        d=ctx, subject=subject, chart_src=chart_src)
    return RenderedDigest(ctx.week, subject, text.rstrip() + "\n", html, images)


def digest_message(
    rendered: RenderedDigest, *, sender: str, recipients: Sequence[str], now: datetime,
    message_id: str | None = None,
) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + the PNG parts)."""
    msg = base_message(rendered.subject, sender=sender, to=recipients, now=now,
                       message_id=message_id or new_message_id(f"digest.{rendered.week}", sender))
    msg["List-Unsubscribe"] = f"<mailto:{address_of(sender)}?subject=unsubscribe>"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for cid, png in rendered.images.items():
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", disposition="inline",
                              filename="exports.png")
    return msg


def write_digest_html(store: Store, path: Path | str, *, now: datetime, tz: ZoneInfo) -> Path:
    """`chokepoint digest --out FILE`: the digest's HTML with the chart embedded."""
    rendered = render_digest(build_digest(store, now=now, tz=tz), inline_images=True)
    out = Path(path)
    out.write_text(rendered.html, encoding="utf-8")
    return out


def send_weekly_digest(
    store: Store, sender: EmailSender, config: EmailConfig, *, now: datetime, tz: ZoneInfo,
) -> Literal["sent", "already_sent", "failed"]:
    """Send this ISO week's digest once. A restart does not send it twice (a claim in the
    store); a failure is recorded and the next call tries again with the same Message-ID."""
    recipients = list(config.digest.recipients) if config.digest else []
    if not recipients:
        log.error("digest not sent: email.digest.recipients is empty")
        return "failed"
    week = iso_week(now, tz)
    lease = max(timedelta(minutes=5), config.timeout * 4)
    with store.session() as s:
        claim = repo.claim_digest(s, week, now, lease=lease,
                                  message_id=new_message_id(f"digest.{week}", config.sender))
    if claim.outcome != "claimed":
        log.info("digest %s %s", week, "already sent" if claim.outcome == "sent"
                 else "is being sent by another process")
        return "already_sent"
    try:
        rendered = render_digest(build_digest(store, now=now, tz=tz))
        sender.send(digest_message(rendered, sender=config.sender, recipients=recipients,
                                   now=now, message_id=claim.message_id))
    except DeliveryError as exc:
        with store.session() as s:
            repo.mark_digest_failed(s, week, str(exc))
        log.warning("digest %s not sent (attempt %d, retried on the next run): %s",
                    week, claim.attempts, exc)
        return "failed"
    except Exception as exc:
        # A bug in rendering must not leave the claim held until its lease runs out.
        with store.session() as s:
            repo.mark_digest_failed(s, week, f"{type(exc).__name__}: {exc}")
        log.exception("digest %s could not be built", week)
        return "failed"
    with store.session() as s:
        repo.mark_digest_sent(s, week, now)
    log.info("digest %s sent to %d recipient(s)", week, len(recipients))
    return "sent"
