"""RSS/Atom feeds: fetch concurrently with limits, parse from bytes, normalise, store each entry once."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import is_url
from bot.models import Entry
from bot.redact import shown_url
from bot.sources.entries import (
    FeedError,
    canonical_link,
    parse_document,
    parse_feed,
    plain_text,
    warn_bozo,
)
from bot.sources.fetch import FetchError, FetchResult, ThreadClients, fetch, read_source
from bot.sources.memory import limit_malloc_arenas
from bot.sources.pages import Selectors, parse_page
from bot.store.feeds import FeedSnapshot, feed_snapshots, preload_states, record_failure, record_success, store_entries

if TYPE_CHECKING:
    from bot.config import FeedConfig
    from bot.store import Store

__all__ = ["FeedError", "FeedPoller", "PollResult", "canonical_link", "parse_feed", "plain_text", "read_source"]

log = logging.getLogger(__name__)

PROCESS_THRESHOLD = 32  # due feeds from which a cycle parses in worker processes
MAX_PROCESSES = 4
FEEDS_PER_TRANSACTION = 16
IN_FLIGHT_PER_THREAD = 2  # feeds submitted and not yet stored, per fetching thread


def page_selectors(feed: FeedConfig) -> tuple[Selectors | None, str | None]:
    """A page's selectors and charset override; (None, None) for a feed."""
    from bot.config import PageConfig

    if not isinstance(feed, PageConfig):
        return None, None
    return Selectors(**feed.selectors.model_dump()), feed.charset


@dataclass(frozen=True)
class PollResult:
    """One feed's outcome in a poll.

    new: fetched and parsed; `new_count` entries are to offer to rules (may be none), and
    `new_entries` holds them unless the poll was asked not to keep them (a big cycle: the
    rules read them back from the store in batches).
    not_modified: the server answered 304. error: `error` says why. skipped: not due yet.
    """

    feed: str
    status: Literal["new", "not_modified", "error", "skipped"]
    new_entries: tuple[Entry, ...] = ()
    error: str | None = None
    new_count: int = 0


@dataclass(frozen=True)
class _Outcome:
    feed: FeedConfig
    entries: tuple[Entry, ...] = ()
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    fingerprint: str | None = None
    error: str | None = None


class FeedPoller:
    """Polls feeds that are due, many at a time, through one pooled HTTP client."""

    def __init__(
        self, store: Store, *, max_bytes: int = 10 * 1024 * 1024, timeout: float = 20.0,
        connect_timeout: float = 5.0, max_redirects: int = 5, concurrency: int = 128,
        user_agent: str = "Chokepoint/0.1 (+https://github.com/chokepoint)",
        parse_processes: int | None = None,
    ) -> None:
        """`parse_processes`: worker processes that parse cycles of PROCESS_THRESHOLD due feeds
        or more (default: one per CPU but one, at most four; 0: parse in threads only)."""
        self.store, self.max_bytes, self.timeout = store, max_bytes, timeout
        self.max_redirects = max_redirects
        self._clients = ThreadClients(timeout=timeout, connect_timeout=connect_timeout,
                                      user_agent=user_agent)
        limit_malloc_arenas()  # before the fetching threads first allocate
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="feed")
        self._window = IN_FLIGHT_PER_THREAD * concurrency
        # This process fetches and writes on one core (the GIL); workers parse on the others.
        # Each holds ~25-40 MB, and more than four buy little next to the fetching. Even with
        # the ElementTree fast path, one worker made a cold cycle of 1,000 feeds on 2 CPUs
        # faster: 6.1-6.9 s against 8.5-9.2 s parsing in this process (docs/PERFORMANCE.md).
        default = max(0, min((os.cpu_count() or 1) - 1, MAX_PROCESSES))
        self._processes = default if parse_processes is None else parse_processes
        self._parsers: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # one poll at a time: results are written in order
        # Called with (feeds done, feeds due) as each due feed finishes: a terminal's progress line.
        self.progress: Callable[[int, int], None] | None = None
        self._workers_lock = threading.Lock()

    def __enter__(self) -> FeedPoller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._parsers is not None:
            self._parsers.shutdown(wait=True, cancel_futures=True)
        self._clients.close()

    def _parser_pool(self, due: int) -> ProcessPoolExecutor | None:
        """Processes for a big cycle: parsing is Python bytecode (a tree walk, or feedparser),
        so in threads it shares one core with fetching and storing.

        A small cycle parses in threads, because starting the processes costs more than it saves.
        """
        if self._processes < 1 or due < PROCESS_THRESHOLD:
            return None
        if self._parsers is None:
            # spawn, not fork: forking a process with live threads, sockets and a database
            # connection is unsafe. The workers import little (bot.sources.entries).
            self._parsers = ProcessPoolExecutor(self._processes,
                                                mp_context=multiprocessing.get_context("spawn"))
        return self._parsers

    def _parse(self, got: FetchResult, feed: str, now: datetime,
               parsers: ProcessPoolExecutor | None, page: Selectors | None = None,
               charset: str | None = None) -> list[Entry]:
        if page is not None:  # a notices page: few per cycle, parsed here
            return parse_page(got.body, feed=feed, now=now, selectors=page, url=got.url,
                              headers=got.headers, charset=charset)
        if parsers is not None:
            try:
                entries, problem = parsers.submit(parse_document, got.body, feed, now,
                                                  got.headers, got.url).result()
                warn_bozo(feed, problem, len(entries))
                return entries
            except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
                log.warning("a parser process stopped; parsing %s in this process", feed)
                with self._workers_lock:
                    if self._parsers is parsers:
                        self._parsers = None
                        parsers.shutdown(wait=False, cancel_futures=True)
        return parse_feed(got.body, feed=feed, now=now, headers=got.headers, url=got.url)

    @staticmethod
    def _due(snapshot: FeedSnapshot | None, feed: FeedConfig, now: datetime) -> bool:
        if snapshot is None or snapshot.next_attempt is None or snapshot.url != shown_url(feed.url):
            return True
        # A scheduler tick that comes a moment early must not skip a whole interval.
        slack = min(feed.every / 10, timedelta(minutes=1))
        return snapshot.next_attempt <= now + slack

    def poll(self, feeds: Sequence[FeedConfig], now: datetime, *, force: bool = False,
             keep_entries: bool = True) -> list[PollResult]:
        """Fetch the due feeds (all with force), store new entries once, report per feed.

        `keep_entries=False`: results carry only how many entries are new, so that a cycle's
        memory does not grow with its number of feeds.
        """
        with self._lock:
            with self.store.session() as s:
                snapshots = feed_snapshots(s, [f.name for f in feeds])
            results: dict[str, PollResult] = {}
            due = [f for f in feeds if force or self._due(snapshots.get(f.name), f, now)]
            parsers = self._parser_pool(len(due))
            due_names = {f.name for f in due}
            for feed in feeds:
                if feed.name not in due_names:
                    results[feed.name] = PollResult(feed.name, "skipped")
            # Parsing runs in the workers; the store is written here, several feeds per
            # transaction (a third less CPU than one each). Feeds without entries (304s,
            # errors) only touch their state row and go last. A crash loses no entry: what
            # was not stored is fetched again and is still new.
            loud: list[_Outcome] = []
            quiet: list[_Outcome] = []
            for done, out in enumerate(self._fetched(due, snapshots, now, parsers), 1):
                if self.progress is not None:
                    self.progress(done, len(due))
                (loud if out.entries else quiet).append(out)
                if len(loud) >= FEEDS_PER_TRANSACTION:
                    self._store(loud, snapshots, now, results, keep_entries)
                    loud = []
            self._store(loud, snapshots, now, results, keep_entries)
            for start in range(0, len(quiet), 500):
                self._store(quiet[start:start + 500], snapshots, now, results, keep_entries)
            return [results[f.name] for f in feeds]

    def _fetched(self, due: Sequence[FeedConfig], snapshots: Mapping[str, FeedSnapshot],
                 now: datetime, parsers: ProcessPoolExecutor | None) -> Iterator[_Outcome]:
        """Outcomes as they finish, with at most IN_FLIGHT_PER_THREAD x concurrency feeds
        fetched or being fetched and not yet handed over.

        Storing is slower than fetching and parsing: with every feed submitted at once, the
        finished ones waited here with their entries (5,000 feeds: +90 MB).
        """
        waiting = iter(due)
        pending: set[Future[_Outcome]] = set()
        while True:
            while len(pending) < self._window and (feed := next(waiting, None)) is not None:
                pending.add(self._pool.submit(self._fetch, feed, snapshots.get(feed.name), now,
                                              parsers))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def _fetch(self, feed: FeedConfig, snap: FeedSnapshot | None, now: datetime,
               parsers: ProcessPoolExecutor | None) -> _Outcome:
        page, charset = page_selectors(feed)
        try:
            if not is_url(feed.url):  # a local file (the demo, test-rules): nothing to revalidate
                body = read_source(feed.url, max_bytes=self.max_bytes)
                got = FetchResult(200, body, {}, feed.url)
                return _Outcome(feed, tuple(self._parse(got, feed.name, now, None, page, charset)))
            known = snap if snap is not None and snap.url == shown_url(feed.url) else None
            got = fetch(self._clients.get(), feed.url, etag=known.etag if known else None,
                        last_modified=known.last_modified if known else None,
                        max_bytes=self.max_bytes,
                        timeout=feed.timeout.total_seconds() if feed.timeout else self.timeout,
                        max_redirects=self.max_redirects)
            if got.not_modified:  # costs no parsing
                return _Outcome(feed, not_modified=True,
                                etag=got.etag or (known.etag if known else None),
                                last_modified=got.last_modified
                                or (known.last_modified if known else None))
            fingerprint = hashlib.sha256(got.body).hexdigest()
            if known and known.fingerprint == fingerprint:  # no validators, same bytes
                return _Outcome(feed, not_modified=True, etag=got.etag,
                                last_modified=got.last_modified, fingerprint=fingerprint)
            entries = self._parse(got, feed.name, now, parsers, page, charset)
            return _Outcome(feed, tuple(entries), etag=got.etag, last_modified=got.last_modified,
                            fingerprint=fingerprint)
        except (FetchError, FeedError) as exc:
            return _Outcome(feed, error=str(exc))
        except Exception as exc:  # a bug or a parser crash must not stop the other feeds
            log.exception("feed %s: unexpected error", feed.name)
            return _Outcome(feed, error=f"unexpected error ({type(exc).__name__})")

    def _store(self, outcomes: Sequence[_Outcome], snapshots: Mapping[str, FeedSnapshot],
               now: datetime, results: dict[str, PollResult], keep_entries: bool = True) -> None:
        """Write outcomes in one transaction; if it fails, none of them counts as polled."""
        if not outcomes:
            return
        try:
            with self.store.session() as s:
                states = preload_states(s, {o.feed.name: o.feed.url for o in outcomes})
                done = [self._record(s, o, snapshots.get(o.feed.name), now, keep_entries)
                        for o in outcomes]
                states.clear()  # held until here, so that _record finds them without a query
        except SQLAlchemyError as exc:
            # Nothing was stored: these entries are still new at the next poll.
            log.error("could not store the poll of %s: %s",
                      ", ".join(o.feed.name for o in outcomes), exc)
            done = [PollResult(o.feed.name, "error",
                               error="the poll could not be stored (database error)")
                    for o in outcomes]
        results.update((r.feed, r) for r in done)

    @staticmethod
    def _record(s: Session, out: _Outcome, snap: FeedSnapshot | None, now: datetime,
                keep_entries: bool) -> PollResult:
        feed = out.feed
        if out.error is not None:
            record_failure(s, feed.name, feed.url, now, feed.every, out.error)
            log.warning("feed %s failed: %s", feed.name, out.error)
            return PollResult(feed.name, "error", error=out.error)
        first_sight = snap is None or snap.first_success is None or snap.url != shown_url(feed.url)
        new, stored = store_entries(s, out.entries, now,
                                    quiet_before=now - feed.max_age if first_sight else None)
        record_success(s, feed.name, feed.url, now, feed.every, etag=out.etag,
                       last_modified=out.last_modified, stored=stored,
                       fingerprint=out.fingerprint)
        if out.not_modified:
            return PollResult(feed.name, "not_modified")
        return PollResult(feed.name, "new", tuple(new) if keep_entries else (),
                          new_count=len(new))
