"""News stories: one alert per event however many feeds carry it (similar titles, shared links)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from bot.material_graph import any_covered
from bot.materials import MATERIALS
from bot.models import Entry
from bot.rules.context import StoryRef

# Words that carry no identity of a story. Domain words that every headline has ("rare",
# "earth", "china") are kept: they are weak alone, but the threshold needs several shared words.
_STOP = frozenset((
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "by", "with", "and", "or",
    "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "into", "over", "after", "amid", "says", "said", "say", "new", "more", "than",
    "about", "up", "out", "off", "but", "not", "no", "will", "would", "could", "may", "might",
    "has", "have", "had", "his", "her", "their", "our", "your", "we", "they", "he", "she",
    "before", "report", "reports", "reported", "sources", "source", "news", "update", "latest",
    "exclusive", "analysis",
))

# Headlines of one event from several outlets pick different words for the same thing.
_SYNONYMS = {
    "beijing": "china", "chinese": "china", "prc": "china", "mofcom": "china",
    "shipment": "export", "shipments": "export", "exports": "export", "exporting": "export",
    "exported": "export", "sales": "export", "supply": "export", "supplies": "export",
    "suspend": "halt", "suspends": "halt", "suspended": "halt", "stop": "halt", "stops": "halt",
    "halts": "halt", "halted": "halt", "freeze": "halt", "freezes": "halt", "pause": "halt",
    "pauses": "halt", "paused": "halt",
    "curb": "curb", "curbs": "curb", "restrict": "curb", "restricts": "curb",
    "restriction": "curb", "restrictions": "curb", "limit": "curb", "limits": "curb",
    "control": "curb", "controls": "curb", "tighten": "curb", "tightens": "curb",
    "ban": "ban", "bans": "ban", "banned": "ban", "prohibit": "ban", "prohibits": "ban",
    "lift": "lift", "lifts": "lift", "lifted": "lift", "ease": "lift", "eases": "lift",
    "eased": "lift", "resume": "lift", "resumes": "lift", "resumed": "lift",
    "licence": "licence", "license": "licence", "licences": "licence", "licenses": "licence",
    "permit": "licence", "permits": "licence", "approval": "licence", "approvals": "licence",
    "us": "us", "usa": "us", "america": "us", "american": "us", "washington": "us",
}
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_US_RE = re.compile(r"\bu\.\s?s\.(?:\s?a\.)?|\bunited states\b", re.IGNORECASE)


# Words nearly every story here shares: they count a quarter, so that "... to Japan" and
# "... to India" stay two stories while rewordings of one event still meet.
_WEAK = frozenset({
    "china", "export", "rare", "earth", "element", "halt", "curb", "ban", "lift", "licence",
    "mineral", "critical", "metal", "oxide", "magnet", "trade", "rule", "measure",
} | {_w for _m in MATERIALS.values() for _a in _m.aliases for _w in _TOKEN_RE.findall(_a.lower())})
_MONTHS = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june",
           "jul": "july", "aug": "august", "sep": "september", "sept": "september",
           "oct": "october", "nov": "november", "dec": "december"}


def _stem(word: str) -> str:
    # Crude on purpose: only needs to make "restrictions"/"restriction" and "adds"/"adding" meet.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def title_tokens(title: str) -> frozenset[str]:
    """The words that identify a headline: lower-cased, synonyms merged, stop words dropped."""
    text = _US_RE.sub(" us ", title).lower()
    out = set()
    for word in _TOKEN_RE.findall(text):
        if word in _STOP:
            continue
        out.add(_SYNONYMS.get(word) or _MONTHS.get(word) or _stem(word))
    return frozenset(out)


@lru_cache(maxsize=65536)
def _weight(tokens: frozenset[str]) -> float:
    return sum(0.25 if t in _WEAK else 1.0 for t in tokens)


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Jaccard, raised to containment when one headline is a shortening of the other."""
    common = a & b
    if not common:
        return 0.0
    shared, wa, wb = _weight(common), _weight(a), _weight(b)
    jaccard = shared / (wa + wb - shared)
    # A headline that is a shortening of a longer one of the same event ("China halts exports
    # of seven rare earths"); only when they share a telling word, not just "china, export".
    if min(len(a), len(b)) < 4 or common <= _WEAK:
        return jaccard
    return max(jaccard, 0.9 * shared / min(wa, wb))


def related_materials(a: Iterable[str], b: Iterable[str]) -> bool:
    """Can two sets of materials be one story (through the materials graph, either way)?"""
    a, b = tuple(a), tuple(b)
    return any_covered(a, b) or any_covered(b, a)


def ordered(materials: Iterable[str]) -> tuple[str, ...]:
    """Materials in the vocabulary's order (REE, the elements, magnets, minerals), each once."""
    wanted = set(materials)
    return tuple(k for k in MATERIALS if k in wanted) + tuple(sorted(wanted - set(MATERIALS)))


def story_id(entry: Entry) -> str:
    """A short stable id for a story led by `entry` (the same entry always gives the same id)."""
    return hashlib.sha256(f"{entry.feed}\0{entry.uid}".encode()).hexdigest()[:12]


@dataclass
class Story:
    """A cluster being built: entries of this batch, perhaps joining an existing story alert."""

    entries: list[Entry]
    materials: set[str]
    tokens: list[frozenset[str]]
    links: set[str]
    existing: StoryRef | None = None
    first_published: datetime | None = None

    @property
    def lead(self) -> Entry:
        return self.entries[0]


def _joins(
    story: Story, tokens: frozenset[str], link: str, materials: frozenset[str], threshold: float
) -> bool:
    if link and link in story.links:
        return True
    if not related_materials(story.materials, materials):
        return False
    return any(title_similarity(tokens, t) >= threshold for t in story.tokens)


_MAX_HEADLINES = 8


def cluster(
    judged: Sequence[tuple[Entry, tuple[str, ...]]],
    existing: Sequence[StoryRef],
    *,
    now: datetime,
    window: timedelta,
    threshold: float,
) -> list[Story]:
    """Group (entry, materials) pairs into stories, oldest entry first (it leads its story).

    An entry joins an existing story alert created within `window` of `now`, else a story of
    this batch whose lead was published within `window` of it, else starts a new story.
    Only stories that received entries are returned.
    """
    seeds = [
        Story(entries=[], materials=set(ref.materials),
              tokens=[title_tokens(t) for t in ref.titles], links=set(ref.links),
              existing=ref)
        for ref in existing
        if now - ref.created <= window
    ]
    stories: list[Story] = []
    for entry, named in sorted(judged, key=lambda p: (p[0].published, p[0].uid)):
        tokens, materials = title_tokens(entry.title), frozenset(named)
        home = next(
            (s for s in seeds if _joins(s, tokens, entry.link, materials, threshold)), None
        ) or next(
            (s for s in stories
             if s.first_published is not None
             and abs(entry.published - s.first_published) <= window
             and _joins(s, tokens, entry.link, materials, threshold)),
            None,
        )
        if home is None:
            home = Story(entries=[], materials=set(), tokens=[], links=set(),
                         first_published=entry.published)
            stories.append(home)
        home.entries.append(entry)
        home.materials.update(materials)
        # Comparing with the first few distinct headlines is enough to recognise a rewording,
        # and keeps a story with hundreds of sources from making each comparison slower.
        if len(home.tokens) < _MAX_HEADLINES and tokens not in home.tokens:
            home.tokens.append(tokens)
        if entry.link:
            home.links.add(entry.link)
    return [s for s in seeds if s.entries] + stories
