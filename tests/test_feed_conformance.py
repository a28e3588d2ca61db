"""feedparser's own test documents, read through both paths (the conformance corpus of
../shared/conformance/feedparser-corpus, read in place).

Every document must parse without a crash or a hang; wherever the fast path accepts one, its
normalised entries must equal feedparser's. The count it accepts is printed (run with -s).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.helpers.corpus import corpus, documents, headers_of
from tests.helpers.two_paths import accepted, feedparser_outcome, outcome

SLOW_S = 5.0  # one document through both paths; feedparser alone takes ~5 ms on these


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """A hang anywhere inside fails the test instead of stalling the suite."""
    def expired(*_: object) -> None:
        raise Hang(f"the corpus took over {seconds} s: something hangs")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_every_corpus_document_parses_and_the_fast_path_equals_feedparser() -> None:
    root = corpus()
    if root is None:
        pytest.skip("../shared/conformance/feedparser-corpus is not there")
    paths = documents(root)
    assert len(paths) > 2000, f"the corpus at {root} looks incomplete ({len(paths)} documents)"
    taken, differ, slow = [], [], []
    with deadline(240):
        for path in paths:
            body = path.read_bytes()
            headers = headers_of(body)
            started = time.perf_counter()
            mine = outcome(body, headers)  # no exception may escape (FeedError is an outcome)
            if accepted(body, headers):
                taken.append(path)
                if mine != feedparser_outcome(body, headers):
                    differ.append(path.relative_to(root))
            if time.perf_counter() - started > SLOW_S:
                slow.append(path.relative_to(root))
    print(f"\nfeedparser corpus: {len(taken)} of {len(paths)} documents take the fast path")
    assert not differ, f"the fast path differs from feedparser on {differ[:20]}"
    assert not slow, f"documents taking over {SLOW_S} s: {slow}"
    assert len(taken) >= 500  # it must keep accepting the plain RSS 2.0 and Atom documents
