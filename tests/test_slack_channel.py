"""The Slack channel against a loopback Slack Web API: rendering, escaping, limits, errors."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channels.base import DeliveryError
from bot.channels.mrkdwn import mrkdwn_escape, safe_url, truncate_escaped
from bot.channels.slack import SlackChannel
from bot.channels.slack_blocks import render_alert, render_group_summary
from bot.models import Alert, Link, Target
from tests.peers.slack_api import SlackApiPeer

TOKEN = "xoxb-1234-5678-secretsecret"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HOSTILE = "<!channel> <!here> <@U123> <http://evil.example|bank> &amp; Dy2O3 halted"


def make_alert(**changes: Any) -> Alert:
    base: dict[str, Any] = dict(
        id=42, rule_id="licence-expiry", rule_type="licence_expiry", key="k", severity="critical",
        title="Licence CN-2025-0147 for Dy oxide expires in 7 days", subject="licence:CN-2025-0147",
        materials=("Dy",),
        facts=(("Holder", "Ganzhou Rare Earth Group"), ("Licence", "CN-2025-0147 (temporary)"),
               ("Expires", "2026-05-11 (7 days left)")),
        sources=(Link("https://www.mofcom.gov.cn/notice?id=1&lang=en", "MOFCOM notice"),),
        state="open", created=NOW,
    )
    base.update(changes)
    return Alert(**base)


@pytest.fixture
def peer() -> Any:
    with SlackApiPeer(token=TOKEN) as p:
        yield p


def channel(peer: SlackApiPeer, timeout: float = 2.0) -> SlackChannel:
    return SlackChannel(TOKEN, api_url=peer.url, timeout=timeout)


def texts(value: Any) -> list[str]:
    """Every string Slack would render from a message body (the fallback and all text)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("type", "action_id", "block_id",
                                                         "style", "value") for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [value] if isinstance(value, str) else []


def test_posts_block_kit_with_a_fallback_and_no_unfurling(peer: SlackApiPeer) -> None:
    sent = channel(peer).send(make_alert(), target=Target("slack", "#supply-risk"))
    (call,) = peer.calls_to("chat.postMessage")
    body = call.body
    assert call.token == TOKEN
    assert (body["channel"], body["unfurl_links"], body["unfurl_media"]) == (
        "#supply-risk", False, False)
    assert sent.ts and peer.message(sent.channel or "", sent.ts) is not None
    header = body["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "🔴 CRITICAL · Dy · Licence expiry"
    fields = [f["text"] for b in body["blocks"] for f in b.get("fields", ())]
    assert "*Holder*\nGanzhou Rare Earth Group" in fields
    assert "*Expires*\n2026-05-11 (7 days left)" in fields
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Acknowledge", "chokepoint_ack", "42"), ("Snooze 7 days", "chokepoint_snooze", "42")]
    links = [e["text"] for b in body["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert "<https://www.mofcom.gov.cn/notice?id=1&amp;lang=en|MOFCOM notice>" in links
    assert body["text"].startswith("[CRITICAL] Dy · Licence CN-2025-0147 for Dy oxide expires")


def test_outside_text_can_never_mention_or_forge_a_link(peer: SlackApiPeer) -> None:
    alert = make_alert(
        title=HOSTILE, reason=HOSTILE, facts=(("Holder", HOSTILE), (HOSTILE, "x"),
                                              ("Summary", HOSTILE * 20)),
        sources=(Link("https://ok.example/a", HOSTILE), Link("http://evil.example|bank>", "x"),
                 Link("javascript:alert(1)", "click")),
        rule_id="<!channel>", acked_by="<!channel>", state="acknowledged", acked_at=NOW,
    )
    channel(peer).send(alert, target=Target("slack", "#risk"))
    (call,) = peer.calls_to("chat.postMessage")
    rendered = texts(call.body)
    assert call.body["text"] in rendered
    for text in rendered:
        for token in re.findall(r"<[^>]*>", text):
            # the only control sequences are our own links to the sources' checked URLs
            assert token.startswith(("<https://ok.example/a|", "<http://evil.examplebank|")), token
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None, text
    title = call.body["blocks"][1]["text"]["text"]
    # Slack decodes &lt; &gt; &amp; once: the reader sees the headline exactly as written
    assert html.unescape(title.split("\n")[0].strip("*")) == HOSTILE
    assert "javascript:" not in json.dumps(call.body)


def test_hostile_text_is_escaped_in_the_fallback_too() -> None:
    fallback, _blocks = render_alert(make_alert(title=HOSTILE))
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;" in fallback
    assert "&lt;http://evil.example|bank&gt; &amp;amp; Dy2O3" in fallback
    assert "<" not in fallback


def check_limits(fallback: str, blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= 50
    assert len(fallback) <= 40_000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", ())) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", ()))
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    for text in [*texts(blocks), fallback]:
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None  # no entity cut in half


@pytest.mark.parametrize(
    "changes",
    [
        {"facts": (("Summary", "x" * 10_000),)},
        {"facts": (("Summary", "&<>" * 4_000),)},  # escaping triples the length
        {"title": "Dy &amp; Tb " * 1_000, "reason": "<" * 5_000},
        {"facts": tuple((f"fact {i} " * 30, "&" * 3_000) for i in range(80))},
        {"facts": tuple((f"f{i}", "short") for i in range(37))},
        {"sources": tuple(Link(f"https://e.example/{i}", "&" * 500) for i in range(100))},
        {"materials": tuple(f"M{i}" for i in range(100))},
    ],
)
def test_the_message_stays_within_block_kit_limits(changes: dict[str, Any]) -> None:
    alert = make_alert(**changes)
    check_limits(*render_alert(alert))
    check_limits(*render_group_summary([alert] * 60))


def test_a_long_summary_is_cut_with_an_ellipsis_not_dropped() -> None:
    _fallback, blocks = render_alert(make_alert(facts=(("Summary", "word " * 2_000),)))
    (summary,) = [b for b in blocks if b.get("text", {}).get("text", "").startswith("*Summary*")]
    assert summary["text"]["text"].endswith("…")
    assert len(summary["text"]["text"]) > 2_500


def test_truncation_never_cuts_an_escape_entity_in_half() -> None:
    escaped = mrkdwn_escape("a&b<c>d" * 50)
    for limit in range(1, 120):
        cut = truncate_escaped(escaped, limit)
        assert len(cut) <= limit
        assert re.search(r"&(?!amp;|lt;|gt;)", cut) is None, cut


def test_only_http_links_survive_and_lose_the_characters_that_break_out() -> None:
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    assert safe_url("https://a.example/|<b>") == "https://a.example/b"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("ftp://a.example/") is None
    assert safe_url("https://") is None


def test_rate_limit_is_transient_and_carries_retry_after(peer: SlackApiPeer) -> None:
    peer.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(DeliveryError) as err:
        channel(peer).send(make_alert(), target=Target("slack", "#risk"))
    assert (err.value.permanent, err.value.retry_after) == (False, 7.0)
    assert len(peer.calls_to("chat.postMessage")) == 1  # slack_sdk made no retry of its own


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(peer: SlackApiPeer, status: int) -> None:
    peer.fail_next("chat.postMessage", status=status, body=b"<html>upstream</html>")
    with pytest.raises(DeliveryError) as err:
        channel(peer).send(make_alert(), target=Target("slack", "#risk"))
    assert not err.value.permanent
    assert len(peer.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_refusals_are_permanent_and_say_what_to_fix(peer: SlackApiPeer, error: str) -> None:
    peer.fail_next("chat.postMessage", error=error)
    with pytest.raises(DeliveryError) as err:
        channel(peer).send(make_alert(), target=Target("slack", "#risk"))
    assert err.value.permanent
    assert str(err.value).startswith(f"Slack refused chat.postMessage to #risk: {error} (")


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive", "token_revoked", "not_authed"])
def test_a_workspace_wide_refusal_pauses_slack_instead_of_failing_the_alert(
    peer: SlackApiPeer, error: str,
) -> None:
    peer.fail_next("chat.postMessage", error=error)
    with pytest.raises(DeliveryError) as err:
        channel(peer).send(make_alert(), target=Target("slack", "#risk"))
    assert err.value.paused and not err.value.permanent
    assert str(err.value).startswith(f"Slack refused chat.postMessage: {error} (")


def test_a_hung_slack_times_out_as_a_transient_error(peer: SlackApiPeer) -> None:
    peer.fail_next("chat.postMessage", hang=5)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as err:
        channel(peer, timeout=0.5).send(make_alert(), target=Target("slack", "#risk"))
    assert time.monotonic() - started < 3
    assert not err.value.permanent
    assert "timed out" in str(err.value)


def test_an_unreachable_slack_is_transient() -> None:
    dead = SlackChannel(TOKEN, api_url="http://127.0.0.1:9/api/", timeout=1)
    with pytest.raises(DeliveryError) as err:
        dead.send(make_alert(), target=Target("slack", "#risk"))
    assert not err.value.permanent


def test_the_token_never_appears_in_an_error(peer: SlackApiPeer) -> None:
    peer.fail_next("chat.postMessage", error=f"invalid_auth {TOKEN}")
    peer.fail_next("chat.postMessage", status=500, body=f"bad token {TOKEN}".encode())
    ch = channel(peer)
    for _ in range(2):
        with pytest.raises(DeliveryError) as err:
            ch.send(make_alert(), target=Target("slack", "#risk"))
        assert TOKEN not in str(err.value)
        assert "secretsecret" not in repr(err.value.args)


def test_update_rewrites_the_message_with_who_acknowledged(peer: SlackApiPeer) -> None:
    ch = channel(peer)
    sent = ch.send(make_alert(), target=Target("slack", "#risk"))
    assert sent.channel and sent.ts
    ch.update(make_alert(state="acknowledged", acked_by="U0ALICE", acked_at=NOW),
              channel=sent.channel, ts=sent.ts)
    (call,) = peer.calls_to("chat.update")
    assert (call.body["channel"], call.body["ts"]) == (sent.channel, sent.ts)
    message = peer.message(sent.channel, sent.ts)
    assert message is not None
    shown = texts(message["blocks"])
    assert "✅ Acknowledged by <@U0ALICE> · 2026-05-04 09:00 UTC" in shown
    buttons = [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert buttons == ["Snooze 7 days"]  # acknowledging twice makes no sense
