"""The weekly digest rendered from its context: subject, text and HTML (templates/digest/)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.digest.chart import render_chart
from bot.digest.context import DigestContext, build_digest
from bot.exposure import Part
from bot.policy.measures import Measure
from bot.store import Store
from bot.templates import environment


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


def write_digest_html(store: Store, path: Path | str, *, now: datetime, tz: ZoneInfo,
                      policies: Sequence[Measure] = (),
                      parts: Sequence[Part] = ()) -> Path:
    """`chokepoint digest --out FILE`: the digest's HTML with the chart embedded."""
    rendered = render_digest(build_digest(store, now=now, tz=tz, policies=policies, parts=parts),
                             inline_images=True)
    out = Path(path)
    out.write_text(rendered.html, encoding="utf-8")
    return out
