"""Render docs/digest.png: the fixture week's HTML digest, screenshotted by headless Chromium.

    .venv/bin/python scripts/render_digest_png.py [--out docs/digest.png] [--html FILE]

Uses the same fixture as the golden-file test (tests/data/digest: week 2026-W03 with real
export figures) and Debian's `chromium`; the grey margin below the mail is trimmed off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.digest.render import write_digest_html  # noqa: E402 - after the path set-up above
from bot.store import Store  # noqa: E402
from tests.helpers.digest_week import NOW, TZ, load_week  # noqa: E402

WIDTH = 760  # a mail client's reading pane: the 664px mail plus its grey margin
BACKGROUND = (0xEE, 0xF0, 0xF3)  # the body colour of templates/digest/html.j2


def screenshot(html: Path, png: Path, *, chromium: str, scale: float) -> None:
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--force-device-scale-factor={scale}", f"--window-size={WIDTH},6000",
         f"--screenshot={png}", html.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )


def trim_bottom(png: Path, *, margin: int) -> Image.Image:
    """Cut the page's empty background below the mail, keeping `margin` pixels of it."""
    image = Image.open(png).convert("RGB")
    plain = Image.new("RGB", image.size, BACKGROUND)
    box = ImageChops.difference(image, plain).getbbox()
    bottom = image.height if box is None else min(image.height, box[3] + margin)
    return image.crop((0, 0, image.width, bottom))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "digest.png")
    parser.add_argument("--html", type=Path, help="also keep the rendered HTML here")
    parser.add_argument("--scale", type=float, default=1.5, help="device pixel ratio")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(f"sqlite:///{folder}/digest.db")
        load_week(store)
        html = write_digest_html(store, args.html or folder / "digest.html", now=NOW, tz=TZ)
        store.dispose()
        raw = folder / "raw.png"
        screenshot(html, raw, chromium=args.chromium, scale=args.scale)
        image = trim_bottom(raw, margin=round(24 * args.scale))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"{args.out}: {image.width}x{image.height}, {args.out.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
