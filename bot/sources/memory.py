"""Process memory: what keeps a long poll's freed memory from staying with the process."""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MALLOC_ARENAS", "limit_malloc_arenas"]

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (as MALLOC_ARENA_MAX does); False if not glibc.

    glibc gives threads that allocate at once arenas of their own (up to eight per CPU) and
    keeps what is freed in each: with 128 fetching threads handling bodies and entries, a
    first cycle of 5,000 feeds ended 65 MB higher (229 MB against 163 MB with two arenas,
    docs/PERFORMANCE.md), memory Python had long freed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
