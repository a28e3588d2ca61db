"""Outside text made inert where it enters: no control, invisible or direction-changing characters.

Called by the records outside text becomes (`Entry`, `Licence`, `TradePoint` in bot/models.py),
so a headline, a holder or a file cell reaches Slack, e-mail and the rendered images without
bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width characters
(U+200B–U+200D, U+2060, U+FEFF, U+180E) or C0/C1 controls other than tab and newline.
"""

from __future__ import annotations

_DROP = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
         0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F),
         0x2060, 0x2061, 0x2062, 0x2063, 0x2064, *range(0x2066, 0x206A), 0xFEFF]
_TABLE: dict[int, None] = dict.fromkeys(_DROP)
INVISIBLE = frozenset(chr(c) for c in _DROP)


def inert(text: str) -> str:
    """`text` without control, invisible and direction-changing characters."""
    return text.translate(_TABLE) if text else text
