"""Speed gates derived from a regex itself: literals one of which any match must contain.

Every news entry of every feed goes through the classifier's few dozen patterns; most
entries hold none of the words a pattern needs. A gate is a set of literal strings read off
the compiled pattern (not a hand-copied word list): each mandatory part of the pattern (a
group, a required repetition) must start with one of its literals, so a text holding none
of them cannot match and the regex need not run. The classifier's tests check that gated
and ungated classification agree on the labelled corpora and on fuzzed input.
"""

from __future__ import annotations

from re import _parser  # type: ignore[attr-defined]  # the stdlib's own regex parser
from typing import Any

_MAX_ALTERNATIVES = 64
_MAX_LENGTH = 8  # a prefix this long is selective enough
_SMALL_CLASS = 4  # [cs] is expanded to c, s; a larger class ends the prefix

_Prefixes = frozenset[tuple[str, bool]]  # (literal prefix, closed: can it be extended?)
_OPEN: _Prefixes = frozenset({("", False)})
_CLOSED: _Prefixes = frozenset({("", True)})
_IGNORECASE = 2  # re.IGNORECASE as the parser records it
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})


def _item(op: Any, av: Any) -> _Prefixes:
    name = op.name
    if name == "LITERAL":
        return frozenset({(chr(av), False)})
    if name in _ZERO_WIDTH:
        return _OPEN
    if name == "IN":
        if len(av) <= _SMALL_CLASS and all(o.name == "LITERAL" for o, _ in av):
            return frozenset((chr(c), False) for _, c in av)
        return _CLOSED
    if name == "SUBPATTERN":
        add_flags = av[1]
        if add_flags & _IGNORECASE:  # literals of any case: nothing literal to test
            return _CLOSED
        return _sequence(av[-1])
    if name == "BRANCH":
        out: set[tuple[str, bool]] = set()
        for branch in av[1]:
            out |= _sequence(branch)
        return frozenset(out)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = av
        inner = _sequence(body)
        if high != 1:  # a further repetition may follow: the prefix ends with the body
            inner = frozenset((p, True) for p, _ in inner)
        return inner if low >= 1 else inner | _OPEN
    return _CLOSED


def _sequence(items: Any) -> _Prefixes:
    prefixes: set[tuple[str, bool]] = {("", False)}
    for op, av in items:
        if all(closed for _, closed in prefixes):
            break
        nxt: set[tuple[str, bool]] = set()
        part = _item(op, av)
        for prefix, closed in prefixes:
            if closed:
                nxt.add((prefix, True))
                continue
            for more, more_closed in part:
                word = prefix + more
                nxt.add((word, more_closed or len(word) >= _MAX_LENGTH))
        if len(nxt) > _MAX_ALTERNATIVES:
            return _CLOSED
        prefixes = nxt
    return frozenset(prefixes)


def _literals(prefixes: _Prefixes) -> frozenset[str] | None:
    words = {p for p, _ in prefixes}
    if "" in words:
        return None
    # 'ban' present is implied by 'bans' present: keep the shortest literals only.
    return frozenset(w for w in words if not any(o != w and o in w for o in words))


def gates(pattern: str) -> tuple[frozenset[str], ...]:
    """For each mandatory part of `pattern`, the literals one of which starts its match.

    A text that lacks every literal of one gate cannot match. () when nothing can be said
    (the pattern may match text of any kind): such a pattern always runs.
    """
    parsed = _parser.parse(pattern)
    found: list[frozenset[str]] = []
    whole = _literals(_sequence(parsed))
    if whole:
        found.append(whole)
    for op, av in parsed:
        mandatory = op.name == "SUBPATTERN" or (op.name.endswith("REPEAT") and av[0] >= 1)
        if mandatory:
            literals = _literals(_item(op, av))
            if literals and literals not in found:
                found.append(literals)
    return tuple(found)
