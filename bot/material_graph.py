"""What a material contains, and whether a route, rule or subscription on one covers another.

The graph is small and explicit (bot/materials_data.CONTAINS): the rare earths (`REE`)
contain the 17 elements; `NdFeB` contains Nd, Pr, Dy, Tb and the rare earths as a group;
`SmCo` contains Sm and the group. It is not transitive: a magnet buyer hears of dysprosium
and of the rare earths as a group, not of every lanthanum story.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.materials import MATERIALS
from bot.materials_data import CONTAINS

_GROUPS = frozenset(k for k, parts in CONTAINS.items() if len(parts) > 5)
_PARTS = {key: frozenset(parts) for key, parts in CONTAINS.items()}
_EMPTY: frozenset[str] = frozenset()


def parts_of(key: str) -> frozenset[str]:
    """The materials `key` is made of or groups (empty for an element or mineral)."""
    return _PARTS.get(key, _EMPTY)


def covers(wanted: str, material: str) -> bool:
    """Does interest in `wanted` cover an alert on `material`?

    Yes for the material itself and for what it contains (`NdFeB` covers Dy and REE; `REE`
    covers Dy); and an element is covered by news on its group (`Dy` covers REE), since a
    rare-earth restriction may well reach dysprosium.
    """
    if wanted == material or material in parts_of(wanted):
        return True
    return material in _GROUPS and wanted in parts_of(material)


def any_covered(wanted: Iterable[str], materials: Iterable[str]) -> bool:
    """Does interest in any of `wanted` cover an alert on any of `materials`?"""
    have = tuple(materials)
    return any(covers(w, m) for w in wanted for m in have)


def covered_by(wanted: Iterable[str]) -> tuple[str, ...]:
    """Every material whose alerts interest in `wanted` covers (for queries by material)."""
    wanted = tuple(wanted)
    return tuple(k for k in MATERIALS if any(covers(w, k) for w in wanted))
