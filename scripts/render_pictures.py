"""Render the README's pictures from the real pipeline's output on the bundled demo data.

    .venv/bin/python scripts/render_pictures.py [--out docs/pictures] [--html DIR]

One demo cycle (bot/cli/demo.py: the sample feeds, licence register and export figures at the
demo's clock) runs with a bot token against the loopback Slack peer of tests/peers/slack_api.py,
which records every request. Before the cycle a buyer subscribes with `/chokepoint subscribe
Dy Tb`; after it, the buyer clicks Acknowledge on one alert. Both go through the real Bolt app
as signed requests. The pictures then draw exactly what Slack received:

    alert.png     one alert message as it stands in its channel
    thread.png    a grouped post: its summary and the alerts in its thread, one acknowledged
    app-home.png  the buyer's App Home (bot/slack_app/home.py on the resulting store)
    digest.png    the weekly digest (bot/digest/) at the demo's clock

Block Kit is drawn as HTML roughly the way Slack's client shows it, and each page is
screenshotted by headless Chromium. `collect()` is everything but the drawing and is tested
(tests/test_render_pictures.py), so the pictures cannot drift back to hand-made data. One file
of about 350 lines on purpose: the drawer and its CSS serve these pictures only.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops
from pydantic import SecretStr
from slack_bolt.request import BoltRequest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.channels.slack_blocks import ACK_ACTION  # noqa: E402 - after the path set-up above
from bot.cli.demo import DEMO_NOW, _write_digest, demo_config, demo_cycle  # noqa: E402
from bot.config import Secrets  # noqa: E402
from bot.pipeline import Pipeline  # noqa: E402
from bot.slack_app.app import build_app  # noqa: E402
from bot.slack_app.home import home_view  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.alerts import get_alert  # noqa: E402
from tests.peers.slack_api import SlackApiPeer  # noqa: E402
from tests.peers.slack_signing import (  # noqa: E402
    block_actions_body,
    signed_headers,
    slash_command_body,
)

TOKEN, SECRET = "xoxb-pictures", "pictures-signing-secret"
BUYER = "U0BUYER"
ALERT = ("#supply-risk-urgent", "export-swing")  # channel and rule of the single alert pictured
THREAD = ("#supply-risk-urgent", "restriction-news")  # ... and of the grouped post whose thread is shown
ACK_AFTER = timedelta(minutes=17)  # when the buyer clicks Acknowledge, after the cycle


@dataclass
class Message:
    channel: str
    ts: str
    body: dict[str, Any]  # as it now stands, after any chat.update
    rule_id: str | None  # of the alert it carries; None for a group summary or a note
    replies: list[Message] = field(default_factory=list)


@dataclass
class Collected:
    calls: list[dict[str, Any]]  # every Web API request body, oldest first, with its "method"
    alert: Message
    thread: Message
    acked_id: int
    home: dict[str, Any]
    digest_html: str


def _dispatch(app: Any, body: bytes) -> None:
    headers: dict[str, str | Sequence[str]] = {**signed_headers(body, SECRET)}
    response = app.dispatch(BoltRequest(body=body.decode(), headers=headers))
    if response.status != 200:
        raise SystemExit(f"the Slack app answered {response.status}: {response.body}")


def _messages(peer: SlackApiPeer, store: Store) -> list[Message]:
    """Every posted message as it now stands, replies attached to their parent."""
    top: dict[tuple[str, str], Message] = {}
    replies: list[Message] = []
    for channel, body in peer.messages:
        payload = (body.get("metadata") or {}).get("event_payload") or {}
        with store.reader() as s:
            alert = get_alert(s, int(payload["alert_id"])) if "alert_id" in payload else None
        msg = Message(channel, str(body["ts"]), body, alert.rule_id if alert else None)
        if body.get("thread_ts"):
            replies.append(msg)
        else:
            top[(channel, msg.ts)] = msg
    for msg in replies:
        top[(msg.channel, str(msg.body["thread_ts"]))].replies.append(msg)
    return list(top.values())


def collect(folder: Path) -> Collected:
    """Run the demo cycle against the Slack peer; the payloads, App Home and digest it gave."""
    config = demo_config(folder)
    secrets = Secrets.model_construct(slack_bot_token=SecretStr(TOKEN), slack_api_url=None,
                                      slack_signing_secret=SecretStr(SECRET),
                                      slack_app_token=None, smtp_password=None)
    clock = [DEMO_NOW]
    with SlackApiPeer(token=TOKEN) as peer:
        secrets = secrets.model_copy(update={"slack_api_url": peer.url})
        store = Store(config.database_url)
        pipeline = Pipeline(config, store, secrets, worker_id="pictures")
        app = build_app(store, config, secrets, now=lambda: clock[0])
        try:
            _dispatch(app, slash_command_body("subscribe Dy Tb", user_id=BUYER,
                                              response_url=peer.response_url()))
            demo_cycle(pipeline)
            messages = _messages(peer, store)
            alert = _pick(messages, ALERT, thread=False)
            thread = _pick(messages, THREAD, thread=True)
            clicked = thread.replies[0]
            acked_id = int(clicked.body["metadata"]["event_payload"]["alert_id"])
            clock[0] = DEMO_NOW + ACK_AFTER
            updates = len(peer.calls_to("chat.update"))
            _dispatch(app, block_actions_body(
                ACK_ACTION, str(acked_id), user_id=BUYER, channel=clicked.channel,
                message_ts=clicked.ts, response_url=peer.response_url("act"),
                block_id=f"chokepoint_actions_{acked_id}"))
            peer.wait_for("chat.update", updates + 1)
            pipeline.deliver(clock[0])  # the acknowledgement reaches every other copy too
            messages = _messages(peer, store)
            alert, thread = _pick(messages, ALERT, thread=False), _pick(messages, THREAD, thread=True)
            home = home_view(store, BUYER, clock[0], config.tz)
            digest = _write_digest(pipeline, folder / "digest.html", config.tz)  # as the demo
            calls = [{"method": c.method, **c.body} for c in peer.calls]
        finally:
            pipeline.close()
            store.dispose()
    return Collected(calls, alert, thread, acked_id, home, digest.read_text(encoding="utf-8"))


def _pick(messages: list[Message], where: tuple[str, str], *, thread: bool) -> Message:
    channel, rule = where
    for m in messages:
        if m.channel != channel:
            continue
        if thread and m.replies and all(r.rule_id == rule for r in m.replies):
            return m
        if not thread and not m.replies and m.rule_id == rule:
            return m
    kind = "grouped post" if thread else "single alert"
    raise SystemExit(f"the bundled data gave no {kind} of rule {rule} in {channel}; "
                     "change ALERT/THREAD in scripts/render_pictures.py")



# -- drawing: Block Kit as HTML, roughly as Slack's client shows it -----------------------------
USERS = {BUYER: "buyer"}  # the display name Slack would show for the clicking user
# The sandbox has no colour-emoji font; the few emoji we send are drawn with CSS instead.
SHORTCODES = {":white_check_mark:": "✅", ":warning:": "⚠️"}
EMOJI = {
    "🔴": '<span class="dot" style="background:#e01e5a"></span>',
    "🟠": '<span class="dot" style="background:#f2952f"></span>',
    "🟡": '<span class="dot" style="background:#ecb22e"></span>',
    "🔵": '<span class="dot" style="background:#1d9bd1"></span>',
    "🟢": '<span class="dot" style="background:#2eb67d"></span>',
    "⚪": '<span class="dot" style="background:#dddddd"></span>',
    "✅": '<span class="check">✓</span>',
    "☑️": '<span class="check" style="background:#616061">✓</span>',
    "🔕": '<span class="dot" style="background:#9a9a9a"></span>',
    "⚠️": '<span class="check" style="background:#ecb22e">!</span>',
}


def emoji(text: str) -> str:
    for code, char in SHORTCODES.items():
        text = text.replace(code, char)
    for char, drawn in EMOJI.items():
        text = text.replace(char, drawn)
    return text


def mrkdwn_html(text: str) -> str:
    """Slack mrkdwn (already escaped for & < >) as HTML: links, mentions, *b*, _i_, `code`."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>",
                  lambda m: f'<a href="{m[1].replace(chr(34), "%22")}">{m[2]}</a>', text)
    text = re.sub(r"<@([A-Z0-9]+)>",
                  lambda m: f'<span class="mention">@{USERS.get(m[1], m[1])}</span>', text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", text)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    return emoji(text.replace("\n", "<br>"))


def text_html(obj: dict[str, Any]) -> str:
    if obj.get("type") == "plain_text":
        return emoji(html.escape(obj["text"]))
    return mrkdwn_html(obj["text"])


def block_html(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<div class="header">{text_html(block["text"])}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "section":
        parts = [f'<div>{text_html(block["text"])}</div>'] if "text" in block else []
        if block.get("fields"):
            cells = "".join(f"<div>{text_html(f)}</div>" for f in block["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        return f'<div class="section">{"".join(parts)}</div>'
    if kind == "context":
        items = "".join(f"<span>{text_html(e)}</span>" for e in block["elements"] if "text" in e)
        return f'<div class="context">{items}</div>'
    if kind == "actions":
        buttons = "".join(f'<button class="{e.get("style", "")}">{text_html(e["text"])}</button>'
                          for e in block["elements"])
        return f'<div class="actions">{buttons}</div>'
    raise SystemExit(f"no drawing for Block Kit block type {kind!r}; add one to block_html")


def message_html(msg: Message, when: str) -> str:
    inner = "".join(block_html(b) for b in msg.body.get("blocks", []))
    return ('<div class="msg"><div class="avatar">C</div><div class="body"><div class="who">'
            f'<b>Chokepoint</b><span class="app">APP</span><span class="time">{when}</span>'
            f"</div>{inner}</div></div>")


CSS = """
body { margin: 0; background: #fff; color: #1d1c1d;
       font: 15px/1.46668 Lato, 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; }
.bar { border-bottom: 1px solid #e2e2e2; padding: 12px 20px; font-weight: 900; font-size: 18px; }
.bar small { font-weight: 400; color: #616061; font-size: 13px; margin-left: 8px; }
.tabs { padding: 0 20px; border-bottom: 1px solid #e2e2e2; color: #616061; font-size: 14px; }
.tabs span { display: inline-block; padding: 8px 0; margin-right: 20px; }
.tabs .on { color: #1d1c1d; font-weight: 700; border-bottom: 2px solid #1264a3; }
.replies { display: flex; align-items: center; color: #616061; font-size: 13px; padding: 0 20px; }
.replies hr { flex: 1; margin-left: 10px; }
.msg { display: flex; padding: 10px 20px 12px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #3f0e40; color: #fff;
          font-weight: 900; display: flex; align-items: center; justify-content: center;
          margin-right: 10px; flex: none; font-size: 17px; }
.body, .home { flex: 1; min-width: 0; }
.home { padding: 8px 24px 16px; }
.who b { font-weight: 900; }
.app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; padding: 1px 4px;
       border-radius: 2px; margin: 0 4px; vertical-align: 2px; }
.time { color: #616061; font-size: 12px; }
.header { font-weight: 900; font-size: 18px; margin: 10px 0 6px; }
.section { margin: 4px 0 8px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 24px; margin-top: 8px; }
.context { color: #616061; font-size: 13px; margin: 4px 0; }
.actions { margin: 10px 0 14px; }
hr { border: 0; border-top: 1px solid #e2e2e2; margin: 12px 0; }
button { font: 700 15px Lato, 'Liberation Sans', sans-serif; border: 1px solid #c4c4c4;
         background: #fff; color: #1d1c1d; border-radius: 4px; padding: 4px 14px;
         margin-right: 8px; height: 32px; }
button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
a { color: #1264a3; text-decoration: none; }
code { font: 12px 'DejaVu Sans Mono', monospace; color: #e01e5a; background: #f6f6f6;
       border: 1px solid #e2e2e2; border-radius: 3px; padding: 0 3px; }
.mention { color: #1264a3; background: #e8f5fa; padding: 0 2px; border-radius: 3px; }
.dot { display: inline-block; width: 14px; height: 14px; border-radius: 50%;
       vertical-align: -1px; margin-right: 2px; }
.check { display: inline-block; width: 16px; height: 16px; line-height: 16px; border-radius: 3px;
         background: #2eb67d; color: #fff; text-align: center; font-size: 12px; font-weight: 900; }
"""


def page(title: str, body: str) -> str:
    return (f"<!doctype html><meta charset='utf-8'><style>{CSS}</style>"
            f'<div class="bar">{title}</div>{body}')


def slack_pages(got: Collected, tz: Any) -> dict[str, str]:
    """alert, thread and app-home as HTML pages."""
    posted = f"{DEMO_NOW.astimezone(tz):%-I:%M %p}"
    channel = html.escape(got.alert.channel.lstrip("#"))
    alert = page(f"# {channel}", message_html(got.alert, posted))
    replies = "".join(message_html(r, posted) for r in got.thread.replies)
    count = len(got.thread.replies)
    thread = page(f"Thread<small>#{html.escape(got.thread.channel.lstrip('#'))}</small>",
                  message_html(got.thread, posted)
                  + f'<div class="replies">{count} replies<hr></div>' + replies)
    blocks = "".join(block_html(b) for b in got.home["blocks"])
    home = page("Chokepoint", '<div class="tabs"><span class="on">Home</span><span>Messages'
                f'</span><span>About</span></div><div class="home">{blocks}</div>')
    return {"alert": alert, "thread": thread, "app-home": home}


# -- screenshots -------------------------------------------------------------------------------
def screenshot(source: Path, png: Path, *, width: int, background: tuple[int, int, int],
               chromium: str, scale: float = 2.0) -> Image.Image:
    """Headless Chromium on a tall window, the empty background below the page cut off."""
    with tempfile.TemporaryDirectory(prefix="chokepoint-chromium-") as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", f"--force-device-scale-factor={scale}",
             f"--user-data-dir={profile}", f"--window-size={width},4000",
             f"--screenshot={png.resolve()}", source.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    image = Image.open(png).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, background)).getbbox()
    bottom = image.height if box is None else min(image.height, box[3] + round(16 * scale))
    return image.crop((0, 0, image.width, bottom))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pictures")
    parser.add_argument("--html", type=Path, help="also keep the HTML pages in this folder")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chokepoint-pictures-") as tmp:
        folder = Path(tmp)
        got = collect(folder)
        print(f"demo cycle against the Slack peer: {len(got.calls)} Web API calls recorded "
              f"({time.monotonic() - started:.1f} s)", flush=True)
        pages = slack_pages(got, demo_config(folder).tz)
        pages["digest"] = got.digest_html
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            source = (args.html or folder) / f"{name}.html"
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(text, encoding="utf-8")
            digest = name == "digest"
            image = screenshot(source, folder / f"{name}.raw.png", width=760 if digest else 820,
                               background=(0xEE, 0xF0, 0xF3) if digest else (255, 255, 255),
                               chromium=args.chromium, scale=1.5 if digest else 2.0)
            out = args.out / f"{name}.png"
            # 256 colours without dithering: text stays crisp, the files a third of the size.
            image.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
                out, optimize=True)
            print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: "
                  f"{image.width}x{image.height}, {out.stat().st_size // 1024} KiB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
