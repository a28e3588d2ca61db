"""Classifies a news item as a restriction, an easing or neither, with the materials it is about.

Hand-written patterns over verb + object phrases ("halts ... shipments", "lifts ... curbs"),
applied in tiers so that the phrase that says which way a word points wins: "suspends export
controls" is consumed as easing before "suspends ... shipments" can read it as a restriction.

Decisions (the labelled set tests/data/headlines.yaml follows them):
* The headline decides. The summary's first sentence (the lede) decides only when the
  headline has no restriction or easing phrase at all; later sentences are context.
* A phrase does not count when it is negated ("will not restrict", "denies plans to ban"),
  speculative ("analysts fear China could ban", a question), or background: inside a
  subordinate clause ("prices jump after China lifts curbs", "shortage deepens as China
  withholds licences"). Explainers, factboxes, analysis and opinion pieces never fire.
  A headline whose only phrases are discounted this way is "neither" (it is about the
  consequence, not the measure); the lede is not consulted.
* Measures restrict whoever takes them (China, the US, Myanmar rebels, a company halting
  shipments); mine and plant halts, price cuts and trading halts are not trade measures.
* Materials: those the headline names; if it names none, those of the lede; if it names
  only groups (rare earths, magnets), the lede's individual elements are added. A story
  with no watched material is "neither", whatever its verbs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from bot.materials import MATERIALS, Mention, find_materials

Kind = Literal["restriction", "easing", "neither"]


@dataclass(frozen=True)
class Classification:
    """What a news item is, the materials it is about, and the words that decided it."""

    kind: Kind
    materials: tuple[str, ...]
    reason: str
    score: float


# --- vocabulary ------------------------------------------------------------------------

_W = r"[^\s,;:?!\x00]+"  # one word; \x00 marks text already consumed by an earlier tier
_SEP = r"(?:\s*,\s*|\s+)"
_TRADE = (r"(?:exports?|exporting|shipments?|shipping|sales?|selling|buying|supply|supplies"
          r"|deliveries|cargoes|cargo|imports?)")
_NOT_TRADE = rf"(?!{_TRADE}\b)"
# Mining, production and other site permits are not trade licences: suspending them is
# supply news, not an export measure.
_SITE = "".join(rf"(?<!{w}\s)" for w in ("mining", "exploration", "production", "operating",
                                           "drilling", "environmental", "building", "work"))
_LICENCES = (rf"{_SITE}(?:licen[cs]es?|permits?|applications?|approvals?|requests?)"
             r"(?!\s+requirement)(?!\s+(?:for|to)\s+(?:\S+\s+){0,3}?"
             r"(?:mining|mines?|exploration|production|drilling|plants?|refinery|project"
             r"|expansion|facility|site)\b)")
_STRONG = (r"(?:export\s+)?(?:controls?|curbs?|bans?|restrictions?|limits?|embargo(?:es)?"
           r"|quotas?|tariffs?|duty|duties|licen[cs](?:e|ing)\s+requirements?"
           r"|requirement\s+for\s+licen[cs]es|control\s+list|entity\s+list|blacklist"
           r"|catalogue)")
_RULES = r"(?:export\s+)?(?:rules|regime|measures|grip|licen[cs]ing(?:\s+(?:rules|regime))?)"
_CHECKS = r"(?:scrutiny|reviews?|checks|oversight)"

_R_VERB = (r"(?:ban(?:s|ned|ning)?|halt(?:s|ed|ing)?|suspend(?:s|ed|ing)?|stop(?:s|ped|ping)?"
           r"|block(?:s|ed|ing)?|restrict(?:s|ed|ing)?|curb(?:s|ed|ing)?|limit(?:s|ed|ing)?"
           r"|cut(?:s|ting)?(?:\s+off)?|chok(?:e|es|ed|ing)|freez(?:e|es|ing)|froze|frozen"
           r"|bar(?:s|red|ring)?|prohibit\w*|tighten\w*|hold(?:s|ing)?\s+up|held\s+up"
           r"|detain\w*|seiz(?:e|es|ed|ing)|withh[eo]ld\w*|delay(?:s|ed|ing)?"
           r"|embargo\w*|crack\w*\s+down\s+on)")
_R_PART = (r"(?:halted|suspended|stopped|blocked|banned|barred|restricted|curbed|stuck|held\s+up"
           r"|frozen|cut\s+off|detained|seized|delayed|on\s+hold)")
_E_VERB = (r"(?:lift\w*|eas(?:e|es|ed|ing)|relax\w*|scrap\w*|drop(?:s|ped|ping)?|remov\w+"
           r"|roll(?:s|ed|ing)?\s+back|suspend\w*|paus\w+|halt\w*|waiv\w+|end(?:s|ed|ing)?"
           r"|unfreez\w+|loosen\w*|delay\w*|postpon\w+|push(?:es|ed)?\s+back|rescind\w*"
           r"|revok\w+|withdr[ae]w\w*|cancel\w*|abolish\w*|revers\w+)")
_E_PART = (r"(?:lifted|eased|relaxed|scrapped|dropped|removed|rolled\s+back|suspended|paused"
           r"|halted|waived|ended|loosened|delayed|postponed|pushed\s+back|rescinded|revoked"
           r"|withdrawn|cancell?ed|abolished|reversed)")
_IMPOSE = (r"(?:impos\w+|announc\w+|introduc\w+|unveil\w*|add(?:s|ed|ing)?|expand\w*"
           r"|extend(?:s|ed|ing)?|plac\w+|puts?|putting|slap\w*|reimpos\w+|reinstat\w+"
           r"|restor\w+|propos\w+|weigh\w*|consider\w*|mull\w*|plan\w*|draft\w*|issu\w+)")
_TIGHTEN = r"(?:tighten\w*|toughen\w*|step\w*\s+up|strengthen\w*|widen\w*|broaden\w*)"
_OKAY = (r"okay\w*|ok(?:s|'d)|green\s*light\w*|authori[sz]\w*|sign\w*\s+off\s+on"
         r"|wav\w+\s+through")
# Verbs only: "approvals" and "processing" are nouns ("halts approvals", "processing licence").
_GRANT = (r"(?:grant(?:s|ed|ing)?|approv(?:e|es|ed|ing)|issu(?:e|es|ed|ing)|award(?:s|ed|ing)?"
          r"|receiv(?:e|es|ed|ing)|obtain(?:s|ed|ing)?|secur(?:e|es|ed|ing)|clear(?:s|ed)?"
          r"|get(?:s|ting)?|got|win(?:s|ning)?|won"
          r"|fast\s*track(?:s|ed|ing)?|unfreez(?:e|es|ing)|unfroze|process(?:es|ed)?"
          rf"|resum\w+\s+processing|expedit(?:e|es|ed|ing)|{_OKAY})")
_RESUME = (r"(?:resum\w+|restart\w*|reopen\w*|allow\w*|unblock\w*|approv\w+"
           rf"|clear(?:s|ed|ing)?\s+(?:the\s+)?way\s+for|{_OKAY})")


# A verb acting on a material itself ("bans Chinese rare earth magnets from ..."): the
# material (marked \x01 by _hits) must end the object, so "halts gallium project study" and
# "bans smoking in rare earth smelters" do not count.
_DIRECT = (r"\b(?P<v>ban(?:s|ned|ning)?|bar(?:s|red|ring)?|prohibit\w*|embargo\w*"
           r"|restrict(?:s|ed|ing)?|curb(?:s|ed|ing)?|block(?:s|ed|ing)?|halt(?:s|ed|ing)?"
           r"|suspend(?:s|ed|ing)?|stop(?:s|ped|ping)?|cut(?:s|ting)?\s+off|withh[eo]ld\w*)"
           r"(?:\s+(?!(?:in|at|on|of|for|to|from|by|with|due|after|over|under|into)\b)"
           r"[^\s,;:?!\x00\x01]+){0,3}\s+(?P<o>\x01+)"
           r"(?=\s*(?:$|[,;:.?!)]|(?:to|from|for|in|on|at|as|after|amid|over|until|with|by"
           r"|via|and|or|into)\b))")


def _gap(n: int, word: str = _W) -> str:
    return rf"(?:{_SEP}{word}){{0,{n}}}?{_SEP}"


def _literals(alternation: str) -> frozenset[str]:
    """The literal start of each alternative ('ban(?:s|ned)?|halt\\w*' -> ban, halt): one of
    them is in any text the alternation matches. Empty (no gate) if an alternative has none."""
    alts, depth, current, wrapped = [], 0, "", alternation.startswith("(?:")
    for i, ch in enumerate(alternation):
        depth += (ch == "(") - (ch == ")")
        wrapped = wrapped and (depth > 0 or i == len(alternation) - 1)
        if ch == "|" and depth == 0:
            alts.append(current)
            current = ""
        else:
            current += ch
    if wrapped:
        return _literals(alternation[3:-1])
    starts = []
    for alt in [*alts, current]:
        start = re.match(r"[a-z' ]*", alt).group()  # type: ignore[union-attr]
        if alt[len(start):len(start) + 1] in ("?", "*", "{"):  # the last letter is optional
            start = start[:-1]
        starts.append(start)
    return frozenset(starts) if all(starts) else frozenset()


_G_TRADE = frozenset(("export", "shipment", "shipping", "sale", "selling", "buying", "suppl",
                      "deliver", "cargo", "import"))
_G_MEASURE = frozenset(("control", "curb", "ban", "restriction", "limit", "embargo", "quota",
                        "tariff", "dut", "requirement", "list", "catalogue", "rules", "regime",
                        "measures", "licensing", "licencing", "grip"))
_G_LICENCE = frozenset(("licen", "permit", "application", "approval", "request"))
_GATE_OF = {_TRADE: _G_TRADE, _STRONG: _G_MEASURE, _LICENCES: _G_LICENCE,
            f"{_STRONG}|{_RULES}": _G_MEASURE, _DIRECT: frozenset(("\x01",))}
_Pattern = tuple[str, frozenset[str], frozenset[str]]


def _p(head: str, tail: str, n: int = 6, word: str = _W) -> _Pattern:
    """head, up to n words, tail; the ends are named so that a reason can quote them, and
    each end has a gate: substrings one of which the text must hold for the regex to run
    (a cheap `in` test that spares most scans, as every entry of every feed comes here)."""
    return (rf"\b(?P<v>{head}){_gap(n, word)}(?P<o>{tail})\b",
            _GATE_OF.get(head) or _literals(head), _GATE_OF.get(tail) or _literals(tail))


def _one(regex: str, gate: frozenset[str]) -> _Pattern:
    return regex, gate, frozenset()


RESTRICT, EASE = "restriction", "easing"
_MEASURE = f"{_STRONG}|{_RULES}"
# Tiers run in order; what a tier matches is masked before the next one looks.
_TIERS: tuple[tuple[tuple[str, _Pattern, float], ...], ...] = (
    (  # compound phrases whose direction differs from their words
        (EASE, _p(r"no\s+longer", r"need\w*|requir\w+|fac\w+|subject", 2), 1.0),
        (RESTRICT, _p(r"no\s+longer", r"(?:be\s+)?(?:exported|shipped|sold|supplied)", 2), 1.0),
        (EASE, _p(r"stop\w*|end\w*|scrap\w*|drop\w*", r"requiring", 0), 1.0),
        (EASE, _p(r"without", r"case\s+by\s+case|licen[cs]\w*|review\w*|approval", 3), 0.8),
        (RESTRICT, _p(r"suspension", r"expir\w+|lapse[sd]?|end(?:s|ed)?|runs?\s+out", 3), 1.0),
        (RESTRICT, _p(r"end(?:s|ed|ing)?|scrap\w*|lift\w*", r"suspension", 1), 1.0),
        (EASE, _p(r"extend\w*|prolong\w*", r"suspension", 2), 1.0),
        (EASE, _p(r"suspension", _MEASURE, 5), 1.0),
        (RESTRICT, _p(r"stop\w*|halt\w*|suspend\w*|freez\w+|ceas\w+|no\s+longer",
                      r"approv(?:als?|ing)|issu(?:ing|ance)|granting|processing", 2), 1.0),
        (RESTRICT, _p(r"revok\w+|cancel\w*|withdr[ae]w\w*|scrap\w*|suspend\w*|end(?:s|ed)?",
                      r"general\s+licen[cs]es?|exemptions?|waivers?|green\s+channel", 3), 1.0),
    ),
    (  # a measure eased: "lifts curbs", "curbs lifted", "removes ... from entity list"
        (EASE, _p(_E_VERB, _MEASURE, 6, _NOT_TRADE + _W), 1.0),
        (EASE, _p(_STRONG, _E_PART, 6), 0.9),
    ),
    (  # licences
        (RESTRICT, _p(r"den(?:y|ies|ied)|reject\w*|revok\w+|withh[eo]ld\w*|delay\w*|slow\w*"
                      r"|suspend\w*|freez\w+|froze|cancel\w*|refus\w+|turn\w*\s+down|los[et]",
                      _LICENCES), 1.0),
        (RESTRICT, _p(_LICENCES, r"denied|rejected|revoked|withheld|delayed|suspended|frozen"
                      r"|cancell?ed|refused|turned\s+down|pending|stalled|held\s+up", 5), 0.9),
        (RESTRICT, _p(r"requir\w+|need(?:s|ed)?|must\s+obtain|subject\s+to",
                      r"licen[cs]es?|permits?|approval|end\s+user\s+certificates", 5), 1.0),
        (RESTRICT, _p(r"licen[cs]es?|permits?", r"(?:again\s+)?(?:required|needed)", 3), 0.9),
        (RESTRICT, _p(r"must", r"submit|report|declare", 2), 0.6),
        (EASE, _p(_GRANT, _LICENCES), 1.0),
        (EASE, _p(_LICENCES, r"granted|approved|issued|cleared", 5), 0.9),
        (EASE, _one(r"\b(?P<v>general\s+licen[cs]es?|green\s+channel)\b",
                    frozenset(("general", "green"))), 0.6),
        (EASE, _p(r"exempt\w*", rf"{_MEASURE}|licen[cs]\w*|review\w*", 8), 1.0),
    ),
    (  # trade acted on, measures imposed
        (RESTRICT, _p(_R_VERB, _TRADE, 5), 1.0),
        (RESTRICT, _p(_TRADE, _R_PART, 6), 0.8),
        (RESTRICT, _p(_IMPOSE, _STRONG, 8), 1.0),
        (RESTRICT, _p(_TIGHTEN, rf"{_MEASURE}|{_CHECKS}", 6), 1.0),
        (RESTRICT, _p(_STRONG, r"tak\w+\s+effect|took\s+effect|c[oa]mes?\s+into\s+(?:force|effect)"
                      r"|go\w*\s+into\s+effect|kicks?\s+in|bites?", 6), 1.0),
        (RESTRICT, _p(r"cut\w*|reduc\w+|lower\w*|slash\w*", r"quotas?|allocations?", 6), 1.0),
        (RESTRICT, _one(r"\b(?P<v>blacklist(?:s|ed|ing)?)\b", frozenset(("blacklist",))), 0.8),
        (RESTRICT, _one(_DIRECT, frozenset(("\x01",))), 0.9),
        (EASE, _p(_RESUME, _TRADE, 5), 1.0),
        (EASE, _p(_TRADE, r"resum\w+|restart\w*", 4), 0.9),
    ),
)
_COMPILED = tuple(tuple((kind, re.compile(rx), w, heads, tails)
                        for kind, (rx, heads, tails), w in tier) for tier in _TIERS)
_GATES = frozenset(g for tier in _COMPILED for *_, heads, tails in tier for g in heads | tails)
_GATE_LENGTHS = sorted({len(g) for g in _GATES})
_WORD = re.compile(r"[a-z'\x01]+")
_word_gates: dict[str, frozenset[str]] = {}  # news vocabulary repeats: a word's gates once


def _gates_in(low: str) -> set[str]:
    """The gate literals that start a word of the text (every pattern starts at a word)."""
    present: set[str] = set()
    for word in _WORD.findall(low):
        gates = _word_gates.get(word)
        if gates is None:
            if len(_word_gates) > 100_000:
                _word_gates.clear()
            gates = _word_gates[word] = frozenset(
                word[:n] for n in _GATE_LENGTHS if n <= len(word) and word[:n] in _GATES)
        present |= gates
    return present

_NEGATION = re.compile(
    r"\b(?:not|never|won't|cannot|can't|\w+n't|no(?!\s+longer)|den(?:y|ies|ied|ying)"
    r"|rul(?:e|es|ed|ing)\s+out|refus\w+\s+to|unlikely\s+to)\b")
_SPECULATION = re.compile(
    r"\b(?:fears?|feared|fearing|worr(?:y|ies|ied)|concerns?|could|might|possibl[ey]"
    r"|potential(?:ly)?|threat\w*|risks?|speculat\w+|rumou?rs?|if)\b")
_MAY = re.compile(r"\bmay\b")  # case-sensitive: "May" is usually the month
_SUBORDINATE = re.compile(
    r"\b(?:after|amid|since|following|despite|while|when|whereas|because|before|until|which"
    r"|who|whose|ahead\s+of|in\s+the\s+wake\s+of|due\s+to|helped\s+by|driven\s+by"
    r"|as(?!\s+(?:part|well|of|a|an|per|such|much|many|long|soon|expected|planned|usual)\b))\b")
_CLAUSE_BREAK = re.compile(r"[,;:?!()\u2013\u2014]|\s-\s")
_FEATURE = re.compile(r"^\s*(?:explainer|factbox|analysis|insight|column|opinion|commentary"
                      r"|comment|timeline|q&a|breakingviews|graphic|podcast|video|editorial)"
                      r"\s*[:|\u2013\u2014-]", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\u201c]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.|\b(?:No|Nos|Mr|Ms|Dr|Inc|Corp|Co|Ltd|St|Jan|Feb|Mar|Apr"
                           r"|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|approx)\.)$")
# A bare element symbol before a trade word ("China bans Dy exports") names the element here
# even though running text elsewhere needs a material word ("Dy oxide") to be sure.
_SYMBOLS = sorted((k for k, m in MATERIALS.items() if m.kind in ("element", "mineral")
                   and k != "graphite"), key=len, reverse=True)
_SYMBOL_TRADE = re.compile(rf"(?<![A-Za-z0-9])({'|'.join(_SYMBOLS)})\s+(?i:{_TRADE})\b")
_GROUPS = frozenset({"REE", "NdFeB", "SmCo"})
_MAX_RAW, _MAX_TITLE, _MAX_LEDE = 4000, 300, 600


@dataclass(frozen=True)
class _Hit:
    kind: str
    weight: float
    start: int
    phrase: str
    discount: str  # "" when the phrase counts, else why it does not


def _clean(text: str) -> str:
    """Markup out, entities decoded, one space between words: what a reader sees."""
    return " ".join(html.unescape(_TAG.sub(" ", html.unescape(text or ""))).split())


def _lede(summary: str) -> str:
    for m in _SENTENCE_END.finditer(summary):
        if not _ABBREVIATION.search(summary, max(0, m.start() - 10), m.start()):
            return summary[:m.start()]
    return summary


def _discount(text: str, low: str, start: int, end: int) -> str:
    clause_start = 0
    for br in _CLAUSE_BREAK.finditer(low, 0, start):
        clause_start = br.end()
    before = low[clause_start:start]
    words_before = " ".join(before.split()[-5:])
    if _NEGATION.search(words_before):
        return "negated"
    next_break = _CLAUSE_BREAK.search(low, end)
    if (_SPECULATION.search(before) or _MAY.search(text, clause_start, start)
            or (next_break is not None and next_break.group() == "?")):
        return "speculative"
    if _SUBORDINATE.search(before):
        return "background"
    return ""


def _hits(text: str, mentions: list[Mention]) -> list[_Hit]:
    low = text.lower().replace("-", " ")  # same length, so offsets hold in text too
    if len(low) != len(text):  # a rare character whose lower case is longer
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text).replace("-", " ")
    for mention in mentions:  # each material one marked word, for _DIRECT
        low = low[:mention.start] + "\x01" * (mention.end - mention.start) + low[mention.end:]
    masked = low
    found: list[_Hit] = []
    present = _gates_in(low)
    for tier in _COMPILED:
        spans: list[tuple[int, int]] = []
        for kind, rx, weight, heads, tails in tier:
            if (heads and present.isdisjoint(heads)) or (tails and present.isdisjoint(tails)):
                continue
            for m in rx.finditer(masked):
                head, tail = m.span("v"), (m.span("o") if m.groupdict().get("o") else m.span())
                if tail[0] > head[1] + 1:
                    phrase = f"{text[head[0]:head[1]]} ... {text[tail[0]:tail[1]]}"
                else:
                    phrase = text[m.start():m.end()]
                found.append(_Hit(kind, weight, m.start(), phrase,
                                  _discount(text, low, m.start(), m.end())))
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
    return named + tuple(k for k in in_lede if not (named and k in _GROUPS) and k not in named)


def _decide(hits: list[_Hit], unit: str, unit_weight: float) -> tuple[Kind, str, float]:
    counted = [h for h in hits if not h.discount]
    if not counted:
        first = hits[0]
        return "neither", f'neither: "{first.phrase}" is {first.discount} ({unit})', 0.0
    totals = {RESTRICT: 0.0, EASE: 0.0}
    for h in counted:
        totals[h.kind] += h.weight
    if totals[RESTRICT] != totals[EASE]:
        kind = max(totals, key=lambda k: totals[k])
    else:  # a tie goes to the phrase the headline leads with
        kind = min(counted, key=lambda h: h.start).kind
    lead = next(h for h in counted if h.kind == kind)
    other = EASE if kind == RESTRICT else RESTRICT
    score = max(0.05, min(1.0, unit_weight * (totals[kind] - 0.5 * totals[other])))
    label = "restrict" if kind == RESTRICT else "ease"
    return kind, f'{label}: "{lead.phrase}" ({unit})', round(score, 3)  # type: ignore[return-value]


def classify(title: str, summary: str = "") -> Classification:
    """Restriction, easing or neither for one news item; pure, offline and fast.

    Only the first 300 characters of the headline and 600 of the lede are read: no real
    headline is longer, and a crafted 100 kB entry then costs no more than a normal one.
    """
    title = _clean(title[:_MAX_RAW])[:_MAX_TITLE]
    lede = _lede(_clean(summary[:_MAX_RAW]))[:_MAX_LEDE]
    in_title = find_materials(title)
    materials = _materials(title, in_title, lede)
    if not materials:
        return Classification("neither", (), "neither: no watched material", 0.0)
    if _FEATURE.search(title):
        return Classification("neither", materials, "neither: analysis or explainer piece", 0.0)
    hits = _hits(title, in_title)
    if hits:
        kind, reason, score = _decide(hits, "title", 1.0)
    else:
        hits = _hits(lede, find_materials(lede))
        if not hits:
            return Classification("neither", materials,
                                  "neither: no restriction or easing terms", 0.0)
        kind, reason, score = _decide(hits, "summary", 0.7)
    return Classification(kind, materials, reason, score)
