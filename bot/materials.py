"""The materials vocabulary: canonical names, facts and aliases, and finding materials in text.

Every material has one canonical short name (its key): the element symbol (``Dy``, ``Ga``,
``W``), ``REE`` for the rare earths as a group, ``NdFeB``, ``SmCo`` and ``graphite``.

Matching rules, decided once here so that every caller behaves the same:

* Names and word aliases (``dysprosium``, ``rare-earth``, ``neo magnets``) match in any
  case; symbols and formulas (``Dy``, ``Dy2O3``, ``NdFeB``, ``REE``) only as written.
* In running text a bare element symbol counts only where it stands as a material: before
  a material word (``Dy oxide``, ``Tb metal``, ``Dy-containing``), as a formula (``Y2O3``,
  ``DyF3``), in a list of at least two different symbols (``Dy, Tb and Gd``, ``Dy/Tb``), or
  alone in parentheses (``(Dy)``). So "Y Combinator", "George W. Bush", "La Nina",
  "Atlanta, Ga.", "Eu leaders" and "Ho, Ho, Ho" name nothing.
* A name followed by ``-free`` (``terbium-free``), ``-like``/``-sized`` (``rare Earth-like
  planet``), or preceded by ``non-`` names nothing; nor does the "Rare Earth hypothesis".
* "rare earth magnet(s)" names both ``REE`` and ``NdFeB``; ``NdPr``/``didymium`` name
  ``Nd`` and ``Pr``; "neodymium magnets" names ``NdFeB`` only (the product, not the oxide).
* ``graphite`` matches wherever the word appears (pencils included): it is a controlled
  mineral and a false alarm there is cheap. "tungsten carbide" is ``W``.

Over 300 lines because the alias table, the symbol rules and the one compiled matcher are
read together: each rule above is a few lines of the matcher, and splitting them apart
would hide which rule a pattern serves. The data itself lives in materials_data.py.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

from bot import materials_data as _data

Kind = Literal["element", "group", "magnet", "mineral"]
Group = Literal["light", "heavy"]


@dataclass(frozen=True)
class Material:
    """One watched material and the facts a user sees about it."""

    key: str
    name: str
    kind: Kind
    rare_earth: bool
    group: Group | None
    oxide_name: str | None
    oxide_formula: str | None
    china_control: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    """A material named in a text, with the span that names it."""

    material: str
    text: str
    start: int
    end: int


class UnknownMaterial(ValueError):
    """A name that is no material; the message names it and suggests close matches."""

    def __init__(self, name: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.suggestions = suggestions


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _multi_for(key: str) -> tuple[str, ...]:
    multi = {**_data.MULTI, **_data.ZH_MULTI}
    return tuple(alias for alias, keys in multi.items() if key in keys)


def _build() -> dict[str, Material]:
    zh = _data.ZH_NAMES
    ree = Material("REE", "rare earths", "group", True, None, None, None, _data.REE_CONTROL,
                   _unique(("REE", *_data.REE_ALIASES, *zh["REE"], *_multi_for("REE"))))
    out = {"REE": ree}
    for sym, name, group, oxide, formula, control, extra in _data.ELEMENTS:
        aliases = (sym, name, oxide, formula, f"{name} metal", *extra, *zh[sym],
                   *_multi_for(sym))
        out[sym] = Material(sym, name, "element", True, cast(Group | None, group), oxide,
                            formula, control, _unique(a for a in aliases if a))
    for key, name, kind, oxide, formula, control, extra in _data.OTHERS:
        aliases = (key, name, oxide, formula, *extra, *zh[key], *_multi_for(key))
        out[key] = Material(key, name, cast(Kind, kind), False, None, oxide, formula, control,
                            _unique(a for a in aliases if a))
    return out


MATERIALS: dict[str, Material] = _build()

_SEP_RE = re.compile(r"[\s\-\u2010\u2011\u2013]+")


def _spaced(text: str) -> str:
    """Separators (spaces, hyphens) as one space: 'rare-earth' and 'rare earth' are one."""
    return _SEP_RE.sub(" ", text.strip())


def _fold(text: str) -> str:
    return _spaced(text).lower()


def _alias_table() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(as written, folded) alias -> keys; an alias of several materials maps to all."""
    exact: dict[str, tuple[str, ...]] = {}
    for material in MATERIALS.values():
        for alias in material.aliases:
            exact[_spaced(alias)] = (_data.MULTI.get(alias) or _data.ZH_MULTI.get(alias)
                                     or (material.key,))
    folded: dict[str, tuple[str, ...]] = {}
    for alias, keys in exact.items():
        if folded.setdefault(_fold(alias), keys) != keys:
            raise RuntimeError(f"alias {alias!r} is ambiguous when case is ignored")
    return exact, folded


_EXACT, _FOLDED = _alias_table()


def _lookup(name: str) -> tuple[str, ...] | None:
    return _EXACT.get(_spaced(name)) or _FOLDED.get(_fold(name))


def _unknown(name: str) -> UnknownMaterial:
    close = difflib.get_close_matches(_fold(name), list(_FOLDED), n=4, cutoff=0.6)
    keys = _unique(key for alias in close for key in _FOLDED[alias])
    if keys:
        hint = "did you mean " + " or ".join(display_name(k) for k in keys) + "?"
    else:
        hint = "use a name, symbol or oxide such as dysprosium, Dy, Dy2O3, REE or NdFeB"
    return UnknownMaterial(name, f"unknown material {name!r}: {hint}", keys)


def canonical(name: str) -> str:
    """The key of one material from any alias: 'dysprosium' -> 'Dy', 'Dy2O3' -> 'Dy'.

    Symbols and formulas are tried as written first, then ignoring case (a user typing
    'DY' means Dy). An alias of several materials ('NdPr') raises, naming them.
    """
    keys = _lookup(name)
    if keys is None:
        raise _unknown(name)
    if len(keys) > 1:
        raise UnknownMaterial(
            name, f"{name!r} stands for several materials ({', '.join(keys)}): name one",
            keys)
    return keys[0]


def display_name(key: str) -> str:
    """'Dy' -> 'dysprosium (Dy)', 'REE' -> 'rare earths (REE)', 'NdFeB' -> 'NdFeB magnets'."""
    material = MATERIALS.get(key) or MATERIALS[canonical(key)]
    if material.key in material.name:
        return material.name
    return f"{material.name} ({material.key})"


# --- finding materials in text -------------------------------------------------------
# One regex, built once. Speed matters (it runs on every news entry), so it is shaped for
# Python's re: it starts with a character class (the boundary before a word), which lets
# re skip ahead in C, and every alternative then starts with a plain character so that
# re rejects it at once. The regex runs on " " + text; group 0 includes the boundary.

_SEP = r"[\s\-\u2010\u2011\u2013]+"
_END = r"(?![^\W_])"  # not before a letter or digit, in any script
_SYMBOLS = tuple(m.key for m in MATERIALS.values()
                 if m.kind in ("element", "mineral") and m.key != "graphite")
_SYM = "(?:" + "|".join(sorted(_SYMBOLS, key=lambda s: (-len(s), s))) + ")"
# Oxides, halides and sulphides as written in trade news: Dy2O3, CeO2, Pr6O11, DyF3, GeCl4,
# Sb2S3. Other letter-digit codes ("Y2K", "W3C", "YO8" in a URL) are not formulas.
_FORMULA = r"(?:(?:[1-9]\d?)?O(?:[1-9]|1[0-2])|F[2-6]|Cl[2-6]|[1-9]?S[23])"
_LIST_SEP = r"(?:\s*[,/&+;]\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+|-)"
_CONTEXT = "|".join(_data.SYMBOL_CONTEXT_WORDS)


def _symbol_tail(symbol: str, bare: bool) -> str:
    """What makes a bare symbol a material where it stands.

    A list ("Dy/Tb", not "Dy/Tb-free"), a material word ("Dy oxide", "Tb-containing"),
    parentheses ("(Dy)"; the opening one is checked in _scan) or, for two-letter symbols, a
    formula ("DyF3"; Y and W take part only in the formulas listed as aliases). Where a bare
    symbol is enough (bare=True), its end.
    """
    tails = [rf"(?:{_LIST_SEP}{_SYM}{_END})+(?!-free)", rf"[\s\-](?i:{_CONTEXT}){_END}"]
    if len(symbol) == 2:
        tails.insert(0, _FORMULA + _END)
    tails.append(rf"{_END}(?!-free)" if bare else r"(?=\))")
    return "(?:" + "|".join(tails) + ")"


_WORD_TAIL = rf"{_END}(?!-(?i:free|like|sized)\b)(?!\s+(?i:hypothesis|automation|graphics)\b)"


def _trie(words: dict[str, str], caseless: bool) -> str:
    """An alternation of many words sharing prefixes; each word ends with its own tail."""
    root: dict[str, Any] = {}
    for word, tail in words.items():
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = tail

    def piece(ch: str) -> str:
        if ch == " ":
            return _SEP
        return f"[{ch.lower()}{ch.upper()}]" if caseless and ch.isalpha() else re.escape(ch)

    def emit(node: dict[str, Any]) -> str:
        alts = [piece(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append(node[""])
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


def _compile(bare: bool) -> re.Pattern[str]:
    """Names (any case) and symbols/aliases (as written), one branch per first character.

    re tries the branches of an alternation one by one but rejects a branch that starts
    with a plain character at once; one branch per first character keeps that cheap.
    """
    named: dict[str, dict[str, str]] = {}
    written: dict[str, dict[str, str]] = {}
    for alias in (a for a in _EXACT if a not in _SYMBOLS and a.isascii()):
        if alias == alias.lower():
            word = _fold(alias)
            for first in (word[0], word[0].upper()):
                named.setdefault(first, {})[word[1:]] = _WORD_TAIL
        else:
            written.setdefault(alias[0], {})[alias[1:]] = _END
    for symbol in _SYMBOLS:
        written.setdefault(symbol[0], {})[symbol[1:]] = _symbol_tail(symbol, bare)
    branches = []
    for first in sorted(named.keys() | written.keys()):
        rests = [_trie(named[first], True)] if first in named else []
        rests += [_trie(written[first], False)] if first in written else []
        branches.append(re.escape(first) + "(?:" + "|".join(rests) + ")")
    return re.compile(rf"[^A-Za-z0-9](?:{'|'.join(branches)})")


_FIND_RE = _compile(bare=False)
# For text meant to name materials (a licence cell, a command argument): bare symbols too.
_CELL_RE = _compile(bare=True)
_SYMBOL_RE = re.compile(rf"(?<![^\W_]){_SYM}{_END}")
# Chinese names need no word boundaries (Chinese has no spaces): the longest name wins, and
# the words of ZH_NOT (graphene, rare-earth-free) are matched only to be skipped.
_ZH_WORDS = sorted({a for a in _EXACT if not a.isascii()} | set(_data.ZH_NOT),
                   key=lambda a: (-len(a), a))
_ZH_RE = re.compile("|".join(re.escape(a) for a in _ZH_WORDS))
_LEADING_SYMBOL_RE = re.compile(rf"{_SYM}(?![a-z])")


@lru_cache(maxsize=4096)
def _classify(said: str) -> tuple[tuple[str, int, int], ...] | None:
    """The materials a matched span names, as (key, start, end) within it.

    None for a bare symbol, which counts only where the caller allows it. Cached: news
    repeats the same few spellings, and this keeps the per-match cost to a lookup.
    """
    keys = _EXACT.get(_spaced(said))
    symbol = _LEADING_SYMBOL_RE.match(said)
    if keys and said not in _SYMBOLS:  # an alias written as is: 'Dy2O3', 'NdFeB', 'NdPr'
        return tuple((key, 0, len(said)) for key in keys)
    if symbol:
        if said == symbol.group():
            return None
        listed = tuple((s.group(), s.start(), s.end()) for s in _SYMBOL_RE.finditer(said))
        if len(listed) > 1:  # a list, but "Ho, Ho, Ho" lists no material
            return listed if len({key for key, _, _ in listed}) > 1 else ()
        return ((symbol.group(), 0, len(said)),)  # 'Dy oxide', 'DyF3'
    return tuple((key, 0, len(said)) for key in _FOLDED[_fold(said)])


def _scan(text: str, regex: re.Pattern[str], bare: bool) -> list[tuple[str, str, int, int]]:
    """(key, text, start, end) of every material named; tuples, as mentions cost more."""
    found: list[tuple[str, str, int, int]] = []
    padded = " " + text
    for match in regex.finditer(padded):
        start, end = match.start(), match.end() - 1  # offsets in text: minus the pad
        before = padded[start]
        if before.isalnum():
            continue  # a letter of another script before it: inside a word
        if before == "-" and padded[max(start - 3, 0):start].lower() == "non":
            continue  # "non-rare-earth magnets" are ferrite
        said = text[start:end]
        parts = _classify(said)
        if parts is None:
            if not bare and before != "(":
                continue  # "Dy)" without its opening parenthesis
            parts = ((said, 0, len(said)),)
        found.extend((key, said[a:b], start + a, start + b) for key, a, b in parts)
    if not text.isascii():
        for match in _ZH_RE.finditer(text):
            for key in _EXACT.get(match.group(), ()):
                found.append((key, match.group(), match.start(), match.end()))
        found.sort(key=lambda f: f[2])
    return found


def find_materials(text: str) -> list[Mention]:
    """Every material named in running text (headlines, summaries), in order of appearance.

    An alias of several materials ('rare earth magnets') gives one mention per material,
    each with the same span.
    """
    return [Mention(*found) for found in _scan(text, _FIND_RE, bare=False)]


def materials_in(text: str) -> tuple[str, ...]:
    """The materials named in running text, each once, in MATERIALS order."""
    named = {key for key, _, _, _ in _scan(text, _FIND_RE, bare=False)}
    return tuple(key for key in MATERIALS if key in named)


def resolve(text: str) -> tuple[str, ...]:
    """The materials a cell or user input names, in order of appearance; () if none.

    'dysprosium (Dy)' -> ('Dy',), 'NdPr' -> ('Nd', 'Pr'), 'NdFeB containing Dy/Tb' ->
    ('NdFeB', 'Dy', 'Tb'). Unlike find_materials, a bare symbol counts here ('Dy', 'Sm, Y'),
    and a list of lower-case symbols typed by a user ('dy tb') is understood.
    """
    whole = _lookup(text)
    if whole:
        return whole
    found = _unique(key for key, _, _, _ in _scan(text, _CELL_RE, bare=True))
    if found:
        return found
    tokens = [t for t in re.split(r"[\s,;/&+]+", text) if t.lower() not in ("", "and", "or")]
    return _unique(key for token in tokens for key in (_lookup(token) or ()))
