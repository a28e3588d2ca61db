"""The English vocabulary of the news classifier, as data: word classes and named tiers.

A term is a regex over the lower-cased text (hyphens read as spaces, each watched material
marked by \\x01), a direction, a weight and whether it is *verbal* (it reports an action with
its own verb, which counts even inside a consequence clause: "buyers scramble as Beijing
turns down licence requests"). Terms are grouped in tiers that run in order; what a tier
matches is masked before the next looks, so the phrase that says which way a word points
wins: "suspends export controls" is consumed as easing before "suspends ... shipments" can
read it as a restriction. The grammar around the terms (negation, hedges, clause position)
is in bot/rules/grammar.py; the engine in bot/rules/classify.py. Rules add terms of their
own with `extra_terms` (docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["restriction", "easing"]
RESTRICT: Direction = "restriction"
EASE: Direction = "easing"


@dataclass(frozen=True)
class Term:
    """One pattern: its direction, weight, whether it has its own verb, and an English gloss
    (what the bot says it judged; for English terms the matched words say it themselves)."""

    direction: Direction
    regex: str
    weight: float = 1.0
    verbal: bool = True
    gloss: str = ""
    hedged: bool = False  # the term itself is a plan or threat ("weighs curbs"): never counts


@dataclass(frozen=True)
class Tier:
    name: str
    terms: tuple[Term, ...]


# --- word classes ------------------------------------------------------------------------

W = r"[^\s,;:?!\x00]+"  # one word; \x00 marks text already consumed by an earlier tier
SEP = r"(?:\s*,\s*|\s+)"
TRADE = (r"(?:exports?|exporting|shipments?|shipping|sales|selling|buying"
         r"|supply(?!\s+(?:deals?|chains?|agreements?|contracts?))|supplies"
         r"|deliveries|cargoes|cargo|imports?|outbound\s+shipments)")
# Company figures are not trade: "cuts sales forecast", "halts exports data".
TRADE = TRADE + (r"(?!\s+(?:forecasts?|guidance|targets?|growth|revenues?|prices?|volumes?"
                 r"|figures|data|teams?|chiefs?)\b)")
NOT_TRADE = rf"(?!{TRADE}\b)"
# Mining, production and other site permits are not trade licences: suspending them is
# supply news, not an export measure.
_SITE = "".join(rf"(?<!{w}\s)" for w in ("mining", "exploration", "production", "operating",
                                          "drilling", "environmental", "building", "work",
                                          "mine", "plant"))
LICENCES = (rf"{_SITE}(?:licen[cs]es?|licen[cs]ing|permits?|applications?|approvals?"
            r"|requests?)"
            r"(?!\s+requirement)(?!\s+(?:for|to)\s+(?:\S+\s+){0,3}?"
            r"(?:mining|mines?|exploration|production|drilling|plants?|refinery|project"
            r"|expansion|facility|site|produce|process|build|develop|operate|expand)\b)")
STRONG = (r"(?:export\s+)?(?!\S+\s+(?:exemptions?|relief|waivers?|truce)\b)"
          r"(?:controls?|curbs?|(?<!mining\s)(?<!smoking\s)bans?|restrictions?|limits?|embargo(?:es)?"
          r"|prohibitions?|(?<!mining\s)(?<!production\s)quotas?|tariffs?|duty|duties"
          r"|licen[cs](?:e|ing)\s+requirements?"
          r"|requirement\s+for\s+licen[cs]es|control\s+list|entity\s+list|blacklist"
          r"|catalogue|anti\s+dumping\s+(?:duties|duty|tariffs?|measures)"
          r"|countervailing\s+(?:duties|duty|tariffs?|measures))")
RULES = r"(?:export\s+)?(?:rules|regime|measures|grip|polic(?:y|ies)|licen[cs]ing(?:\s+(?:rules|regime))?)"
CHECKS = r"(?:scrutiny|reviews?|checks|oversight)"
MEASURE = f"{STRONG}|{RULES}"
NOT_RESTRICTING = r"(?!(?:restrict|limit|curb|ban|halt|block|stop|suspend)\w*\b)"
NOT_QUOTA = r"(?!(?:\S+\s+){0,2}quotas?\b)"  # "sets/issues a quota" is no measure

R_VERB = (r"(?:ban(?:s|ned|ning)?|halt(?:s|ed|ing)?|suspend(?:s|ed|ing)?|stop(?:s|ped|ping)?"
          r"|block(?:s|ed|ing)?|restrict(?:s|ed|ing)?|curb(?:s|ed|ing)?|limit(?:s|ing)?"
          r"|cut(?:s|ting)?(?:\s+off)?|chok(?:e|es|ed|ing)|freez(?:e|es|ing)|froze|frozen"
          r"|bar(?:s|red|ring)?|prohibit\w*|hold(?:s|ing)?\s+up|held\s+up|stall(?:s|ed|ing)?"
          r"|detain\w*|seiz(?:e|es|ed|ing)|withh[eo]ld\w*|delay(?:s|ed|ing)?"
          r"|embargo\w*|crack\w*\s+down\s+on|throttl\w+|squeez\w+|paus(?:e|es|ed|ing))")
R_PART = (r"(?<!of\s)(?:halted|suspended|stopped|blocked|banned|barred|restricted|curbed|stuck"
          r"|held\s+up|frozen|cut\s+off|detained|seized|delayed|on\s+hold|prohibited)")
E_VERB = (r"(?:lift\w*|eas(?:e|es|ed|ing)|relax\w*|scrap\w*|drop(?:s|ped|ping)?|remov\w+"
          r"|roll(?:s|ed|ing)?\s+back|suspend\w*|paus\w+|halt\w*|waiv\w+|end(?:s|ed|ing)?"
          r"|unfreez\w+|loosen\w*|delay\w*|postpon\w+|push(?:es|ed)?\s+back|rescind\w*"
          r"|revok\w+|withdr[ae]w\w*|cancel\w*|abolish\w*|revers\w+|exempt\w*|soften\w*"
          r"|freez\w*|froze)")
E_PART = (r"(?:lifted|eased|relaxed|scrapped|dropped|removed|rolled\s+back|suspended|paused"
          r"|halted|waived|ended|loosened|delayed|postponed|pushed\s+back|rescinded|revoked"
          r"|withdrawn|cancell?ed|abolished|reversed|softened|on\s+hold)")
IMPOSE = (r"(?:impos\w+|announc\w+|introduc\w+|unveil\w*|add(?:s|ed|ing)?|expand\w*"
          r"|extend(?:s|ed|ing)?|plac\w+|puts?|putting|slap\w*|reimpos\w+|reinstat\w+"
          r"|restor\w+|issu\w+|levy\w*|levies|levied|roll\w*\s+out|launch\w*|target\w*"
          r"|snap\w*\s+back|finali[sz]\w+|approv\w+|adopt\w*|intensif\w+|escalat\w+"
          r"|set(?:s|ting)?|implement\w*|enact\w*|retaliat\w+\s+with|respond\w*\s+with|rais\w+|hik\w+|increas\w+|doubl\w+|tripl\w+"
          r"|renew\w*)")
TIGHTEN = (r"(?:tighten\w*|toughen\w*|step\w*\s+up|strengthen\w*|widen\w*|broaden\w*"
           r"|intensif\w+|escalat\w+|ramp\w*\s+up)")
OKAY = (r"okay\w*|ok(?:s|'d)|green\s*light\w*|authori[sz]\w*|sign\w*\s+off\s+on"
        r"|wav\w+\s+through")
# Verbs only: "approvals" and "processing" are nouns ("halts approvals", "processing licence").
GRANT = (r"(?:grant(?:s|ed|ing)?|approv(?:e|es|ed|ing)|issu(?:e|es|ed|ing)|award(?:s|ed|ing)?"
         r"|receiv(?:e|es|ed|ing)|obtain(?:s|ed|ing)?|secur(?:e|es|ed|ing)|clear(?:s|ed)?"
         r"|get(?:s|ting)?|got|win(?:s|ning)?|won|speed(?:s|ing)?\s+up|sped\s+up"
         r"|extend(?:s|ed|ing)?|renew(?:s|ed|ing)?"
         r"|accelerat\w+|simplif\w+|streamlin\w+|relax\w*|eas(?:e|es|ed|ing)"
         r"|fast\s*track(?:s|ed|ing)?|unfreez(?:e|es|ing)|unfroze|process(?:es|ed)?"
         rf"|resum\w+\s+processing|expedit(?:e|es|ed|ing)|{OKAY})")
RESUME = (r"(?:resum\w+|restart\w*|clear(?:s|ed)?|let(?:s|ting)?|reopen\w*"
          r"|allow\w*|unblock\w*|approv\w+|speed\w*\s+up|agree\w*\s+to"
          r"|sped\s+up|accelerat\w+|expedit\w+|normali[sz]\w+|restor\w+"
          rf"|clear(?:s|ed|ing)?\s+(?:the\s+)?way\s+for|{OKAY})")
HEDGE_VERB = (r"(?:weigh\w*|consider\w*|mull\w*|plan\w*|propos\w*|draft\w*|threat\w*"
              r"|warn\w*|eye(?:s|ing)?|mooted|floats?|floated|study\w*|explor\w+)")
MOVE = r"(?:mov\w+|act\w*|seek\w*|sought)\s+to"


def gap(n: int, word: str = W) -> str:
    return rf"(?:{SEP}{word}){{0,{n}}}?{SEP}"


def pair(head: str, tail: str, n: int = 6, word: str = W) -> str:
    """head, up to n words, tail; the ends are named so that a reason can quote them."""
    return rf"\b(?P<v>{head}){gap(n, word)}(?P<o>{tail})\b"


def one(regex: str) -> str:
    return rf"\b(?P<v>{regex})\b"


# A verb acting on a material itself ("bans Chinese rare earth magnets from ..."): the
# material (marked \x01) must end the object, so "halts gallium project study" and
# "bans smoking in rare earth smelters" do not count.
DIRECT = (r"\b(?P<v>ban(?:s|ned|ning)?|bar(?:s|red|ring)?|prohibit\w*|embargo\w*"
          r"|restrict(?:s|ed|ing)?|curb(?:s|ed|ing)?|block(?:s|ed|ing)?|halt(?:s|ed|ing)?"
          r"|suspend(?:s|ed|ing)?|stop(?:s|ped|ping)?|cut(?:s|ting)?\s+off|withh[eo]ld\w*"
          r"|shut(?:s|ting)?\s+off|turn(?:s|ed|ing)?\s+off\s+the\s+taps?\s+on)"
          r"(?:\s+(?!(?:in|at|on|of|for|to|from|by|with|due|after|over|under|into)\b)"
          r"[^\s,;:?!\x00\x01]+){0,3}\s+(?P<o>\x01+)"
          r"(?=\s*(?:$|[,;:.?!)]|(?:to|from|for|in|on|at|as|after|amid|over|until|with|by"
          r"|via|and|or|into)\b))")

# --- the tiers ------------------------------------------------------------------------------

TIERS: tuple[Tier, ...] = (
    Tier("compound", (  # phrases whose direction differs from their words
        Term(EASE, one(r"(?:tariff|duty|export\s+control|sanctions?)\s+(?:exemptions?|relief"
                       r"|waivers?)"), 0.9),
        Term(EASE, pair(r"no\s+longer", r"need\w*|requir\w+|fac\w+|subject", 2)),
        Term(RESTRICT, pair(r"no\s+longer", r"(?:be\s+)?(?:exported|shipped|sold|supplied)", 2)),
        Term(EASE, pair(r"stop\w*|end\w*|scrap\w*|drop\w*", r"requiring", 0)),
        Term(EASE, pair(r"without", r"case\s+by\s+case|licen[cs]\w*|review\w*|approval", 3),
             0.8),
        Term(RESTRICT, pair(r"suspension|pause|truce|exemption",
                            r"expir\w+|lapse[sd]?|end(?:s|ed)?|runs?\s+out", 3)),
        Term(RESTRICT, pair(r"end(?:s|ed|ing)?|scrap\w*|lift\w*", r"suspension", 1)),
        Term(EASE, pair(r"extend\w*|prolong\w*", r"suspension|pause|exemptions?|exclusions?"
                        r"|waivers?|truce", 3)),
        Term(EASE, pair(r"suspension|pause|truce|exemptions?|exclusions?|waivers?",
                        r"extended|prolonged|renewed", 3), 0.9),
        Term(EASE, one(r"(?:flow\w*|ship\w*)\s+again"), 0.8),
        Term(EASE, pair(r"suspension|pause", MEASURE, 5)),
        Term(RESTRICT, pair(r"stop\w*|halt\w*|suspend\w*|freez\w+|ceas\w+|no\s+longer",
                            r"approv(?:als?|ing)|issu(?:ing|ance)|granting|processing", 2)),
        Term(RESTRICT, pair(r"revok\w+|cancel\w*|withdr[ae]w\w*|scrap\w*|suspend\w*"
                            r"|end(?:s|ed)?", r"general\s+licen[cs]es?|exemptions?|waivers?"
                            r"|green\s+channel", 3)),
        Term(RESTRICT, pair(MOVE, r"control|restrict|curb|ban|limit|block|halt|tighten", 1)),
        Term(RESTRICT, pair(r"crack\w*\s+down|crackdown|clamp\w*\s+down|campaign|raids?",
                            r"smuggl\w+|(?:illegal|illicit)\s+(?:\S+\s+){0,2}?(?:exports?|trade|trading"
                            r"|shipments?)", 4)),
        Term(RESTRICT, pair(r"smuggl\w+", r"crackdown|campaign|clampdown|raids?|probe", 3)),
        Term(RESTRICT, pair(r"jail\w*|sentenc\w+|convict\w*|arrest\w*|prosecut\w+|detain\w*"
                            r"|seiz\w+|intercept\w*|bust\w*", r"smuggl\w+", 6)),
        Term(EASE, pair(r"sign\w*|seal\w*|strik\w+|struck|reach\w*|clinch\w*|agree\w*",
                        r"trade\s+(?:deal|truce|agreement|pact|framework)|truce", 4), 0.8),
        Term(EASE, pair(r"deals?|agreements?|pact|truce|framework|consensus",
                        r"grant\w*|speed\w*|resum\w+|restor\w+|unblock\w*", 3)),
    )),
    Tier("eased", (  # a measure eased: "lifts curbs", "curbs lifted", "removes ... from list"
        Term(EASE, pair(r"cut(?:s|ting)?|lower\w*|reduc\w+|slash\w*|halv\w+",
                        r"tariffs?|duty|duties|levies", 4)),
        Term(EASE, pair(r"tariffs?|duty|duties|levies", r"cut|lowered|reduced|slashed|halved", 3), 0.9),
        Term(EASE, pair(E_VERB, MEASURE, 6, NOT_TRADE + W)),
        Term(EASE, pair(STRONG, E_PART, 6), 0.9),
    )),
    Tier("licences", (
        Term(RESTRICT, pair(r"den(?:y|ies|ied)|reject\w*|revok\w+|withh[eo]ld\w*|delay\w*"
                            r"|slow\w*|suspend\w*|freez\w+|froze|cancel\w*|refus\w+"
                            r"|turn\w*\s+down|los[et]|stall\w*|block\w*|halt\w*|stop\w*",
                            LICENCES)),
        Term(RESTRICT, pair(LICENCES, r"denied|rejected|revoked|withheld|delayed|suspended"
                            r"|frozen|cancell?ed|refused|turned\s+down|pending|stall(?:s|ed|ing)?"
                            r"|held\s+up|blocked|halted", 5), 0.9),
        Term(RESTRICT, pair(r"requir\w+|need(?:s|ed)?|must\s+obtain|subject\w*\s+to"
                            r"|subjects?", r"licen[cs]es?|licen[cs]ing|permits?|approval"
                            r"|end\s+user\s+certificates|export\s+controls?", 5)),
        Term(RESTRICT, pair(r"licen[cs]es?|permits?", r"(?:again\s+)?(?:required|needed)", 3),
             0.9),
        Term(RESTRICT, pair(r"must", r"submit|report|declare", 2), 0.6),
        Term(EASE, pair(GRANT, LICENCES)),
        Term(EASE, pair(GRANT, r"exemptions?|waivers?|exclusions?", 3)),
        Term(EASE, pair(r"gets?|got|gives?|gave|receiv\w+|wins?|won", r"nod|go\s+ahead|green\s+light", 2),
             0.8),
        Term(EASE, pair(LICENCES, r"granted|approved|issued|cleared|eased|relaxed"
                        r"|fast\s*tracked|sped\s+up|accelerat\w+|resumed|simplified|speed\w*\s+up"
                        r"|pick\w*\s+up|flow\w*", 5), 0.9),
        Term(EASE, one(r"general\s+licen[cs]es?|green\s+channel"), 0.6, verbal=False),
        Term(EASE, pair(r"exempt\w*", rf"{MEASURE}|licen[cs]\w*|review\w*", 8)),
    )),
    Tier("trade", (  # trade acted on, measures imposed
        Term(RESTRICT, pair(R_VERB, TRADE, 5)),
        Term(RESTRICT, pair(TRADE, R_PART, 6), 0.8),
        Term(RESTRICT, pair(IMPOSE, NOT_QUOTA + STRONG, 8)),
        Term(RESTRICT, pair(r"prohibit\w*|ban(?:s|ned|ning)?|bar(?:s|red|ring)?",
                            r"acquisition|procurement|purchas\w+|buying|use", 4)),
        Term(RESTRICT, pair(r"procurement|purchas\w+|acquisition", r"bans?|prohibitions?", 2)),
        Term(RESTRICT, pair(r"final\s+(?:determination|ruling|duty|duties|rate)",
                            r"anti\s+dumping|countervailing|duty|duties", 6)),
        Term(RESTRICT, pair(HEDGE_VERB, rf"{STRONG}|{R_VERB}|requir\w+", 8), hedged=True),
        Term(RESTRICT, pair(TIGHTEN, rf"{MEASURE}|{CHECKS}", 6)),
        Term(RESTRICT, pair(r"tighten(?:s|ed)?|toughen(?:s|ed)?", TRADE, 4)),  # not "tightening supply"
        Term(RESTRICT, pair(STRONG, r"tak\w+\s+effect|took\s+effect|c[oa]mes?\s+into\s+"
                            r"(?:force|effect)|go\w*\s+into\s+effect|kicks?\s+in|bites?"
                            r"|begins?|starts?|expand(?:s|ed)?|extended|reinstated|imposed"
                            r"|widen(?:s|ed)?", 6)),
        Term(RESTRICT, pair(r"cut\w*|reduc\w+|lower\w*|slash\w*", r"quotas?|allocations?", 6)),
        Term(RESTRICT, pair(r"quotas?|allocations?", r"cut|reduced|lowered|slashed", 4), 0.9),
        Term(RESTRICT, one(r"blacklist(?:s|ed|ing)?"), 0.8),
        Term(RESTRICT, DIRECT, 0.9),
        Term(RESTRICT, r"^(?P<v>(?:new\s+)?(?:export\s+)?(?:restrictions?|curbs?|bans?|controls?"
             r"|embargo))\s+on\b", 0.8, verbal=False),
        Term(EASE, pair(RESUME, TRADE + r"(?!\s+(?:curbs?|controls?|bans?|restrictions?|rules"
                        r"|regime|licen[cs]\w*))", 5, NOT_RESTRICTING + W)),
        Term(EASE, pair(TRADE, r"resum\w+|restart\w*|sped\s+up|accelerated|restored|allowed"
                        r"|permitted|unblocked", 4), 0.9),
    )),
)

# --- the grammar around the terms ------------------------------------------------------------

# Read in the last few words of the clause before a term.
NEGATION = (r"\b(?:not|never|won't|cannot|can't|\w+n't|no(?!\s+longer)|den(?:y|ies|ied|ying)"
            r"|rul(?:e|es|ed|ing)\s+out|refus\w+\s+to|unlikely\s+to|reject\w*\s+calls\s+to"
            r"|opt\w*\s+against|decid\w+\s+against|refrain\w*\s+from|hold\w*\s+off(?:\s+on)?"
            r"|back\w*\s+away\s+from|stop\w*\s+short\s+of)\b")
# Anywhere in the clause before a term: not decided.
SPECULATION = (r"\b(?:fears?|feared|fearing|worr(?:y|ies|ied)|concerns?|could|might|would"
               r"|should|possibl[ey]|potential(?:ly)?|threat\w*|risks?|speculat\w+|rumou?rs?"
               r"|if|whether|weigh\w*|consider\w*|mull\w*|plan(?:s|ning)?|propos\w+"
               r"|draft\w*|warn\w*|mooted|eye(?:s|ing)?|floats?|floated|calls?\s+(?:for|on)|urg(?:e|es|ed|ing)|push\w*\s+for"
               r"|lobb\w+|seeks?\s+to|wants?|said\s+to|expected\s+to|likely\s+to"
               r"|edg\w+\s+closer|closer\s+to|nears?|nearing|hopes?|hoping|bets?|betting|signal\w*|vow\w*)\b")
MAY = r"\bmay\b"  # case-sensitive: "May" is usually the month
# A consequence or background clause: a verbal term there still reports a new action, a
# bare noun phrase ("exports plunge amid curbs") is background.
SUBORDINATE = (r"\b(?:after|amid|since|following|despite|while|when|whereas|because|before"
               r"|until|which|who|whose|ahead\s+of|in\s+the\s+wake\s+of|due\s+to|helped\s+by"
               r"|driven\s+by|as(?!\s+(?:part|well|of|a|an|per|such|much|many"
               r"|long|soon|expected|planned|usual)\b))\b")
# History: a term in such a clause reports the past ("highest since China banned ...").
HISTORY = (r"\b(?:since|years?\s+(?:after|since|on)|months?\s+(?:after|since)|anniversary"
           r"|first\s+time|in\s+(?:19|20)\d\d|back\s+in|once|had)\b")
CLAUSE_BREAK = r"[,;:?!()\u2013\u2014]|\s-\s|\s\|\s"
FEATURE = (r"^\s*(?:(?:explainer|factbox|analysis|insight|column|opinion|commentary|comment"
           r"|timeline|q&a|breakingviews|graphic|podcast|video|editorial|interview|view"
           r"|focus|feature|deep\s+dive|chart|lookback|review)\s*[:|\u2013\u2014-]"
           r"|(?:why|how|what|who|where|when|is|are|can|will|does|do)\b|.*\?\s*$"
           r"|(?:the\s+)?(?:impacts?|implications|effects?|lessons|costs?|consequences"
           r"|winners|losers)\s+of\b)")
# The measure is on technology, not on the material ("bans export of rare earth processing
# technology"): nobody buying the material needs to hear of it.
NOT_MATERIAL = r"\x01(?:\s+[a-z]+){0,3}?\s+technolog|\btechnolog\w*\s+(?:exports?|export\s+ban)"
ANSWERED = r"(?!x)x"  # a question answered in the headline itself (Chinese form)
# The lede is read only when the headline has this (English: always).
LEDE_IF = r""
# A main clause about prices, markets or statistics makes the clause after it background
# ("tungsten prices hit 12-year high as China tightens export controls").
MARKET = (r"\b(?:prices?|stocks?|shares?|markets?|rall\w+|surg\w+|soar\w*|jump\w*|plung\w+"
          r"|slump\w*|tumbl\w+|spik\w+|record|low|high|fell|fall\w*|rose|ris(?:e|es|ing)|drop\w*"
          r"|climb\w*|hits?|exports?\s+(?:down|up))\b")
# A headline about one of these, with no measure of its own, is not decided by its lede
# ("Terbium prices hit record" whose summary recalls the controls in force).
OFF_TOPIC = (r"\b(?:prices?|pric(?:ed|ing)|stocks?|shares?|market\w*|rall\w+|surg\w+|soar\w*"
             r"|jump\w*|plung\w+|slump\w*|tumbl\w+|spik\w+|record|results?|profit\w*"
             r"|earnings|revenue|output|production|mines?|mining|plant|refinery|ipo|invest\w*"
             r"|stake|acqui\w+|merger|takeover|funding|loan|stockpil\w+|demand|shortage\w*"
             r"|anniversary|history|lessons|premium|futures|index|imports?\s+(?:rose|fell)|low|high"
             r"|zero|talks?|meet(?:s|ing)?|discuss\w*|summit|negotiat\w+|visit\w*|situation|overview"
             r"|outlook|guide"
             r"|tracker|in\s+(?:january|february|march|april|may|june|july|august|september"
             r"|october|november|december|q[1-4]|h[12])"
             r"|data|statistics|customs\s+data|fell|rose|drop\w*|climb\w*|hits?)\b")

# Watched materials named together, none by name: a measure on them is judged (and fires
# for rules that watch every material) with no material of its own.
GENERIC = (r"\b(?:critical|strategic|key|rare|minor|chinese)\s+(?:minerals?|metals?)(?:\s+related)?\b"
           r"|\bdual\s+use\s+(?:items|exports|goods)\b")
