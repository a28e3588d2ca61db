"""Tolerant reading of `/chokepoint` text: subcommands, materials, expiry, products, countries."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.materials import UnknownMaterial, canonical

# Every spelling people reach for, mapped to the subcommand it means.
SUBCOMMANDS: dict[str, str] = {
    "help": "help", "?": "help", "h": "help", "commands": "help", "usage": "help",
    "status": "status", "stat": "status", "info": "status", "material": "status",
    "licences": "licences", "licence": "licences", "licenses": "licences", "license": "licences",
    "lic": "licences", "licensing": "licences", "permits": "licences",
    "exports": "exports", "export": "exports", "trade": "exports", "volumes": "exports",
    "alerts": "alerts", "alert": "alerts", "open": "alerts",
    "subscribe": "subscribe", "sub": "subscribe", "follow": "subscribe", "watch": "subscribe",
    "unsubscribe": "unsubscribe", "unsub": "unsubscribe", "unfollow": "unsubscribe",
    "unwatch": "unsubscribe",
    "subscriptions": "subscriptions", "subs": "subscriptions", "subscribed": "subscriptions",
    "mine": "subscriptions",
    "feeds": "feeds", "feed": "feeds", "sources": "feeds", "health": "feeds",
    "policy": "policy", "policies": "policy", "measures": "policy", "measure": "policy",
    "controls": "policy", "calendar": "policy",
    "exposure": "exposure", "exposed": "exposure", "parts": "exposure", "cover": "exposure",
}

_FILLER = {"and", "or", "&", "+", "to", "for", "on", "of", "me", "in"}
_MAX_DAYS = 3650


@dataclass(frozen=True)
class Parsed:
    """The subcommand and the rest of the text; `guess` is a close subcommand for a typo."""

    command: str | None
    rest: str
    word: str = ""
    guess: str | None = None


def parse(text: str) -> Parsed:
    """Split off the subcommand, ignoring case, a stray leading slash or 'chokepoint'."""
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    text = re.sub(r"^/?chokepoint\b\s*", "", text, flags=re.IGNORECASE)
    if not text:
        return Parsed("help", "")
    word, _, rest = text.partition(" ")
    key = word.lower().strip(":,.!")
    if key in SUBCOMMANDS:
        return Parsed(SUBCOMMANDS[key], rest.strip(), word)
    close = difflib.get_close_matches(key, list(SUBCOMMANDS), n=1, cutoff=0.75)
    return Parsed(None, rest.strip(), word, SUBCOMMANDS[close[0]] if close else None)


@dataclass(frozen=True)
class Materials:
    """Materials read from user text, and a sentence for each word that named none."""

    keys: tuple[str, ...]
    problems: tuple[str, ...]


def _material(words: list[str]) -> tuple[str, ...]:
    text = " ".join(words)
    try:
        return (canonical(text),)
    except UnknownMaterial as exc:
        # An alias of several materials ('NdPr', 'rare earth magnets') names all of them.
        return exc.suggestions if exc.name == text and "several" in str(exc) else ()


def parse_materials(text: str) -> Materials:
    """'dy, Tb and rare earths' -> (Dy, Tb, REE); the longest alias wins ('rare earth magnets')."""
    words = [w for w in re.split(r"[\s,;/]+", text) if w]
    keys: list[str] = []
    problems: list[str] = []
    i = 0
    while i < len(words):
        for span in (4, 3, 2, 1):
            if i + span <= len(words) and (found := _material(words[i:i + span])):
                keys.extend(found)
                i += span
                break
        else:
            word = words[i]
            if word.lower() not in _FILLER:
                try:
                    canonical(word)
                except UnknownMaterial as exc:
                    problems.append(str(exc))
            i += 1
    return Materials(tuple(dict.fromkeys(keys)), tuple(dict.fromkeys(problems)))


_EXPIRING = re.compile(
    r"\b(?:expir\w*|due)(?:\s+(?:in|within|before|under|<|<=|next))*"
    r"(?:\s*(-?\d+)\s*(?:d\b|days?\b|day\b)?|\s+(?:a|one)\s+(week|month))?",
    re.IGNORECASE,
)
_UNIT_DAYS = {"week": 7, "month": 30}
DEFAULT_EXPIRING_DAYS = 60


def split_expiring(text: str) -> tuple[str, int | None]:
    """'baotou expiring in 30 days' -> ('baotou', 30); 'expiring soon' -> ('', 60)."""
    m = _EXPIRING.search(text)
    if not m:
        return text.strip(), None
    if m.group(1) is not None:
        days = max(0, min(int(m.group(1)), _MAX_DAYS))
    elif m.group(2):
        days = _UNIT_DAYS[m.group(2).lower()]
    else:
        days = DEFAULT_EXPIRING_DAYS
    rest = (text[: m.start()] + " " + text[m.end():]).replace(" soon", " ")
    return re.sub(r"\s+", " ", rest).strip(), days


_COUNTRIES: dict[str, str] = {
    "all": "ALL", "world": "ALL", "total": "ALL", "global": "ALL", "everywhere": "ALL",
    "usa": "US", "america": "US", "united states": "US", "us": "US", "u.s.": "US",
    "germany": "DE", "japan": "JP", "korea": "KR", "south korea": "KR", "vietnam": "VN",
    "viet nam": "VN", "india": "IN", "netherlands": "NL", "holland": "NL", "france": "FR",
    "italy": "IT", "mexico": "MX", "thailand": "TH", "uk": "GB", "britain": "GB",
    "united kingdom": "GB", "taiwan": "TW", "canada": "CA", "poland": "PL", "philippines": "PH",
}


def country(text: str) -> str | None:
    """An ISO code from a code or a common name; None if the text is no country."""
    key = text.strip().lower()
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("-", " "))


def match_product(text: str, products: list[str]) -> list[str]:
    """The products `text` names: exact first, else those containing every word (as a prefix).

    The fewest extra words win, so 'rare earth' means 'rare earths', not 'rare earth magnets'.
    """
    want = _words(text)
    if not want:
        return []
    exact = [p for p in products if _words(p) == want or _words(p) == [*want[:-1], want[-1] + "s"]]
    if exact:
        return exact[:1]
    hits = [p for p in products
            if all(any(w.startswith(x) or w.rstrip("s") == x.rstrip("s") for w in _words(p))
                   for x in want)]
    if not hits:
        return []
    fewest = min(len(_words(p)) for p in hits)
    return [p for p in hits if len(_words(p)) == fewest]


def split_destination(text: str) -> tuple[str, str | None]:
    """'magnets to the US' -> ('magnets', 'US'); the destination is the last one or two words."""
    words = text.split()
    for n in (2, 1):
        if len(words) > n and (code := country(" ".join(words[-n:]))):
            rest = [w for w in words[:-n] if w.lower() not in ("to", "the", "for", "in")]
            return " ".join(rest), code
    return text, None
