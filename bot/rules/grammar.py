"""A language's classifier grammar, compiled: tiers of terms with their speed gates, and the
clause grammar (negation, hedges, history, background) that decides whether a term counts.

Built from the vocabulary data (bot/rules/vocabulary.py, bot/rules/vocabulary_zh.py) once
at import, and once per distinct `extra_terms` of a rule (cached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import bot.rules.vocabulary as _en
import bot.rules.vocabulary_zh as _zh
from bot.rules.gates import gates
from bot.rules.vocabulary import EASE, RESTRICT, Direction, Term, Tier


@dataclass(frozen=True)
class Compiled:
    """A term ready to run: its regex and the gates a text must pass for it to run at all."""

    term: Term
    tier: str
    regex: re.Pattern[str]
    gates: tuple[frozenset[str], ...]

    def may_match(self, present: frozenset[str]) -> bool:
        return all(not gate.isdisjoint(present) for gate in self.gates)


@dataclass(frozen=True)
class Grammar:
    lang: str
    tiers: tuple[tuple[Compiled, ...], ...]
    literals: tuple[str, ...]  # every gate literal, for one scan of a text
    negation: re.Pattern[str]
    speculation: re.Pattern[str]
    may: re.Pattern[str]
    subordinate: re.Pattern[str]
    history: re.Pattern[str]
    clause_break: re.Pattern[str]
    feature: re.Pattern[str]
    off_topic: re.Pattern[str]
    market: re.Pattern[str]
    not_material: re.Pattern[str]
    lede_if: re.Pattern[str]
    generic: re.Pattern[str]
    answered: re.Pattern[str]
    words: bool  # negation is read in the last words (True) or characters (False)

    def present(self, low: str) -> frozenset[str]:
        return frozenset(lit for lit in self.literals if lit in low)


def _compile_tiers(tiers: tuple[Tier, ...]) -> tuple[tuple[Compiled, ...], ...]:
    return tuple(tuple(Compiled(t, tier.name, re.compile(t.regex), gates(t.regex))
                       for t in tier.terms) for tier in tiers)


def _grammar(lang: str, module: ModuleType, tiers: tuple[tuple[Compiled, ...], ...],
             words: bool) -> Grammar:
    literals = sorted({lit for tier in tiers for c in tier for g in c.gates for lit in g})
    return Grammar(
        lang=lang, tiers=tiers, literals=tuple(literals),
        negation=re.compile(module.NEGATION), speculation=re.compile(module.SPECULATION),
        may=re.compile(module.MAY), subordinate=re.compile(module.SUBORDINATE),
        history=re.compile(module.HISTORY), clause_break=re.compile(module.CLAUSE_BREAK),
        feature=re.compile(module.FEATURE, re.IGNORECASE),
        off_topic=re.compile(module.OFF_TOPIC), market=re.compile(module.MARKET),
        not_material=re.compile(module.NOT_MATERIAL),
        lede_if=re.compile(module.LEDE_IF), answered=re.compile(module.ANSWERED),
        generic=re.compile(module.GENERIC, re.IGNORECASE),
        words=words)


EN = _grammar("en", _en, _compile_tiers(_en.TIERS), words=True)
ZH = _grammar("zh", _zh, _compile_tiers(_zh.TIERS), words=False)


class BadTerm(ValueError):
    """An extra term a rule gives that cannot be used; the message says which and why."""


def term_regex(phrase: str) -> str:
    """A rule's literal phrase as a term: any case and spacing for words, as is for Chinese."""
    words = phrase.lower().replace("-", " ").split()
    if not words or len(phrase) > 80:
        raise BadTerm(f"extra term {phrase!r} must be 1-80 characters of text")
    body = r"\s+".join(re.escape(w) for w in words)
    return rf"\b(?P<v>{body})\b" if phrase.isascii() else f"(?P<v>{body})"


@lru_cache(maxsize=64)
def extended(lang: str, restrict: tuple[str, ...], ease: tuple[str, ...]) -> Grammar:
    """The grammar of `lang` with a rule's own terms first (they win over the vocabulary)."""
    base = EN if lang == "en" else ZH
    mine = tuple((direction, p) for direction, phrases in ((RESTRICT, restrict), (EASE, ease))
                 for p in phrases if p.isascii() == (lang == "en"))
    if not mine:
        return base
    terms = tuple(Term(direction, term_regex(p), gloss=p)
                  for direction, p in mine if isinstance(direction, str))
    tier = _compile_tiers((Tier("rule terms", terms),))
    module = _en if lang == "en" else _zh
    return _grammar(lang, module, tier + base.tiers, words=base.words)


__all__ = ["EN", "ZH", "BadTerm", "Compiled", "Direction", "Grammar", "extended", "term_regex"]
