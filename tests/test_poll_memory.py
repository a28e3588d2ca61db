"""The poller keeps a cycle's memory bounded: freed memory goes back to the system."""

from __future__ import annotations

import platform

from bot.sources.memory import limit_malloc_arenas


def test_the_poller_caps_malloc_arenas_on_glibc() -> None:
    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas() is expected
