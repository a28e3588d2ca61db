"""Render example alerts as Slack would show them (docs/alert-example.png), via headless Chromium.

The blocks come from bot.channels.slack_blocks.render_alert, the same code that posts to Slack;
this script only draws them the way Slack's client does (roughly: Block Kit Builder style).

    .venv/bin/python scripts/render_alert_example.py [--out docs/alert-example.png] [--html F]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.slack_blocks import render_alert  # noqa: E402
from bot.models import Alert, Link  # noqa: E402

USERS = {"U0ALICE": "alice.nguyen"}
# The sandbox has no colour-emoji font; draw the few emoji we use with CSS instead.
EMOJI = {
    "🔴": '<span class="dot" style="background:#e01e5a"></span>',
    "🟠": '<span class="dot" style="background:#f2952f"></span>',
    "🟡": '<span class="dot" style="background:#ecb22e"></span>',
    "🔵": '<span class="dot" style="background:#1d9bd1"></span>',
    "🟢": '<span class="dot" style="background:#2eb67d"></span>',
    "✅": '<span class="check">✓</span>',
    "☑️": '<span class="check" style="background:#616061">✓</span>',
    "🔕": '<span class="dot" style="background:#9a9a9a"></span>',
}


def examples() -> list[tuple[str, Alert]]:
    """Three alerts of different kinds; the export figures are the real reported ones."""
    news = Alert(
        id=118, rule_id="heavy-rare-earths", rule_type="news_restriction",
        key="news:1", severity="critical",
        title="China restricts exports of seven rare earths including dysprosium & terbium",
        subject="story:7f3a", materials=("Dy", "Tb", "Sm", "Gd"),
        facts=(("Feeds", "mining-com, reuters-commodities"),
               ("Published", "2025-04-04 09:02 UTC"),
               ("Terms", "export control, licence required")),
        sources=(Link("https://www.mining.com/", "Mining.com"),
                 Link("https://www.reuters.com/markets/commodities/", "Reuters")),
        state="acknowledged", created=datetime(2025, 4, 4, 9, 14, tzinfo=UTC),
        reason="names Dy, Tb with “export control”; no easing terms",
        acked_by="U0ALICE", acked_at=datetime(2025, 4, 4, 9, 31, tzinfo=UTC),
    )
    swing = Alert(
        id=342, rule_id="magnet-exports", rule_type="export_swing", key="swing:1",
        severity="high", title="Rare-earth magnet exports to the US fell 28.7% in September",
        subject="rare earth magnets/US", materials=("NdFeB",),
        facts=(("Series", "rare earth magnets → US"), ("Months", "2025-08 → 2025-09"),
               ("Tonnes", "590 t → 420.5 t"), ("Change", "−28.7% (threshold 10%)")),
        sources=(Link("https://www.binance.bh/zh-TC/square/post/31312457661097",
                      "China customs data (report)"),),
        state="open", created=datetime(2025, 10, 20, 7, 0, tzinfo=UTC),
    )
    licence = Alert(
        id=351, rule_id="licence-expiry", rule_type="licence_expiry", key="lic:1",
        severity="critical",
        title="Licence CN-EXP-2025-0147 for dysprosium oxide expires in 7 days",
        subject="licence:CN-EXP-2025-0147", materials=("Dy",),
        facts=(("Holder", "Example Rare Earth Co., Ltd."), ("End user", "Acme Motors GmbH (DE)"),
               ("Licence", "CN-EXP-2025-0147 · temporary · oxide"),
               ("Expires", "2025-11-01 · 7 days left"), ("Status", "renewal filed")),
        sources=(), state="open", created=datetime(2025, 10, 25, 6, 0, tzinfo=UTC),
        reason="reached the 7-day warning (thresholds 60, 30, 14, 7, 1 days)",
    )
    return [("Apr 4, 2025 at 11:14", news), ("Oct 20, 2025 at 09:00", swing),
            ("Oct 25, 2025 at 08:00", licence)]


def mrkdwn_html(text: str) -> str:
    """Slack mrkdwn (already entity-escaped for & < >) as HTML: links, mentions, *b*, _i_, `c`."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r'<a href="\1">\2</a>', text)
    text = re.sub(r"<@([A-Z0-9]+)>",
                  lambda m: f'<span class="mention">@{USERS.get(m.group(1), m.group(1))}</span>',
                  text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", text)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    return emoji(text.replace("\n", "<br>"))


def emoji(text: str) -> str:
    for char, html in EMOJI.items():
        text = text.replace(char, html)
    return text


def plain_html(text: str) -> str:
    return emoji(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def block_html(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<div class="header">{plain_html(block["text"]["text"])}</div>'
    if kind == "section":
        parts = []
        if "text" in block:
            parts.append(f'<div class="text">{mrkdwn_html(block["text"]["text"])}</div>')
        if block.get("fields"):
            cells = "".join(f'<div>{mrkdwn_html(f["text"])}</div>' for f in block["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        return f'<div class="section">{"".join(parts)}</div>'
    if kind == "context":
        items = "".join(f"<span>{mrkdwn_html(e['text'])}</span>" for e in block["elements"])
        return f'<div class="context">{items}</div>'
    if kind == "actions":
        buttons = "".join(
            f'<button class="{e.get("style", "")}">{plain_html(e["text"]["text"])}</button>'
            for e in block["elements"])
        return f'<div class="actions">{buttons}</div>'
    return ""


CSS = """
body { margin: 0; background: #fff; font: 15px/1.46668 Lato, 'Liberation Sans', 'DejaVu Sans',
       Arial, sans-serif; color: #1d1c1d; }
.channel { border-bottom: 1px solid #e2e2e2; padding: 12px 20px; font-weight: 900;
           font-size: 18px; }
.channel small { font-weight: 400; color: #616061; font-size: 13px; margin-left: 8px; }
.msg { display: flex; padding: 10px 20px 12px; }
.msg:hover { background: #f8f8f8; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #3f0e40; color: #fff;
          font-weight: 900; display: flex; align-items: center; justify-content: center;
          margin-right: 10px; flex: none; font-size: 17px; }
.body { flex: 1; min-width: 0; }
.who b { font-weight: 900; }
.app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; padding: 1px 4px;
       border-radius: 2px; margin: 0 4px; vertical-align: 2px; }
.time { color: #616061; font-size: 12px; }
.header { font-weight: 900; font-size: 18px; margin: 4px 0 6px; }
.section { margin: 4px 0 8px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 24px; margin-top: 8px; }
.context { color: #616061; font-size: 13px; margin: 4px 0; }
.actions { margin: 10px 0 2px; }
button { font: 700 15px Lato, 'Liberation Sans', sans-serif; border: 1px solid #c4c4c4;
         background: #fff; color: #1d1c1d; border-radius: 4px; padding: 4px 14px; margin-right: 8px;
         height: 32px; }
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


def page() -> str:
    messages = []
    for when, alert in examples():
        _fallback, blocks = render_alert(alert)
        inner = "".join(block_html(b) for b in blocks)
        messages.append(
            '<div class="msg"><div class="avatar">C</div><div class="body">'
            f'<div class="who"><b>Chokepoint</b><span class="app">APP</span>'
            f'<span class="time">{when}</span></div>{inner}</div></div>'
        )
    return (f"<!doctype html><meta charset='utf-8'><style>{CSS}</style>"
            '<div class="channel"># supply-risk<small>Rare-earth supply alerts</small></div>'
            + "".join(messages))


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no Chromium found; install chromium (apt-get install chromium)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "alert-example.png")
    parser.add_argument("--html", type=Path, help="also keep the HTML here")
    parser.add_argument("--size", default="820,1110", help="window width,height in CSS pixels")
    args = parser.parse_args(argv)
    html = page()
    if args.html:
        args.html.write_text(html, encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "alert.html"
        source.write_text(html, encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--force-device-scale-factor=2", f"--user-data-dir={tmp}/profile",
             f"--window-size={args.size}", f"--screenshot={args.out.resolve()}", source.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
