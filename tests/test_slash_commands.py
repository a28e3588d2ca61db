"""`/chokepoint` over real HTTP, signed as Slack signs it: each subcommand, typical and odd."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Licence, TradePoint
from bot.slack_app import app as app_module
from bot.slack_app.blocks import Reply
from bot.slack_app.commands import Ask
from bot.store import Store
from bot.store.feeds import record_failure, record_success
from bot.store.licences import record_source_success
from bot.store.schema import Subscription
from bot.store.trade import apply_trade
from tests.helpers.slack_app import NOW, SECRET, SlackAppHarness, block_texts
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import signed_headers, slash_command_body

TODAY = NOW.date()  # 2025-11-03, the same day in Europe/Berlin at 08:00 UTC
INJECTION = "<!channel> <@U0BOSS> <http://evil.example|bank>"


def _within_limits(answer: dict[str, Any]) -> None:
    """What Slack would refuse: > 50 blocks, > 3000 characters in a section, > 150 in a header."""
    blocks = answer["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
    assert 0 < len(answer["text"]) <= 3000
    assert answer["response_type"] == "ephemeral"


class Chat(SlackAppHarness):
    def ask(self, text: str, *, user: str = "U0BUYER") -> str:
        """The answer's text fallback, after checking it stays within Slack's limits."""
        answer = self.slash(text, user=user)
        _within_limits(answer)
        return str(answer["text"])

    def ask_blocks(self, text: str) -> str:
        """Every text in the answer's blocks (what Slack shows), joined by newlines."""
        answer = self.slash(text)
        _within_limits(answer)
        return block_texts(answer)


def _seed(c: Chat) -> None:
    c.licences(
        Licence("LIC-DY-001", "Baotou Rare Earth Co.", "Dy", destination="US",
                end_user="Acme Motors", expires=TODAY + timedelta(days=10)),
        Licence("LIC-DY-002", "China Northern Rare Earth Group", "Dy", form="metal",
                destination="DE", expires=TODAY + timedelta(days=45), status="renewal_filed"),
        Licence("LIC-TB-001", "Ganzhou <Tb> & Sons", "Tb", expires=TODAY + timedelta(days=5)),
        Licence("LIC-DY-OLD", "Baotou Rare Earth Co.", "Dy", expires=TODAY - timedelta(days=3),
                status="expired"),
        Licence("LIC-GA-001", "Yunnan Gallium", "Ga", expires=TODAY + timedelta(days=200)),
    )
    magnets_us = {"2025-04": 500, "2025-05": 46, "2025-06": 353, "2025-07": 618,
                  "2025-08": 590, "2025-09": 420, "2025-10": 480}
    rare_earths = {"2025-03": 5666.3, "2025-04": 4784.8, "2025-05": 5864.6, "2025-06": 7742.2,
                   "2025-08": 5792, "2025-09": 4000.3}  # July is missing, as it can be
    points = [TradePoint(p, "rare earth magnets", "US", t) for p, t in magnets_us.items()]
    points += [TradePoint(p, "rare earths", "ALL", t) for p, t in rare_earths.items()]
    points += [TradePoint("2025-10", "rare earth magnets", "ALL", 5473)]
    with c.store.session() as s:
        apply_trade(s, points, NOW)


@pytest.fixture
def chat(tmp_path: Path, slack_peer: SlackApiPeer) -> Iterator[Chat]:
    c = Chat(tmp_path, slack_peer)
    _seed(c)
    yield c
    c.close()


# -- help and unknown input ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "help", "HELP", "   ", "?", "/chokepoint help"])
def test_help_lists_every_command(chat: Chat, text: str) -> None:
    answer = chat.ask(text)
    for command in ("status <material>", "licences [<holder or material>] [expiring <days>]",
                    "exports <product> [<destination>]", "alerts", "subscribe <material ...>",
                    "unsubscribe <material ...>", "subscriptions", "feeds"):
        assert f"/chokepoint {command}" in answer.replace("&lt;", "<").replace("&gt;", ">")


def test_unknown_input_gets_help_with_a_suggestion(chat: Chat) -> None:
    answer = chat.ask("statsu dysprosium")
    assert "I don't know `statsu`. Did you mean `status`?" in answer
    assert "Chokepoint commands" in answer
    odd = chat.ask(INJECTION)
    assert "&lt;!channel&gt;" in odd and "<!channel>" not in odd


def test_a_failure_inside_an_answer_is_a_sentence_not_a_trace(
        chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("bot.slack_app.commands.lookups.queries.open_alerts", broken)
    answer = chat.ask("alerts")
    assert "Sorry, I could not answer that just now" in answer
    assert "RuntimeError" not in answer and "Traceback" not in answer


# -- status --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["status dysprosium", "status Dy", "STATUS dy2o3",
                                  "Status   Dysprosium oxide"])
def test_status_accepts_any_alias_of_the_material(chat: Chat, text: str) -> None:
    chat.alert("China halts dysprosium oxide exports", severity="critical")
    chat.alert("Terbium metal exports halted", ("Tb",))
    answer = chat.ask(text)
    assert "Status · dysprosium (Dy)" in answer
    assert "China halts dysprosium oxide exports" in answer
    assert "Terbium" not in answer
    assert "*LIC-DY-001* · Baotou Rare Earth Co. · Dy oxide → US (Acme Motors) · " \
           "expires 2025-11-13 · *10 days left* · active" in answer
    assert "3 on record, 2 expiring within 60 days" in answer
    assert "`/chokepoint subscribe Dy`" in answer


def test_status_separates_open_alerts_from_news(chat: Chat) -> None:
    chat.alert("Licence LIC-DY-001 expires in 14 days", rule_type="licence_expiry")
    easing = chat.alert("China resumes some Dy exports", rule_type="news_easing")
    chat.click("chokepoint_ack", easing)
    chat.peer.wait_for("chat.update")
    answer = chat.ask("status Dy")
    open_part, news_part = answer.split("*Latest news*")
    assert "Licence LIC-DY-001 expires in 14 days" in open_part
    assert "China resumes some Dy exports" not in open_part
    assert "China resumes some Dy exports" in news_part


@pytest.mark.parametrize(("text", "expected"), [
    ("status", "Which material? For example `/chokepoint status dysprosium`."),
    ("status unobtainium", "unknown material 'unobtainium'"),
    ("status dysprosum", "did you mean dysprosium (Dy)?"),
    ("status NdPr", "Status · neodymium (Nd), praseodymium (Pr)"),
])
def test_status_with_odd_material_names(chat: Chat, text: str, expected: str) -> None:
    assert expected in chat.ask(text)


# -- licences ------------------------------------------------------------------------------

def _ids(answer: str) -> list[str]:
    return re.findall(r"\*(LIC-[A-Z0-9-]+)\*", answer)


def test_licences_lists_soonest_expiry_first_with_days_left(chat: Chat) -> None:
    answer = chat.ask("licences")
    # What runs out next leads; the expired one comes last.
    assert _ids(answer) == ["LIC-TB-001", "LIC-DY-001", "LIC-DY-002", "LIC-GA-001", "LIC-DY-OLD"]
    assert "*expired 3 d ago*" in answer and "*5 days left*" in answer
    assert "days left counted from 2025-11-03 (Europe/Berlin)" in answer


@pytest.mark.parametrize(("text", "ids"), [
    ("licences baotou", ["LIC-DY-001", "LIC-DY-OLD"]),
    ("licenses BAOTOU RARE EARTH", ["LIC-DY-001", "LIC-DY-OLD"]),
    ("licences China Northern Rare Earth", ["LIC-DY-002"]),
    ("licences dysprosium", ["LIC-DY-001", "LIC-DY-002", "LIC-DY-OLD"]),
    ("licences Dy expiring 30", ["LIC-DY-001"]),
    ("licences expiring in 7 days", ["LIC-TB-001"]),
    ("licence expiring within a week", ["LIC-TB-001"]),
    ("licences expiring soon", ["LIC-TB-001", "LIC-DY-001", "LIC-DY-002"]),
    ("licences lic-ga", ["LIC-GA-001"]),
])
def test_licences_filter_by_holder_material_and_expiry(chat: Chat, text: str,
                                                        ids: list[str]) -> None:
    assert _ids(chat.ask(text)) == ids


def test_licences_escape_the_register(chat: Chat) -> None:
    answer = chat.ask("licences ganzhou")
    assert "Ganzhou &lt;Tb&gt; &amp; Sons" in answer


def test_licences_that_match_nothing_say_so(chat: Chat) -> None:
    assert "No licences match." in chat.ask("licences nobody-at-all")
    assert "No matching licences expire within 2 days." in chat.ask("licences Ga expiring 2")


def test_a_long_licence_list_is_cut_with_a_count(chat: Chat) -> None:
    # A new register replaces the old one: the five licences above are now removed.
    chat.licences(*[Licence(f"LIC-BULK-{i:04d}", f"Holder {i} " + "x" * 150, "Dy",
                            expires=TODAY + timedelta(days=i % 300)) for i in range(400)])
    shown = _ids(chat.ask_blocks("licences Dy"))
    assert shown == [f"LIC-BULK-{i:04d}" for i in (0, 300, 1, 301, 2, 302, 3, 303, 4, 304, 5,
                                                   305, 6, 306, 7, 307, 8, 308, 9, 309)]
    assert f"… and {400 - len(shown)} more licences" in chat.ask_blocks("licences Dy")
    assert "… and 380 more licences" in chat.ask("licences Dy")  # the text fallback too


# -- exports -------------------------------------------------------------------------------

def _rows(answer: str) -> dict[str, str]:
    table = answer.split("```")[1]
    return {line.split()[0]: line for line in table.splitlines()[1:]}


@pytest.mark.parametrize("text", ["exports magnets US", "Exports Rare-Earth Magnets to the US",
                                  "export magnet united states", "trade magnets us"])
def test_exports_show_six_months_with_month_over_month_change(chat: Chat, text: str) -> None:
    answer = chat.ask(text)
    assert "Exports · rare earth magnets · → US" in answer
    rows = _rows(answer)
    assert list(rows) == ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    assert rows["2025-05"].split()[1:] == ["46.0", "▼", "-90.8%"]
    assert rows["2025-10"].split()[1:] == ["480.0", "▲", "+14.3%"]
    assert "Latest month *2025-10*: *480.0 t* (▲ +14.3% on the month before)" in answer
    assert "Other destinations: `ALL`" in answer


def test_exports_do_not_compute_a_change_across_a_missing_month(chat: Chat) -> None:
    answer = chat.ask("exports rare earths")
    assert "Exports · rare earths · all destinations" in answer
    rows = _rows(answer)
    # The six calendar months up to the latest: July is missing, March comes before them.
    assert list(rows) == ["2025-04", "2025-05", "2025-06", "2025-08", "2025-09"]
    assert rows["2025-04"].split()[-1] == "-15.6%"
    assert rows["2025-08"].endswith("n/a (gap)")
    assert rows["2025-09"].split()[-1] == "-30.9%"


@pytest.mark.parametrize(("text", "expected"), [
    ("exports", "Which product? One of `rare earth magnets`, `rare earth products`"),
    ("exports unobtainium", "“unobtainium” is no product I know"),
    ("exports magnets FR", "No figures for rare earth magnets to `FR`. Destinations with "
                           "figures: `ALL`, `US`."),
])
def test_exports_with_odd_input(chat: Chat, text: str, expected: str) -> None:
    with chat.store.session() as s:
        apply_trade(s, [TradePoint("2025-10", "rare earth products", "ALL", 10)], NOW)
    assert expected in chat.ask(text)


# -- alerts --------------------------------------------------------------------------------

def test_alerts_lists_open_alerts_newest_first(chat: Chat) -> None:
    chat.alert("Older Dy alert", created=NOW - timedelta(days=2))
    chat.alert("Newer Tb alert", ("Tb",), created=NOW - timedelta(hours=1))
    done = chat.alert("Acknowledged Ga alert", ("Ga",))
    chat.click("chokepoint_ack", done)
    chat.peer.wait_for("chat.update")
    answer = chat.ask("alerts")
    assert answer.index("Newer Tb alert") < answer.index("Older Dy alert")
    assert "Acknowledged Ga alert" not in answer
    assert "2 open · newest first" in answer
    assert "Newer Tb alert" not in chat.ask("alerts dysprosium")


def test_alerts_escape_outside_text(chat: Chat) -> None:
    chat.alert(f"Dy ban {INJECTION}")
    answer = chat.slash("alerts")
    raw = json.dumps(answer)
    for forged in ("<!channel>", "<@U0BOSS>", "<http://evil.example|bank>"):
        assert forged not in raw
    assert "&lt;!channel&gt; &lt;@U0BOSS&gt;" in answer["text"]
    assert "<https://news.example.com/a?x=1&amp;y=2|Reuters>" in answer["text"]


def test_many_open_alerts_are_cut_with_a_count(chat: Chat) -> None:
    for i in range(120):
        chat.alert(f"Alert number {i} " + "y" * 200, created=NOW - timedelta(minutes=i))
    shown = chat.ask_blocks("alerts")
    assert re.findall(r"Alert number (\d+) ", shown) == [str(i) for i in range(15)]
    assert "… and 105 more open alerts" in shown
    assert "… and 105 more open alerts" in chat.ask("alerts")
    assert "No open alerts" in chat.ask("alerts gallium")


# -- subscriptions -------------------------------------------------------------------------

def _subscriptions(chat: Chat) -> list[tuple[str, str]]:
    with chat.store.session() as s:
        rows = s.scalars(select(Subscription).order_by(Subscription.user_id,
                                                       Subscription.material))
        return [(r.user_id, r.material) for r in rows]


def test_subscribe_unsubscribe_and_list(chat: Chat) -> None:
    answer = chat.ask("subscribe dysprosium, Tb and unobtainium")
    assert "Subscribed to dysprosium (Dy), terbium (Tb)." in answer
    assert "Skipped: unknown material 'unobtainium'" in answer
    assert _subscriptions(chat) == [("U0BUYER", "Dy"), ("U0BUYER", "Tb")]
    assert "Already subscribed to dysprosium (Dy)." in chat.ask("SUB Dy2O3")
    assert "• dysprosium (Dy)\n• terbium (Tb)" in chat.ask("subscriptions")
    assert "You have no subscriptions" in chat.ask("subscriptions", user="U0OTHER")
    assert "Unsubscribed from terbium (Tb)." in chat.ask("unsubscribe terbium")
    assert "You were not subscribed to gallium (Ga)." in chat.ask("unsubscribe Ga")
    chat.ask("subscribe rare earth magnets")
    assert _subscriptions(chat) == [("U0BUYER", "Dy"), ("U0BUYER", "NdFeB"), ("U0BUYER", "REE")]
    assert "You have no subscriptions." in chat.ask("unsubscribe all")
    assert _subscriptions(chat) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("subscribe", "Name one or more materials"),
    ("subscribe magnets", "did you mean NdFeB magnets or SmCo magnets?"),
    ("unsubscribe", "You have no subscriptions."),
])
def test_subscribe_with_odd_input(chat: Chat, text: str, expected: str) -> None:
    assert expected in chat.ask(text)
    assert _subscriptions(chat) == []


# -- feeds ---------------------------------------------------------------------------------

def test_feeds_show_health_errors_and_unpolled_feeds(chat: Chat) -> None:
    with chat.store.session() as s:
        record_success(s, "mining-com", "https://www.mining.com/feed/",
                       NOW - timedelta(minutes=20), timedelta(minutes=15), etag=None,
                       last_modified=None, stored=42)
        for hours in (3, 2, 1):
            record_failure(s, "reuters-metals", "https://example.com/rss",
                           NOW - timedelta(hours=hours), timedelta(minutes=15),
                           f"HTTP 503 {INJECTION}")
        record_source_success(s, "licences", "data/licences.csv", 5, 1, NOW)
    answer = chat.ask("feeds")
    assert (":white_check_mark: *mining-com* · last success 20 min ago (2025-11-03 08:40 CET)"
            " · 42 entries seen") in answer
    assert ":warning: *reuters-metals* · never succeeded · 0 entries seen · last error 1 h ago: " \
           "_HTTP 503 &lt;!channel&gt; &lt;@U0BOSS&gt;" in answer
    assert "3 failures in a row" in answer
    assert ":hourglass_flowing_sand: *new-feed* · not polled yet" in answer
    assert "*licences* · last success just now" in answer and "5 rows loaded, 1 skipped" in answer
    assert "3 feeds, 1 failing" in answer


# -- slow answers ----------------------------------------------------------------------------

def test_a_slow_answer_is_acknowledged_then_sent_to_the_response_url(
        tmp_path: Path, slack_peer: SlackApiPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    real_answer = app_module.answer

    def slow_answer(text: str, ask: Ask) -> Reply:
        time.sleep(0.5)  # a store under load
        return real_answer(text, ask)

    monkeypatch.setattr(app_module, "answer", slow_answer)
    slow = Chat(tmp_path, slack_peer, ack_deadline=0.1)
    try:
        body = slash_command_body("help", response_url=slack_peer.response_url("slow/1"))
        resp = slow.http.post("/slack/events", content=body, headers=signed_headers(body, SECRET))
        assert resp.status_code == 200
        assert resp.content == b""  # acknowledged in time, with nothing to show yet
        reply = slack_peer.wait_for("/response/slow/1")[0].body
        assert reply["response_type"] == "ephemeral"
        assert "Chokepoint commands" in reply["text"]
        assert reply["blocks"][0]["type"] == "header"
    finally:
        slow.close()


# -- the same answers on PostgreSQL -------------------------------------------------------



def test_postgresql_gives_the_same_answers(chat: Chat, tmp_path: Path, slack_peer: SlackApiPeer,
                                           postgres_url: str) -> None:
    store = Store(postgres_url)
    pg = Chat(tmp_path, slack_peer, store=store)
    try:
        for c in (chat, pg):
            _seed(c)
            c.alert("China halts dysprosium oxide exports", ("Dy", "Tb"), severity="critical")
            c.alert("Licence LIC-DY-001 expires in 14 days", rule_type="licence_expiry")
            c.alert("Gallium quota cut", ("Ga",), created=NOW - timedelta(days=1))
            c.ask("subscribe Dy")
        for text in ("status Dy", "status dy tb", "licences", "licences BAOTOU",
                     "licences dy expiring 30", "alerts", "alerts Tb", "exports magnets US",
                     "exports rare earths", "subscriptions"):
            assert pg.ask(text) == chat.ask(text), text
    finally:
        pg.close()
