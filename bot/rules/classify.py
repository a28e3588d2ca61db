"""Classifies a news item as a restriction, an easing or neither, with the materials it is about.

The vocabulary is data (bot/rules/vocabulary.py, vocabulary_zh.py: named tiers of terms);
this module is the engine that reads a headline with it (docs/rules.md, "How news is judged"):

* The headline decides. The summary's first sentence (the lede) decides only when the
  headline names a watched material (or "critical minerals") but no restriction or easing
  term at all, and is not about something else (prices, markets, results, mines, history);
  later sentences are context.
* A term does not count when it is negated ("will not restrict", "denies plans to ban"),
  speculative ("weighs curbs", "analysts fear China could ban", a question), history ("the
  highest since China banned ..."), or a bare noun phrase in a background clause ("exports
  plunge amid curbs"). A term with its own verb counts inside a consequence clause too
  ("buyers scramble as Beijing turns down licence requests"): it reports a new action.
  Explainers, factboxes, analysis and opinion pieces never fire. A headline whose only
  terms are discounted is "neither"; the lede is not consulted.
* Chinese headlines (simplified or traditional) are read with the Chinese vocabulary.
* Materials: those the headline names; if it names none, those of the lede; if it names
  only groups (rare earths, magnets), the lede's elements and magnets are added. A story
  with no watched material is "neither", whatever its verbs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from bot.material_graph import covers, parts_of
from bot.materials import MATERIALS, Mention, display_name, find_materials
from bot.rules.grammar import EN, ZH, Compiled, Grammar, extended
from bot.rules.vocabulary import EASE, RESTRICT, TRADE

Kind = Literal["restriction", "easing", "neither"]


@dataclass(frozen=True)
class Classification:
    """What a news item is, the materials it is about, and the words that decided it."""

    kind: Kind
    materials: tuple[str, ...]
    reason: str
    score: float
    lang: str = "en"
    measure: str = ""  # the decisive words, in English (a Chinese term's gloss)

    @property
    def judged(self) -> str:
        """One English line saying what was judged: measure, direction, materials."""
        if self.kind == "neither":
            return "Judged: no new restriction or easing"
        names = ", ".join(display_name(m) for m in self.materials)
        return f"Judged: {self.kind} ({self.measure}) on {names}"


_TAG = re.compile(r"<[^<>]*>")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\u201c]?[A-Z0-9])|(?<=[。！？])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.|\b(?:No|Nos|Mr|Ms|Dr|Inc|Corp|Co|Ltd|St|Jan|Feb|Mar|Apr"
                           r"|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|approx)\.)$")
# A bare element symbol before a trade word ("China bans Dy exports") names the element here
# even though running text elsewhere needs a material word ("Dy oxide") to be sure.
_SYMBOLS = sorted((k for k, m in MATERIALS.items() if m.kind in ("element", "mineral")
                   and k != "graphite"), key=len, reverse=True)
_SYMBOL_TRADE = re.compile(rf"(?<![A-Za-z0-9])({'|'.join(_SYMBOLS)})\s+(?i:{TRADE})\b")
_GROUPS = frozenset({"REE", "NdFeB", "SmCo"})
_MAX_RAW, _MAX_TITLE, _MAX_LEDE = 4000, 300, 600
_GATED = True  # tests turn the gates off to show they change no verdict


@dataclass(frozen=True)
class _Hit:
    term: Compiled
    start: int
    phrase: str
    discount: str  # "" when the term counts, else why it does not


def _clean(text: str) -> str:
    """Markup out, entities decoded, one space between words: what a reader sees."""
    return " ".join(html.unescape(_TAG.sub(" ", html.unescape(text or ""))).split())


def _lede(summary: str) -> str:
    for m in _SENTENCE_END.finditer(summary):
        if not _ABBREVIATION.search(summary, max(0, m.start() - 10), m.start()):
            return summary[:m.start()]
    return summary


def _discount(g: Grammar, text: str, low: str, start: int, end: int, term: Compiled) -> str:
    clause_start = 0
    for br in g.clause_break.finditer(low, 0, start):
        clause_start = br.end()
    before = low[clause_start:start]
    window = " ".join(before.split()[-5:]) if g.words else before[-10:]
    if g.negation.search(window):
        return "negated"
    next_break = g.clause_break.search(low, end)
    # A hedge governs its own clause: "concern as China tightens controls" reports a fact.
    own = clause_start + max((m.end() for m in g.subordinate.finditer(before)), default=0)
    if (term.term.hedged or g.speculation.search(low, own, start) or g.may.search(text, own, start)
            or (next_break is not None and next_break.group() in "?？"
                and not g.answered.match(low, next_break.end()))):
        return "speculative"
    if g.history.search(before):
        return "history"
    sub = g.subordinate.search(before)
    if sub and (not term.term.verbal or g.market.search(before, 0, sub.start())):
        return "background"  # "exports plunge amid curbs"; "prices soar as China bans ..."
    clause_end = next_break.start() if next_break else len(low)
    if g.not_material.search(low, clause_start, clause_end):
        return "on technology, not the material"
    return ""


def _lower(text: str) -> str:
    low = text.lower().replace("-", " ")  # same length, so offsets hold in text too
    if len(low) != len(text):  # a rare character whose lower case is longer
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text).replace("-", " ")
    return low


def _hits(g: Grammar, text: str, mentions: list[Mention]) -> list[_Hit]:
    low = _lower(text)
    for mention in mentions:  # each material one marked word, for terms on the material itself
        low = low[:mention.start] + "\x01" * (mention.end - mention.start) + low[mention.end:]
    masked = low
    found: list[_Hit] = []
    present = g.present(low)
    for tier in g.tiers:
        spans: list[tuple[int, int]] = []
        for term in tier:
            if _GATED and not term.may_match(present):
                continue
            for m in term.regex.finditer(masked):
                head = m.span("v")
                tail = m.span("o") if "o" in term.regex.groupindex else m.span()
                if tail[0] > head[1] and g.subordinate.search(low, head[1], tail[0]):
                    continue  # the two ends are in different clauses: "exports slump as ... curbed"
                if tail[0] > head[1] + 1:
                    phrase = f"{text[head[0]:head[1]]} ... {text[tail[0]:tail[1]]}"
                else:
                    phrase = text[m.start():m.end()]
                found.append(_Hit(term, m.start(), phrase,
                                  _discount(g, text, low, m.start(), m.end(), term)))
                spans.append(m.span())
        for a, b in spans:
            masked = masked[:a] + "\x00" * (b - a) + masked[b:]
    return found


def _keys(mentions: list[Mention]) -> tuple[str, ...]:
    named = {m.material for m in mentions}
    return tuple(k for k in MATERIALS if k in named)


def _materials(title: str, in_title: list[Mention], lede: str) -> tuple[str, ...]:
    named = _keys(in_title)
    symbols = tuple(m.group(1) for m in _SYMBOL_TRADE.finditer(title))
    named += tuple(s for s in symbols if s in MATERIALS and s not in named)
    if named and not set(named) <= _GROUPS:
        return named
    in_lede = _keys(find_materials(lede))
    if not named:
        wanted = set(in_lede)
    else:  # only groups named: add the lede's members of those groups and their products
        wanted = set(named) | {k for k in in_lede if any(
            covers(g, k) or g in parts_of(k) for g in named)}
    return tuple(k for k in MATERIALS if k in wanted)


def _quote(hit: _Hit) -> str:
    said = f'"{hit.phrase}"'
    gloss = hit.term.term.gloss
    if gloss and gloss != hit.phrase:
        said += f" = {gloss}"
    if hit.term.tier == "rule terms":
        said += " [rule term]"
    return said


def _decide(hits: list[_Hit], unit: str, unit_weight: float) -> tuple[Kind, str, str, float]:
    counted = [h for h in hits if not h.discount]
    ignored = "; ".join(f"{_quote(h)} is {h.discount}" for h in hits if h.discount)
    if not counted:
        return "neither", f"neither: {ignored} ({unit})", "", 0.0
    totals = {RESTRICT: 0.0, EASE: 0.0}
    for h in counted:
        totals[h.term.term.direction] += h.term.term.weight
    if totals[RESTRICT] != totals[EASE]:
        kind = max(totals, key=lambda k: totals[k])
    else:  # a tie goes to the term the headline leads with
        kind = min(counted, key=lambda h: h.start).term.term.direction
    lead = next(h for h in counted if h.term.term.direction == kind)
    other = EASE if kind == RESTRICT else RESTRICT
    score = max(0.05, min(1.0, unit_weight * (totals[kind] - 0.5 * totals[other])))
    label = "restrict" if kind == RESTRICT else "ease"
    reason = f"{label}: {_quote(lead)} ({unit})"
    if ignored:
        reason += f"; not counted: {ignored}"
    measure = lead.term.term.gloss or lead.phrase
    return kind, reason, measure, round(score, 3)


def classify(title: str, summary: str = "", *, extra_restrict: tuple[str, ...] = (),
             extra_ease: tuple[str, ...] = ()) -> Classification:
    """Restriction, easing or neither for one news item; pure, offline and fast.

    `extra_restrict`/`extra_ease` are a rule's own terms (its `extra_terms`). Only the first
    300 characters of the headline and 600 of the lede are read: no real headline is longer,
    and a crafted 100 kB entry then costs no more than a normal one.
    """
    title = _clean(title[:_MAX_RAW])[:_MAX_TITLE]
    lede = _lede(_clean(summary[:_MAX_RAW]))[:_MAX_LEDE]
    lang = "zh" if _CJK.search(title) else "en"
    g = EN if lang == "en" else ZH
    if extra_restrict or extra_ease:
        g = extended(lang, extra_restrict, extra_ease)
    in_title = find_materials(title)
    materials = _materials(title, in_title, lede)
    if not materials and not g.generic.search(_lower(title)):
        return Classification("neither", (), "neither: no watched material", 0.0, lang)
    if g.feature.search(title):
        return Classification("neither", materials, "neither: analysis or explainer piece",
                              0.0, lang)
    hits = _hits(g, title, in_title)
    if hits:
        kind, reason, measure, score = _decide(hits, "title", 1.0)
    else:
        topic = g.off_topic.search(_lower(title)) or g.speculation.search(_lower(title))
        if topic or not g.lede_if.search(title) or not (in_title or g.generic.search(_lower(title))):
            about = f'about "{topic.group()}"' if topic else (
                "no notice" if in_title else "about no watched material")
            return Classification("neither", materials, f"neither: the headline is {about}, "
                                  "with no measure of its own", 0.0, lang)
        lede_g = g if bool(_CJK.search(lede)) == (lang == "zh") else (ZH if lang == "en" else EN)
        hits = _hits(lede_g, lede, find_materials(lede))
        if not hits:
            return Classification("neither", materials,
                                  "neither: no restriction or easing terms", 0.0, lang)
        kind, reason, measure, score = _decide(hits, "summary", 0.7)
    return Classification(kind, materials, reason, score, lang, measure)
