"""The feedparser internals the fast path borrows: found at import, nothing of feedparser replaced."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import feedparser
import pytest

import bot.sources.feedparser_compat as compat
from bot.sources.entries import FeedError, parse_feed
from tests.helpers.two_paths import NOW


def test_importing_the_parsers_replaces_nothing_in_feedparser() -> None:
    code = ("import feedparser.encodings as e, re; before = e.RE_XML_PI_ENCODING; "
            "import bot.sources.feeds, bot.sources.entries; "
            "assert e.RE_XML_PI_ENCODING is before and isinstance(before, re.Pattern)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_internal_stops_the_import_with_a_clear_error() -> None:
    with pytest.raises(compat.FeedparserMismatch, match=r"feedparser\.mixin\.nothing_here"):
        compat._borrow(feedparser.mixin, "nothing_here", callable, "a helper")


def test_installed_feedparser_is_one_the_equivalence_tests_ran_on() -> None:
    assert feedparser.__version__ in compat.TESTED_VERSIONS


def test_blank_lines_before_the_declaration_do_not_change_the_entries() -> None:
    doc = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
           b"<item><title>Gallium curbs</title><guid>g1</guid></item></channel></rss>")
    assert parse_feed(b"\n\n  " + doc, feed="f", now=NOW) == parse_feed(doc, feed="f", now=NOW)


@pytest.mark.parametrize("first_line", [
    b'<?xml version="1.0"?><rss>' + b"encoding='x " * 100_000,
    b'<?xml version="1.0" encoding="utf-8" ><rss version="2.0">' + b'encoding="a" ' * 100_000,
])
def test_a_long_hostile_first_line_is_read_in_linear_time(first_line: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError):
        parse_feed(first_line, feed="f", now=NOW)
    assert time.perf_counter() - started < 10
    prepared = compat.prepare_document(first_line)
    assert len(prepared.split(b"\n", 1)[0]) < 100
    assert re.sub(rb"\s", b"", prepared) == re.sub(rb"\s", b"", first_line)

