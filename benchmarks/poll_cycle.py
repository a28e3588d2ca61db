"""Poll-cycle benchmark: the real cycle (cold, then warm/304) against the naive loop, in one run.

    python benchmarks/poll_cycle.py [--feeds 1000] [--latency 0.1] [--baseline-sample K]
        [--corpus generated|news|both] [--memory-feeds 5000] [--json]

Two corpora, reported side by side: "generated" (uniform RSS 2.0/Atom, _feedgen.py) and
"news" (the shapes of real news feeds: media:, FeedBurner, WordPress.com, xml:base, RSS 1.0;
5 KB to 2 MB; _newsgen.py). Then a cold cycle of --memory-feeds news feeds for peak memory.
Each phase runs in its own subprocess so that its CPU time and peak RSS are its own; the
feed server runs in this (the parent) process, so its cost is counted in neither.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _feedgen import CORPORA, REPO, ServedFeed, corpus_document, serve_feeds

NAIVE_KEYWORDS = ("rare earth", "dysprosium", "terbium", "neodymium", "gallium", "germanium",
                  "antimony", "graphite", "tungsten", "magnet")
NAIVE_TERMS = ("export control", "ban", "halt", "suspend", "quota", "licence", "license")
# The whole benchmarks directory must finish in 5 minutes, and the naive loop at 1,000 feeds
# alone takes ~140 s: a naive run expected to take longer than this is timed on a sample of
# feeds and extrapolated (it is strictly sequential, so its cost per feed is constant).
NAIVE_BUDGET_S = 45.0
NAIVE_SECONDS_PER_FEED = 0.04  # on top of the latency: feedparser's fetch and parse


# --- measured in a child process ----------------------------------------------------------

def _peak_rss_mb(pid: int | str = "self") -> float:
    """Peak RSS of one process (VmHWM). Not ru_maxrss: Linux carries the parent's peak over
    fork and exec into it, so a child of the (big) feed-serving parent would report that."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _tree_memory_mb(root: int) -> tuple[float, float]:
    """Summed peak RSS and current PSS of `root` and its descendants (parser workers).

    The sum of peaks bounds the tree's peak from above; PSS splits pages that processes
    share (a forked worker shares its parent's) fairly, so its sum is what they really use.
    """
    peaks = pss = 0.0
    for pid in _descendants(root):
        peaks += _peak_rss_mb(pid)
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
        except (OSError, ValueError):
            continue
    return peaks, pss


class TreeMemory(threading.Thread):
    """Samples the memory of this process and its children (e.g. parser worker processes)."""

    def __init__(self, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.every, self.peak_rss, self.peak_pss = every, 0.0, 0.0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        rss, pss = _tree_memory_mb(os.getpid())
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            self.sample()

    def stop(self) -> dict[str, float]:
        self._stop_event.set()
        self.join()
        self.sample()
        return {"peak_rss_mb": _peak_rss_mb(), "tree_peak_rss_mb": self.peak_rss,
                "tree_peak_pss_mb": self.peak_pss}


class RealCycle:
    """One cycle as `chokepoint once` runs it, minus delivery: the Pipeline polls every due
    feed (FeedPoller), then evaluates every rule of rules/ on what is new and records the
    alerts with their outbox rows."""

    def __init__(self, store: Any, feeds: list[Any], concurrency: int | None) -> None:
        from bot.config import Config
        from bot.pipeline import Pipeline
        from bot.sources.feeds import FeedPoller

        config = Config(feeds=feeds, rules=str(REPO / "rules"), database=store.url)
        self.pipeline = Pipeline(config, store)
        if concurrency:
            self.pipeline.poller.close()
            self.pipeline.poller = FeedPoller(store, concurrency=concurrency)
        self.description = f"Pipeline: poll + evaluate {len(self.pipeline.rules)} rules of rules/"

    def run(self, now: datetime) -> dict[str, Any]:
        results = self.pipeline.poll_feeds(now)
        report = self.pipeline.evaluate(now)
        counts = {s: sum(r.status == s for r in results)
                  for s in ("new", "not_modified", "error", "skipped")}
        errors = sorted({r.error for r in results if r.error})[:3]
        return {"statuses": counts, "errors": errors, "evaluated": report.entries,
                "alerts": len(report.new_alerts)}

    def close(self) -> None:
        self.pipeline.close()


def _timed(fn: Any) -> tuple[Any, dict[str, float]]:
    """Run fn; its wall and CPU seconds (children's CPU included) and peak memory."""
    memory = TreeMemory()
    memory.start()
    wall, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu()
    out = fn()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return out, {"wall_s": wall, "cpu_s": cpu + _children_cpu() - kids, "main_cpu_s": cpu,
                 **memory.stop()}


def _children_cpu() -> float:
    """CPU seconds of live and ended child processes (parser workers) so far."""
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ended.ru_utime + ended.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _descendants(os.getpid())[1:]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime, and cutime, cstime: workers that their pool already reaped
            total += sum(int(f) for f in fields[11:15]) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def child_real(spec: dict[str, Any]) -> dict[str, Any]:
    """Cold cycle (fetch, parse, store, evaluate) then optionally a warm all-304 cycle."""
    from bot.config import FeedConfig
    from bot.store import Store

    feeds = [FeedConfig(name=n, url=u) for n, u in spec["feeds"]]
    now = datetime.fromisoformat(spec["now"])
    store = Store(f"sqlite:///{spec['db']}")
    cycle = RealCycle(store, feeds, spec.get("concurrency"))
    out: dict[str, Any] = {"evaluation": cycle.description,
                           "rss_after_import_mb": _peak_rss_mb()}
    try:
        stats, measured = _timed(lambda: cycle.run(now))
        out["cold"] = {**measured, **stats}
        if spec.get("warm"):
            later = now + timedelta(minutes=16)  # every feed is due again (default every: 15m)
            stats, measured = _timed(lambda: cycle.run(later))
            out["warm"] = {**measured, **stats}
    finally:
        cycle.close()
        store.dispose()
    return out


def child_naive(spec: dict[str, Any]) -> dict[str, Any]:
    """What users write first: parse each URL in turn, then look for keywords."""
    import feedparser

    urls = [u for _, u in spec["feeds"]]
    if spec.get("sample"):  # every k-th feed: the news corpus is not uniform in size
        urls = urls[::max(1, len(urls) // spec["sample"])][: spec["sample"]]

    def loop() -> tuple[int, int]:
        entries = hits = 0
        for url in urls:
            for e in feedparser.parse(url).entries:
                entries += 1
                text = f"{e.get('title', '')} {e.get('summary', '')}".lower()
                if any(k in text for k in NAIVE_KEYWORDS) and any(t in text for t in NAIVE_TERMS):
                    hits += 1
        return entries, hits

    (entries, hits), measured = _timed(loop)
    return {"feeds_timed": len(urls), "entries": entries, "hits": hits, **measured}


# --- run by the parent --------------------------------------------------------------------

def run_child(phase: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its last stdout line is its JSON result."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({**spec, "phase": phase}, f)
    try:
        done = subprocess.run([sys.executable, __file__, "--child", f.name], check=True,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    finally:
        os.unlink(f.name)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def feed_spec(feeds: Sequence[ServedFeed]) -> list[list[str]]:
    return [[f.name, f.url] for f in feeds]


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform()}


def naive_phase(feeds: Sequence[ServedFeed], latency: float, sample: int | None) -> dict[str, Any]:
    """The naive loop: in full when it fits the time budget or sample is 0, else on a sample."""
    if sample is None:
        sample = int(NAIVE_BUDGET_S / (latency + NAIVE_SECONDS_PER_FEED))
    if sample <= 0 or sample >= len(feeds):
        sample = len(feeds)
    got = run_child("naive", {"feeds": feed_spec(feeds), "sample": sample})
    scale = len(feeds) / got["feeds_timed"]
    got.update(extrapolated=got["feeds_timed"] < len(feeds),
               **{k: got[k] * scale for k in ("wall_s", "cpu_s", "main_cpu_s")})
    return got


def corpus_stats(corpus: str, count: int, now: datetime) -> dict[str, float]:
    """The share of the corpus's feeds the fast path reads (the rest go to feedparser), sizes,
    and, over the fast-path feeds, the CPU of reading the XML against that of normalising the
    entries (plain text, links, dates, uids) in this process."""
    from bot.sources.entries import parse_document
    from bot.sources.fastfeed import read_feed
    from bot.sources.feedparser_compat import prepare_document

    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    fast, sizes, read_s, whole_s = 0, [], 0.0, 0.0
    for i in range(count):
        body = corpus_document(corpus, i, now)
        sizes.append(len(body))
        started = time.process_time()
        took = read_feed(prepare_document(body), headers) is not None
        read = time.process_time() - started
        if took:
            fast += 1
            started = time.process_time()
            parse_document(body, "bench", now, headers, "https://bench.example/")
            read_s, whole_s = read_s + read, whole_s + time.process_time() - started
    sizes.sort()
    return {"fast_path_fraction": fast / count, "min_kb": sizes[0] / 1024,
            "median_kb": sizes[count // 2] / 1024, "max_kb": sizes[-1] / 1024,
            "total_mb": sum(sizes) / 2**20, "read_ms_per_feed": read_s / max(fast, 1) * 1000,
            "normalise_ms_per_feed": (whole_s - read_s) / max(fast, 1) * 1000}


def poll_cycle(count: int, latency: float, sample: int | None,
               concurrency: int | None, corpus: str = "generated") -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    load = os.getloadavg()  # other work on the machine skews every figure: say how busy it was
    with serve_feeds(count, latency=latency, now=now, corpus=corpus) as (_, feeds), \
            tempfile.TemporaryDirectory() as tmp:
        spec = {"feeds": feed_spec(feeds), "now": now.isoformat(), "db": f"{tmp}/bench.db",
                "warm": True, "concurrency": concurrency}
        real = run_child("real", spec)
        naive = naive_phase(feeds, latency, sample)
    cold, warm = real["cold"], real["warm"]
    stats = corpus_stats(corpus, count, now)
    return {
        "corpus": corpus, **stats,
        "machine": machine(), "load_avg": load, "feeds": count, "latency_s": latency,
        "entries_per_feed": 20, "evaluation": real["evaluation"],
        "rss_after_import_mb": real["rss_after_import_mb"],
        "cold": cold, "warm": {**warm, "wall_per_feed_ms": warm["wall_s"] / count * 1000,
                               "cpu_per_feed_ms": warm["cpu_s"] / count * 1000},
        "naive": naive, "speedup": naive["wall_s"] / cold["wall_s"],
        "targets": {
            "cold_15x_naive": naive["wall_s"] / cold["wall_s"] >= 15,
            "warm_le_2s": warm["wall_s"] <= 2.0,
            "peak_rss_le_250mb": max(cold["tree_peak_rss_mb"], warm["tree_peak_rss_mb"]) <= 250,
            "fast_path_ge_0.9": stats["fast_path_fraction"] >= 0.9,
        },
    }


def memory_cycle(count: int, latency: float, corpus: str) -> dict[str, Any]:
    """A cold cycle alone (no warm, no naive) of `count` feeds: peak memory at scale."""
    now = datetime.now(UTC).replace(microsecond=0)
    load = os.getloadavg()
    with serve_feeds(count, latency=latency, now=now, corpus=corpus) as (_, feeds), \
            tempfile.TemporaryDirectory() as tmp:
        real = run_child("real", {"feeds": feed_spec(feeds), "now": now.isoformat(),
                                  "db": f"{tmp}/bench.db", "warm": False})
    cold = real["cold"]
    return {"corpus": corpus, "feeds": count, "load_avg": load, "cold": cold,
            "targets": {f"peak_rss_le_250mb_at_{count}": cold["tree_peak_rss_mb"] <= 250}}


MEMORY_COLUMNS = ("peak RSS MB", "+workers RSS MB", "+workers PSS MB")


def memory(phase: dict[str, Any]) -> tuple[float, float, float]:
    """Main process peak RSS; with its worker processes, summed peak RSS and peak PSS."""
    return phase["peak_rss_mb"], phase["tree_peak_rss_mb"], phase["tree_peak_pss_mb"]


def table(rows: Sequence[Sequence[object]]) -> str:
    cells = [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in cells)


def _print(r: dict[str, Any]) -> None:
    m, cold, warm, naive = r["machine"], r["cold"], r["warm"], r["naive"]
    print(f"\n== corpus {r['corpus']}: {r['feeds']} feeds x {r['entries_per_feed']} entries, "
          f"{r['latency_s'] * 1000:.0f} ms latency; {m['nproc']} CPUs ({m['cpu']}), "
          f"Python {m['python']}")
    print(f"feed sizes {r['min_kb']:.0f} KB / {r['median_kb']:.0f} KB / {r['max_kb']:.0f} KB "
          f"(min / median / max), {r['total_mb']:.0f} MB in all; "
          f"fast-path fraction {r['fast_path_fraction']:.3f}")
    print(f"fast path, CPU per feed: reading the XML {r['read_ms_per_feed']:.2f} ms, "
          f"normalising its entries {r['normalise_ms_per_feed']:.2f} ms")
    print(f"evaluation: {r['evaluation']}; "
          f"interpreter+imports RSS {r['rss_after_import_mb']:.0f} MB")
    naive_note = (f"extrapolated from {naive['feeds_timed']} feeds" if naive["extrapolated"]
                  else "measured in full")
    print(table([
        ("phase", "wall s", "CPU s", *MEMORY_COLUMNS, "note"),
        ("cold (real code)", cold["wall_s"], cold["cpu_s"], *memory(cold),
         f"{cold['evaluated']} entries evaluated, {cold['alerts']} alerts"),
        ("warm, all 304", warm["wall_s"], warm["cpu_s"], *memory(warm),
         f"{warm['wall_per_feed_ms']:.2f} ms wall / {warm['cpu_per_feed_ms']:.2f} ms CPU per feed"),
        ("naive baseline", naive["wall_s"], naive["cpu_s"], *memory(naive), naive_note),
    ]))
    print(f"cold statuses {cold['statuses']}; load average at start {r['load_avg'][0]:.1f}")
    print(f"speed-up cold vs naive: {r['speedup']:.1f}x")
    for name, ok in r["targets"].items():
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    if cold["errors"]:
        print(f"errors: {cold['errors']}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--latency", type=float, default=0.1, help="seconds added to every response")
    p.add_argument("--baseline-sample", type=int, default=None, metavar="K",
                   help="time the naive loop on K feeds and extrapolate; 0: all feeds "
                        f"(default: as many as fit in {NAIVE_BUDGET_S:.0f} s)")
    p.add_argument("--concurrency", type=int, default=None, help="FeedPoller concurrency "
                   "(default: FeedPoller's own)")
    p.add_argument("--corpus", choices=(*CORPORA, "both"), default="both")
    p.add_argument("--memory-feeds", type=int, default=5000, metavar="N",
                   help="then a cold cycle of N news feeds for peak memory (0: none)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        spec = json.loads(Path(args.child).read_text())
        result = (child_real if spec["phase"] == "real" else child_naive)(spec)
        print(json.dumps(result))
        return 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs); {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)
    corpora = CORPORA if args.corpus == "both" else (args.corpus,)
    reports: list[dict[str, Any]] = []
    for corpus in corpora:
        reports.append(poll_cycle(args.feeds, args.latency, args.baseline_sample,
                                  args.concurrency, corpus))
        if not args.json:
            _print(reports[-1])
    if args.memory_feeds:
        reports.append(memory_cycle(args.memory_feeds, args.latency, "news"))
        if not args.json:
            _print_memory(reports[-1])
    if args.json:
        print(json.dumps(reports, indent=2))
    return 0


def _print_memory(r: dict[str, Any]) -> None:
    cold = r["cold"]
    print(f"\n== memory: cold cycle of {r['feeds']} {r['corpus']} feeds "
          f"(load average at start {r['load_avg'][0]:.1f})")
    print(table([("phase", "wall s", "CPU s", *MEMORY_COLUMNS, "note"),
                 ("cold (real code)", cold["wall_s"], cold["cpu_s"], *memory(cold),
                  f"{cold['evaluated']} entries evaluated, {cold['alerts']} alerts")]))
    for name, ok in r["targets"].items():
        print(f"target {name}: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
