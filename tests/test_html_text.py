"""Summaries are plain text: right on the broken markup real feeds carry, never a tag left."""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

import pytest

from bot.sources.html_text import _quick, plain_text, plain_text_lexbor
from tests.helpers.corpus import corpus, documents, headers_of
from tests.helpers.two_paths import outcome

DATA = Path(__file__).parent / "data"
RAW_TAG = re.compile(r"</?[A-Za-z]")  # `<` followed by a tag name


@pytest.mark.parametrize(("html", "text"), [
    ('Indium held. <a href="javascript:track(\'<rss>\')" title=\'said "hold <on>"\'>More</a> end',
     "Indium held. More end"),
    ("Sweden's court cleared the plant &lt;a...Read More", "Sweden's court cleared the plant"),
    ("Sweden's court cleared the plant <a...Read More", "Sweden's court cleared the plant"),
    ('<wp-block-embed data-x="1"><custom-note kind=warning>Provisional.</custom-note>'
     "</wp-block-embed> figures", "Provisional. figures"),
    ('Notes <b class="x>bold</b> and more', "Notes"),
    ("<p>One</p><p>two &amp; <b>thr</b>ee</p><!-- x --><style>p{}</style>", "One two & three"),
    ("<SCRIPT>var a = '<p>';</SCRIPT>shown<!-- hidden <b>x</b> -->", "shown"),
    ("&lt;p&gt;Escaped &lt;b&gt;twice&lt;/b&gt;&lt;/p&gt;", "Escaped twice"),
    ("&amp;lt;p&amp;gt;three times", "&lt;p&gt;three times"),  # text about markup, kept
    ("5 < 7 and 9 > 3, a<b", "5 < 7 and 9 > 3, a"),
    ("line<br>break<br/>here", "line break here"),
    ('<img src="x.png" alt="Chart"><figure><figcaption>Exports</figcaption></figure>', "Exports"),
])
def test_broken_markup_becomes_the_text_a_reader_sees(html: str, text: str) -> None:
    assert plain_text(html) == text


@pytest.mark.parametrize("hostile", ["<a " * 400_000, '<a "' * 300_000, "<!--" * 300_000,
                                     "<script>" * 150_000, "<" * 1_000_000, "<a" + " x" * 400_000,
                                     '<a x="y' * 200_000, "<a x=y " * 200_000, "&lt;p&gt;" * 200_000])
def test_hostile_markup_costs_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    text = plain_text(hostile)
    assert time.perf_counter() - started < 1.0
    assert len(text) <= 100_000 and not RAW_TAG.search(text)


def _pieces() -> list[str]:
    return ["<p>", "</p>", "<b>", "</b>", "<br/>", '<a href="https://x.example/?a=1&amp;b=2">',
            "</a>", "text", " ", "&amp;", "&nbsp;", "&eacute;", "&#8217;", "caf\u00e9", "\n",
            '<img src="a.png" alt="x">', "<div class='c'>", "</div>", "<li>", "<em>", "</em>",
            "<span data-x=1>", "</span>", "<h2>", "</h2>", "&copy", "&lt;", ">", "<", '"', "'",
            "<custom-tag>", "<!-- c -->", "<script>x</script>", "<td>", "<table>", "=", "<a"]


def test_the_quick_path_gives_lexbors_text_wherever_it_answers() -> None:
    rng = random.Random(11)
    pieces = _pieces()
    answered = 0
    for _ in range(int(os.environ.get("CHOKEPOINT_FUZZ_HTML", "20000"))):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        quick = _quick(html)
        if quick is not None:
            answered += 1
            assert " ".join(quick.split()) == " ".join(plain_text_lexbor(html).split()), html
    assert answered > 2_000


def _summaries(paths: list[Path]) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        body = path.read_bytes()
        got = outcome(body, headers_of(body))
        if not isinstance(got, str):
            found += [(path.name, e.summary) for e in got[0]]
    return found


def test_no_summary_of_the_fixtures_keeps_a_tag() -> None:
    paths = [*DATA.glob("feeds/*.xml"), *DATA.glob("feeds/*.rdf"), *DATA.glob("feeds/news/*.xml"),
             *DATA.glob("e2e/*.xml")]
    summaries = _summaries(paths)
    assert len(summaries) > 20
    assert [s for s in summaries if RAW_TAG.search(s[1])] == []


def test_no_summary_of_the_feedparser_corpus_keeps_a_tag() -> None:
    root = corpus()
    if root is None:
        pytest.skip("../shared/conformance/feedparser-corpus is not there")
    summaries = _summaries(documents(root))
    assert len(summaries) > 400
    assert [s for s in summaries if RAW_TAG.search(s[1])] == []
