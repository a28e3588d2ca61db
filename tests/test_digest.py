"""The weekly digest (SPEC §8): content of a fixed week (golden file), the e-mail, sent once a week.

Rewrite the golden file after an intended change with CHOKEPOINT_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import threading
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.channels.email import EmailSender
from bot.config import DigestConfig, EmailConfig
from bot.digest.chart import ExportSeries, build_series, render_chart
from bot.digest.context import build_digest
from bot.digest.render import render_digest, write_digest_html
from bot.digest.send import digest_message, send_weekly_digest
from bot.digest.week import iso_week
from bot.models import TradePoint
from bot.store import Store
from bot.store import digests as repo
from bot.store.schema import DigestRow, LicenceRow
from tests.helpers.digest_week import NOW, TZ, WEEK, add_alert, load_week
from tests.peers.smtp import SmtpPeer

GOLDEN = Path(__file__).parent / "golden" / "digest_2026-W03.txt"
RECIPIENTS = ["head.of.procurement@example.com", "coo@example.com"]
SENDER = "Chokepoint <alerts@example.com>"


@pytest.fixture
def week_store(store: Store) -> Store:
    load_week(store)
    return store


def email_config(peer: SmtpPeer, **kw: Any) -> EmailConfig:
    return EmailConfig(smtp_host=peer.host, smtp_port=peer.port, security="none", sender=SENDER,
                       timeout=timedelta(seconds=5), digest=DigestConfig(recipients=RECIPIENTS),
                       **kw)


# --- content -------------------------------------------------------------------------------

def test_text_rendering_of_the_fixed_week_matches_the_golden_file(week_store: Store) -> None:
    rendered = render_digest(build_digest(week_store, now=NOW, tz=TZ))
    got = f"Subject: {rendered.subject}\n\n{rendered.text}"
    if os.environ.get("CHOKEPOINT_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(
            want.splitlines(keepends=True), got.splitlines(keepends=True),
            fromfile=str(GOLDEN.name), tofile="rendered now"))
        pytest.fail("the digest text changed (CHOKEPOINT_UPDATE_GOLDEN=1 rewrites it):\n" + diff,
                    pytrace=False)


def test_licences_expiring_are_sorted_by_days_left_and_closed_ones_left_out(
    week_store: Store,
) -> None:
    ctx = build_digest(week_store, now=NOW, tz=TZ)
    assert [(e.licence_id, e.days_left) for e in ctx.expiring] == [
        ("TEST-DU-2025-000162", 7), ("TEST-DU-2025-000230", 29), ("TEST-DU-2025-000177", 47),
    ]  # 000101 (renewed) would have 2 days left; 000305 (expired) and 000215 (denied) are out
    assert [e.urgency for e in ctx.expiring] == ["critical", "high", "warning"]


def test_pending_and_settled_licences_are_not_on_the_expiring_list(store: Store) -> None:
    # Only a watched licence (active or renewal filed) is one a buyer has to act on: a pending
    # application authorises nothing yet, so its date is not an expiry to watch.
    with store.session() as s:
        for lid, status in [("L-ACTIVE", "active"), ("L-FILED", "renewal_filed"),
                            ("L-PENDING", "pending"), ("L-RENEWED", "renewed"),
                            ("L-DENIED", "denied"), ("L-REVOKED", "revoked")]:
            s.add(LicenceRow(licence_id=lid, holder="H", end_user="", licence_type="temporary",
                             material="Dy", form="oxide", destination="", issued=None,
                             expires=date(2026, 1, 30), status=status, first_seen=NOW,
                             updated=NOW, removed=None))
    ids = [e.licence_id for e in build_digest(store, now=NOW, tz=TZ).expiring]
    assert ids == ["L-ACTIVE", "L-FILED"]


def test_days_left_count_in_the_configured_time_zone(store: Store) -> None:
    with store.session() as s:
        s.add(LicenceRow(licence_id="L1", holder="H", end_user="", licence_type="temporary",
                         material="Dy", form="oxide", destination="", issued=None,
                         expires=date(2026, 1, 20), status="active", first_seen=NOW,
                         updated=NOW, removed=None))
    late_evening_utc = datetime(2026, 1, 12, 23, 30, tzinfo=UTC)  # already the 13th in Berlin
    [berlin] = build_digest(store, now=late_evening_utc, tz=TZ).expiring
    [utc] = build_digest(store, now=late_evening_utc, tz=UTC).expiring  # type: ignore[arg-type]
    assert (berlin.days_left, utc.days_left) == (7, 8)


def test_what_changed_lists_restrictions_renewals_the_30_day_window_and_status(
    week_store: Store,
) -> None:
    changes = [(c.kind, c.text) for c in build_digest(week_store, now=NOW, tz=TZ).changes]
    assert [kind for kind, _ in changes] == ["Restricted", "Renewed", "Within 30 days", "Status"]
    assert "renewed by TEST-DU-2026-000042, valid until Thu 9 Jul 2026" in changes[1][1]
    assert changes[2][1].startswith("TEST-DU-2025-000230") and "29 days" in changes[2][1]
    assert changes[3][1].endswith("active → renewal filed")


def test_an_explicit_iso_week_reports_that_week(week_store: Store) -> None:
    ctx = build_digest(week_store, now=NOW, tz=TZ, week="2026-W01")
    assert ctx.week == "2026-W01"
    assert ctx.period == "Mon 29 Dec 00:00 – Mon 5 Jan 2026 00:00"
    assert [a.title for a in ctx.top_alerts] == [
        "Licence TEST-DU-2025-000305 (lutetium oxide) has expired",
        "Licence TEST-DU-2025-000177 (terbium metal) expires in 60 days",
    ]
    with pytest.raises(ValueError, match="2026-W03"):
        build_digest(week_store, now=NOW, tz=TZ, week="2026-3")


def test_an_empty_store_still_renders_a_readable_digest(store: Store) -> None:
    rendered = render_digest(build_digest(store, now=NOW, tz=TZ))
    assert rendered.subject == "Chokepoint weekly digest 2026-W03: 0 alerts"
    assert "No alerts this week." in rendered.text
    assert "No licence expires in the next 60 days." in rendered.text
    assert "No export figures in the last 12 months." in rendered.html
    assert rendered.images == {} and "cid:" not in rendered.html


def test_headlines_arrive_escaped_in_the_html(week_store: Store, smtp_peer: SmtpPeer) -> None:
    with week_store.session() as s:
        add_alert(s, key="evil", rule_id="export-controls", rule_type="news_restriction",
                  severity="critical", title='<script>alert("x")</script> <!channel> Dy ban',
                  subject="story:evil", materials=["Dy"], created=NOW - timedelta(hours=1),
                  sources=[{"url": "https://evil.example/?a=1&b=<2>", "label": "<b>x</b>"}],
                  state="open")
    cfg = email_config(smtp_peer)
    assert send_weekly_digest(week_store, EmailSender(cfg, None), cfg, now=NOW, tz=TZ) == "sent"

    [got] = smtp_peer.messages
    html = body(got.message, "html")
    assert "<script" not in html and "<!channel>" not in html and "<b>x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;!channel&gt; Dy ban" in html
    assert 'href="https://evil.example/?a=1&amp;b=&lt;2&gt;"' in html
    assert '<script>alert("x")</script> <!channel> Dy ban' in body(got.message, "plain")


def test_latest_month_change_is_only_computed_between_consecutive_months() -> None:
    months = ("2025-09", "2025-10", "2025-11")
    pts = [TradePoint(period, "magnets", dest, tonnes) for period, dest, tonnes in (
        ("2025-09", "US", 420.5), ("2025-10", "US", 656), ("2025-11", "US", 582),
        ("2025-09", "JP", 228), ("2025-11", "JP", 305))]
    by_destination = {s.destination: s for s in build_series(pts, months)}
    us, jp = by_destination["US"], by_destination["JP"]
    assert (us.destination, us.change_text) == ("US", "−11.3% m/m")
    assert (jp.values, jp.change_text) == ((228, None, 305), "Oct not reported")


def test_the_chart_is_a_png_sharp_at_600_pixels() -> None:
    series = ExportSeries("rare earths", "ALL", ("2025-10", "2025-11"), (4343.5, 5493.9))
    png = Image.open(io.BytesIO(render_chart((series, series))))
    assert png.format == "PNG" and png.width == 1200  # 600 CSS pixels at 2x


# --- the e-mail ----------------------------------------------------------------------------

def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content())


def _cids_in_html(msg: EmailMessage) -> set[str]:
    return set(re.findall(r'src="cid:([^"]+)"', body(msg, "html")))


def test_digest_message_is_text_and_html_with_the_chart_by_content_id(week_store: Store) -> None:
    rendered = render_digest(build_digest(week_store, now=NOW, tz=TZ))
    msg = digest_message(rendered, sender=SENDER, recipients=RECIPIENTS, now=NOW)

    assert msg.get_content_type() == "multipart/alternative"
    text, related = msg.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, *images = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert [i.get_content_type() for i in images] == ["image/png"]
    assert _cids_in_html(msg) == {i["Content-ID"].strip("<>") for i in images}
    assert msg["List-Unsubscribe"] == "<mailto:alerts@example.com?subject=unsubscribe>"
    assert msg["Date"] == "Mon, 12 Jan 2026 06:30:00 +0000"
    assert msg["Message-ID"].endswith("@example.com>")


def test_write_digest_html_embeds_the_chart_so_the_file_stands_alone(
    week_store: Store, tmp_path: Path
) -> None:
    out = write_digest_html(week_store, tmp_path / "digest.html", now=NOW, tz=TZ)
    html = out.read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in html and "cid:" not in html
    assert "TEST-DU-2025-000162" in html
    assert 'alt="Chart of monthly export tonnes, Dec 2024 – Nov 2025: 6 series' in html


def test_digest_arrives_at_every_recipient(week_store: Store, smtp_peer: SmtpPeer) -> None:
    cfg = email_config(smtp_peer)
    assert send_weekly_digest(week_store, EmailSender(cfg, None), cfg, now=NOW, tz=TZ) == "sent"

    [got] = smtp_peer.messages
    assert sorted(got.rcpt_tos) == sorted(RECIPIENTS)
    assert got.mail_from == "alerts@example.com"
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == (
        "Chokepoint weekly digest 2026-W03: 2 critical, 2 high; 2 licences expire within 30 days")
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content().startswith(b"\x89PNG")
    assert _cids_in_html(msg) == {images[0]["Content-ID"].strip("<>")}


def test_an_smtp_outage_is_retried_and_the_week_is_sent_exactly_once(
    week_store: Store, smtp_peer: SmtpPeer, tmp_path: Path
) -> None:
    cfg = email_config(smtp_peer)
    sender = EmailSender(cfg, None)
    smtp_peer.down()
    assert send_weekly_digest(week_store, sender, cfg, now=NOW, tz=TZ) == "failed"
    smtp_peer.up()
    smtp_peer.fail_next(1, code=421)  # back, but still overloaded
    later = NOW + timedelta(minutes=15)
    assert send_weekly_digest(week_store, sender, cfg, now=later, tz=TZ) == "failed"
    assert send_weekly_digest(week_store, sender, cfg, now=later, tz=TZ) == "sent"
    assert send_weekly_digest(week_store, sender, cfg, now=later, tz=TZ) == "already_sent"
    restarted = Store(week_store.url)  # a restart on Monday morning
    assert send_weekly_digest(restarted, sender, cfg, now=later + timedelta(hours=1),
                              tz=TZ) == "already_sent"

    [sent] = smtp_peer.messages
    [refused] = smtp_peer.refused
    assert sent.message["Message-ID"] == refused.message["Message-ID"]  # one message, retried
    with week_store.session() as s:
        row = s.get(DigestRow, WEEK)
        assert row is not None and (row.status, row.attempts) == ("sent", 3)
    next_week = NOW + timedelta(days=7)
    assert send_weekly_digest(restarted, sender, cfg, now=next_week, tz=TZ) == "sent"
    assert len(smtp_peer.messages) == 2


def test_a_claim_held_by_a_crashed_process_is_taken_over_after_its_lease(
    week_store: Store, smtp_peer: SmtpPeer
) -> None:
    cfg = email_config(smtp_peer)
    with week_store.session() as s:  # another process claimed the week, then died mid-send
        s.add(DigestRow(week=WEEK, status="sending", attempts=1,
                        claimed_until=NOW + timedelta(minutes=5), message_id="<x@example.com>"))
    sender = EmailSender(cfg, None)
    assert send_weekly_digest(week_store, sender, cfg, now=NOW, tz=TZ) == "already_sent"
    assert smtp_peer.messages == []
    after = NOW + timedelta(minutes=6)
    assert send_weekly_digest(week_store, sender, cfg, now=after, tz=TZ) == "sent"
    assert smtp_peer.messages[0].message["Message-ID"] == "<x@example.com>"


def test_iso_week_follows_the_time_zone() -> None:
    sunday_night_utc = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)  # Monday in Berlin
    assert (iso_week(sunday_night_utc, TZ), iso_week(sunday_night_utc, UTC)) == (  # type: ignore[arg-type]
        "2026-W03", "2026-W02")


def test_two_replicas_racing_for_the_week_claim_it_once_on_postgresql(postgres_url: str) -> None:
    pg = Store(postgres_url)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        replica = Store(postgres_url, create=False)
        barrier.wait()
        with replica.session() as s:
            got = repo.claim_digest(s, WEEK, NOW, lease=timedelta(minutes=5), message_id="<m@x>")
        outcomes.append(got.outcome)
        replica.dispose()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pg.dispose()
    assert sorted(outcomes) == ["busy"] * 7 + ["claimed"]
