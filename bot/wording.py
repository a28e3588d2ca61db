"""How counts read in messages a person sees: `1 alert`, `2 alerts`, `1 new entry`."""

from __future__ import annotations


def count(n: int, one: str, many: str | None = None) -> str:
    """`n` and the noun in the right number; `many` for irregular plurals (entry -> entries)."""
    if many is None:
        many = one[:-1] + "ies" if one.endswith("y") and one[-2:-1] not in "aeiou" else one + "s"
    return f"{n:,} {one if n == 1 else many}"
