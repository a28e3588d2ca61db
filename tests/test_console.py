"""The console channel prints what Slack would show, readably, on any terminal."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.channels.console import ConsoleChannel
from bot.models import Alert, Link, Target

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def alert(**changes: object) -> Alert:
    base: dict[str, object] = dict(
        id=3, rule_id="heavy-ree-news", rule_type="news_restriction", key="k", severity="high",
        title="China suspends Dy2O3 & Tb4O7 exports <!channel>", subject="story:1",
        materials=("Dy", "Tb"), facts=(("Feed", "mining-com"), ("Published", "2026-05-04")),
        sources=(Link("https://www.mining.com/a?x=1&y=2", "Mining.com"),
                 Link("javascript:alert(1)", "bad link")),
        state="open", created=NOW, reason="mentions Dy2O3 with 'suspends'",
    )
    base.update(changes)
    return Alert(**base)  # type: ignore[arg-type]


def test_prints_header_facts_links_and_buttons_as_a_reader_sees_them() -> None:
    out = io.StringIO()
    sent = ConsoleChannel(out).send(alert(), target=Target("slack", "#heavy-rare-earths"))
    assert sent.ts is None  # nothing to thread under or update later
    lines = out.getvalue().rstrip().splitlines()
    assert lines[0].startswith("── to #heavy-rare-earths ──")
    assert lines[1] == "🟠 HIGH · Dy, Tb · Export restriction"
    assert lines[2] == "China suspends Dy2O3 & Tb4O7 exports <!channel>"
    assert lines[3] == "mentions Dy2O3 with 'suspends'"
    assert "  Feed:          mining-com" in lines
    assert "  Mining.com <https://www.mining.com/a?x=1&y=2> · bad link" in lines
    assert lines[-1] == "  [Acknowledge] [Snooze 7 days]"


def test_long_text_is_wrapped_and_cut() -> None:
    out = io.StringIO()
    ConsoleChannel(out, width=60).send(alert(facts=(("Summary", "word " * 2000),)),
                                       target=Target("console"))
    lines = out.getvalue().splitlines()
    start = lines.index("  Summary:")
    body = lines[start + 1:start + 7]
    assert all(len(line) <= 60 and line.startswith("    word") for line in body)
    assert body[-1].endswith("…")


def test_acknowledged_alert_shows_who_and_drops_the_button() -> None:
    out = io.StringIO()
    ConsoleChannel(out).update(alert(state="acknowledged", acked_by="U0ALICE", acked_at=NOW),
                               channel="C1", ts="1.2")
    text = out.getvalue()
    assert "── update of alert #3 in C1 " in text
    assert "✅ Acknowledged by @U0ALICE · 2026-05-04 09:00 UTC" in text
    assert "[Snooze 7 days]" in text and "[Acknowledge]" not in text


def test_a_terminal_without_emoji_still_gets_the_alert() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    ConsoleChannel(stream).send(alert(), target=Target("slack", "#x"))
    text = raw.getvalue().decode("ascii")
    assert text.startswith("-- to #x ----")
    assert "\nHIGH | Dy, Tb | Export restriction\n" in text
    assert "China suspends Dy2O3 & Tb4O7 exports" in text
