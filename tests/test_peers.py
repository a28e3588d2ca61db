"""The loopback peers behave like the real services for the real clients the bot uses."""

from __future__ import annotations

import json
import smtplib
import ssl
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.slack_signing import (
    block_actions_body,
    sign,
    signed_headers,
    slash_command_body,
)
from tests.peers.smtp import SmtpPeer

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def client(peer: SlackApiPeer, **kwargs: Any) -> WebClient:
    return WebClient(token=TOKEN, base_url=peer.url, **kwargs)


# -- Slack Web API ---------------------------------------------------------------------------


def test_slack_peer_answers_and_records_like_slack(slack_peer: SlackApiPeer) -> None:
    web = client(slack_peer)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Dy* restricted"}}]
    first = web.chat_postMessage(channel="#supply-risk", text="Dy restricted", blocks=blocks)
    dm = web.chat_postMessage(channel="U0BUYER", text="for you")

    assert first["channel"] == "#supply-risk"
    assert dm["channel"] == "D0BUYER"
    assert float(dm["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == blocks
    sent = slack_peer.calls_to("chat.postMessage")
    assert [c.body["text"] for c in sent] == ["Dy restricted", "for you"]
    assert sent[0].body["blocks"] == blocks
    assert sent[0].token == TOKEN
    assert sent[0].headers["authorization"] == f"Bearer {TOKEN}"

    web.chat_update(channel="#supply-risk", ts=first["ts"], text="Dy eased")
    assert slack_peer.message("#supply-risk", first["ts"])["text"] == "Dy eased"  # type: ignore[index]
    assert web.conversations_open(users="U0BUYER")["channel"]["id"] == "D0BUYER"
    assert web.auth_test()["bot_id"]
    assert web.api_call("reactions.add")["ok"]
    assert [c.method for c in slack_peer.calls][-3:] == [
        "conversations.open",
        "auth.test",
        "reactions.add",
    ]


def test_slack_peer_decodes_blocks_sent_as_form_text(slack_peer: SlackApiPeer) -> None:
    blocks = [{"type": "divider"}]
    httpx.post(
        slack_peer.url + "chat.postMessage",
        data={"channel": "C1", "blocks": json.dumps(blocks)},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert slack_peer.calls_to("chat.postMessage")[0].body["blocks"] == blocks


def test_slack_peer_refuses_missing_or_wrong_token() -> None:
    with SlackApiPeer(token=TOKEN) as peer:
        with pytest.raises(SlackApiError) as missing:
            WebClient(base_url=peer.url).chat_postMessage(channel="C1", text="x")
        with pytest.raises(SlackApiError) as wrong:
            WebClient(token="xoxb-other", base_url=peer.url).chat_postMessage(
                channel="C1", text="x"
            )
    assert missing.value.response["error"] == "not_authed"
    assert wrong.value.response["error"] == "invalid_auth"


def test_slack_peer_429_is_retried_after_retry_after(slack_peer: SlackApiPeer) -> None:
    slack_peer.fail_next("chat.postMessage", status=429, retry_after=0)
    web = client(slack_peer, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    assert web.chat_postMessage(channel="C1", text="x")["ok"]
    attempts = slack_peer.calls_to("chat.postMessage")
    assert [(c.answer, c.status) for c in attempts] == [("http_429", 429), ("ok", 200)]


def test_slack_peer_429_without_retry_carries_retry_after(slack_peer: SlackApiPeer) -> None:
    slack_peer.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client(slack_peer).chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["retry-after"] == "7"


def test_slack_peer_scripted_errors_then_normal(slack_peer: SlackApiPeer) -> None:
    slack_peer.fail_next("chat.postMessage", error="channel_not_found")
    slack_peer.fail_next("chat.postMessage", status=500)
    web = client(slack_peer)
    with pytest.raises(SlackApiError) as not_found:
        web.chat_postMessage(channel="C404", text="x")
    with pytest.raises(SlackApiError) as server_error:
        web.chat_postMessage(channel="C1", text="x")
    assert web.chat_postMessage(channel="C1", text="x")["ok"]

    assert not_found.value.response.status_code == 200
    assert not_found.value.response["error"] == "channel_not_found"
    assert server_error.value.response.status_code == 500
    assert [c.answer for c in slack_peer.calls_to("chat.postMessage")] == [
        "error:channel_not_found",
        "http_500",
        "ok",
    ]


def test_slack_peer_hang_makes_the_client_time_out() -> None:
    peer = SlackApiPeer().start()
    peer.fail_next("chat.postMessage", hang=30)
    with pytest.raises(TimeoutError):
        client(peer, timeout=0.2).chat_postMessage(channel="C1", text="x")
    started = time.monotonic()
    peer.close()  # must not wait for the 30 s hang
    assert time.monotonic() - started < 2
    assert [c.answer for c in peer.calls_to("chat.postMessage")] == ["hang"]


def test_slack_peer_records_response_url_posts(slack_peer: SlackApiPeer) -> None:
    url = slack_peer.response_url("abc")
    WebhookClient(url).send(text="Acknowledged", replace_original=True)
    [posted] = slack_peer.responses
    assert posted.method == "/response/abc"
    assert posted.body == {"text": "Acknowledged", "replace_original": True}
    assert slack_peer.calls == []


# -- signed requests through a real Bolt app -------------------------------------------------


def test_sign_matches_slacks_documented_example() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
        b"&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
        b"%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fc"
        b"e8b6703c"
    )
    headers = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


def bolt_request(body: bytes, secret: str) -> BoltRequest:
    """The request as Bolt's HTTP adapters hand it over, signed with `secret`."""
    headers: dict[str, str | Sequence[str]] = {**signed_headers(body, secret)}
    return BoltRequest(body=body.decode(), headers=headers)


def test_signed_bodies_are_accepted_by_bolt(slack_peer: SlackApiPeer) -> None:
    app = App(client=client(slack_peer), signing_secret=SECRET, process_before_response=True)
    seen: list[tuple[str, str]] = []

    @app.command("/chokepoint")
    def command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen.append(("command", command["text"]))
        respond("status follows")

    @app.action("snooze")
    def snooze(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        seen.append((action["selected_option"]["value"], body["container"]["message_ts"]))

    command_body = slash_command_body("status Dy", response_url=slack_peer.response_url("cmd"))
    answer = app.dispatch(bolt_request(command_body, SECRET))
    action_body = block_actions_body(
        "snooze",
        "7d",
        "U0BUYER",
        "C0GENERAL",
        "1700000000.000100",
        slack_peer.response_url("act"),
        action_type="static_select",
    )
    clicked = app.dispatch(bolt_request(action_body, SECRET))
    forged = app.dispatch(bolt_request(command_body, "wrong-secret"))

    assert (answer.status, clicked.status, forged.status) == (200, 200, 401)
    assert seen == [("command", "status Dy"), ("7d", "1700000000.000100")]
    assert slack_peer.wait_for("/response/cmd")[0].body["text"] == "status follows"
    assert SignatureVerifier(SECRET).is_valid_request(command_body, sign(command_body, SECRET))


# -- HTTP feeds ------------------------------------------------------------------------------


def test_feed_server_answers_conditional_requests_with_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/rss", RSS, etag="v1", last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    with httpx.Client(headers={"User-Agent": "chokepoint-test"}) as http:
        first = http.get(url)
        by_etag = http.get(url, headers={"If-None-Match": first.headers["etag"]})
        by_date = http.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        stale = http.get(url, headers={"If-None-Match": '"v0"'})

    assert (first.status_code, first.content) == (200, RSS)
    assert first.headers["etag"] == '"v1"'
    assert (by_etag.status_code, by_date.status_code, stale.status_code) == (304, 304, 200)
    assert feed_server.hits["/rss"] == 4
    assert feed_server.requests_to("/rss")[1].headers["if-none-match"] == '"v1"'
    assert {r.user_agent for r in feed_server.requests} == {"chokepoint-test"}


def test_feed_server_redirect_loop_is_detected_by_the_client(feed_server: FeedServer) -> None:
    feed_server.add("/a", redirect_to="/b")
    feed_server.add("/b", redirect_to="/a")
    with (
        httpx.Client(follow_redirects=True, max_redirects=4) as http,
        pytest.raises(httpx.TooManyRedirects),
    ):
        http.get(feed_server.url("/a"))
    assert feed_server.hits["/a"] + feed_server.hits["/b"] == 5


def test_feed_server_delay_outlasts_a_client_timeout(feed_server: FeedServer) -> None:
    url = feed_server.add("/slow", RSS, delay=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, timeout=0.2)
    assert feed_server.hits["/slow"] == 1  # the fixture's close does not wait 30 s


def test_feed_server_outage_then_recovery(feed_server: FeedServer) -> None:
    url = feed_server.add("/rss", RSS, status=500)
    assert httpx.get(url).status_code == 500
    feed_server.set("/rss", status=200)
    assert httpx.get(url).content == RSS
    assert httpx.get(feed_server.url("/missing")).status_code == 404


def test_feed_server_streams_huge_bodies_without_the_client_reading_them(
    feed_server: FeedServer,
) -> None:
    url = feed_server.add("/huge", huge=50 * 1024 * 1024, chunked=True)
    read = 0
    with httpx.stream("GET", url) as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            read += len(chunk)
            if read > 1024 * 1024:
                break
    assert read < 2 * 1024 * 1024
    assert feed_server.bytes_sent["/huge"] < 50 * 1024 * 1024


def test_feed_server_gzip_bomb_inflates_a_thousandfold(feed_server: FeedServer) -> None:
    url = feed_server.add("/bomb", gzip_bomb=True)
    inflated = 0
    with httpx.stream("GET", url) as response:
        assert response.headers["content-encoding"] == "gzip"
        compressed = int(response.headers["content-length"])
        for chunk in response.iter_bytes():
            inflated += len(chunk)
            if inflated > 20 * compressed:
                break
    assert compressed < 2 * 1024 * 1024
    assert inflated > 20 * compressed


def test_feed_server_serves_html_pages(feed_server: FeedServer) -> None:
    response = httpx.get(feed_server.add("/page", body_html="<html><body>no feed</body></html>"))
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "<html><body>no feed</body></html>"


@pytest.mark.parametrize("feed_server", [{"latency": 0.3}], indirect=True)
def test_feed_server_answers_concurrent_requests_in_parallel(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/f{i}", RSS) for i in range(100)]
    started = time.monotonic()
    with (
        httpx.Client(limits=httpx.Limits(max_connections=100)) as http,
        ThreadPoolExecutor(100) as pool,
    ):
        statuses = list(pool.map(lambda u: http.get(u).status_code, urls))
    assert statuses == [200] * 100
    assert time.monotonic() - started < 3  # 100 x 0.3 s in series would take 30 s


# -- SMTP ------------------------------------------------------------------------------------


def mail(subject: str = "Weekly digest") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "bot@example.com", "coo@example.com", subject
    msg.set_content("plain")
    msg.add_alternative("<p>html</p>", subtype="html")
    return msg


def test_smtp_peer_records_plain_mail(smtp_peer: SmtpPeer) -> None:
    with smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5) as smtp:
        smtp.send_message(mail())
    [got] = smtp_peer.messages
    assert (got.mail_from, got.rcpt_tos, got.tls) == (
        "bot@example.com",
        ("coo@example.com",),
        False,
    )
    assert got.message["Subject"] == "Weekly digest"
    assert got.message.get_body(("html",)).get_content().strip() == "<p>html</p>"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "smtp_peer", [{"require_starttls": True, "auth": {"bot": "s3cret"}}], indirect=True
)
def test_smtp_peer_starttls_and_auth(smtp_peer: SmtpPeer) -> None:
    with smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5) as smtp:
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPSenderRefused):  # no mail before STARTTLS
            smtp.send_message(mail())
        smtp.starttls(context=smtp_peer.client_context())
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login("bot", "wrong")
        assert refused.value.smtp_code == 535
        smtp.login("bot", "s3cret")
        smtp.send_message(mail())
    [got] = smtp_peer.messages
    assert (got.tls, got.username) == (True, "bot")


@pytest.mark.parametrize("smtp_peer", [{"auth": {"bot": "s3cret"}}], indirect=True)
def test_smtp_peer_with_auth_refuses_anonymous_mail(smtp_peer: SmtpPeer) -> None:
    with smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.send_message(mail())
        assert refused.value.smtp_code == 530
        smtp.login("bot", "s3cret")
        smtp.send_message(mail())
    assert [m.username for m in smtp_peer.messages] == ["bot"]


def test_smtp_peer_implicit_tls_needs_the_test_certificate() -> None:
    with SmtpPeer(implicit_tls=True) as peer:
        with pytest.raises(ssl.SSLCertVerificationError):
            smtplib.SMTP_SSL(peer.host, peer.port, timeout=5, context=ssl.create_default_context())
        with smtplib.SMTP_SSL(peer.host, peer.port, timeout=5, context=peer.client_context()) as s:
            s.send_message(mail())
        assert [m.tls for m in peer.messages] == [True]


def test_smtp_peer_outage_refuses_then_recovers(smtp_peer: SmtpPeer) -> None:
    smtp_peer.fail_next(2, code=421)
    for _ in range(2):
        with smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5) as smtp:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                smtp.send_message(mail())
            assert refused.value.smtp_code == 421
    smtp_peer.down()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5)
    smtp_peer.up()
    with smtplib.SMTP(smtp_peer.host, smtp_peer.port, timeout=5) as smtp:
        smtp.send_message(mail("after the outage"))
    assert len(smtp_peer.refused) == 2
    assert [m.message["Subject"] for m in smtp_peer.messages] == ["after the outage"]
