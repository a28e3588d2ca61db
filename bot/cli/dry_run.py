"""`chokepoint test-rules`: judge each entry of a feed with the news rules, storing nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from bot.models import Entry, Severity
from bot.rules.base import RuleBase
from bot.rules.classify import Classification
from bot.rules.news import NewsRule, judge
from bot.rules.stories import ordered


@dataclass(frozen=True)
class DryRunHit:
    """A news rule that would fire on an entry."""

    rule_id: str
    rule_type: str
    severity: Severity
    materials: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class DryRunResult:
    """One feed entry, the classifier's verdict on it, and the rules that would fire."""

    entry: Entry
    verdict: Classification
    hits: tuple[DryRunHit, ...]


def news_rules(rules: Iterable[RuleBase]) -> list[NewsRule]:
    return [r for r in rules if isinstance(r, NewsRule) and r.enabled]


def judge_entries(entries: Iterable[Entry], rules: Iterable[RuleBase]) -> list[DryRunResult]:
    """Each entry on its own (no story clustering: the point is to see every verdict)."""
    chosen = news_rules(rules)
    results = []
    for entry in entries:
        verdict = judge(entry.title, entry.summary)
        mine = [(rule, rule.judge(entry.title, entry.summary)) for rule in chosen]
        hits = tuple(
            DryRunHit(rule.id, rule.type_name, rule.effective_severity, ordered(v.materials),
                      v.reason)
            for rule, v in mine
            if rule.accepts(v)
        )
        results.append(DryRunResult(entry, verdict, hits))
    return results


def _feed_name(source: str) -> str:
    if re.match(r"^https?://", source):
        return urlsplit(source).hostname or "test-rules"
    return Path(source).stem or "test-rules"


def test_rules(source: str, rules: Sequence[RuleBase], now: datetime) -> list[DryRunResult]:
    """Read the feed at `source` (a file path or URL) and judge each entry with the news rules.

    Raises whatever read_source/parse_feed raise for a source that cannot be read or parsed;
    the command turns that into a message and exit code.
    """
    # Imported here: the feed reader pulls in the store and HTTP client, which rules never need.
    from bot.sources.feeds import parse_feed
    from bot.sources.fetch import read_source

    body = read_source(source)
    entries = parse_feed(body, feed=_feed_name(source), now=now,
                         url=source if re.match(r"^https?://", source) else "")
    return judge_entries(entries, rules)


test_rules.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name

# Terminal control characters in a headline could rewrite the operator's screen.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    return _CONTROL_RE.sub("", " ".join(text.split()))


def format_text(results: Sequence[DryRunResult]) -> str:
    """Per entry: its title and link, then each rule that fires (materials, severity, why)."""
    lines: list[str] = []
    for r in results:
        lines.append(_clean(r.entry.title) or "(no title)")
        if r.entry.link:
            lines.append(f"  {_clean(r.entry.link)}")
        for hit in r.hits:
            materials = ", ".join(hit.materials)
            lines.append(f"  -> {hit.rule_id} ({hit.rule_type}, {hit.severity}) [{materials}]: "
                         f"{_clean(hit.reason)}")
        if not r.hits:
            why = _clean(r.verdict.reason) or r.verdict.kind
            if r.verdict.materials:
                why += f" [{', '.join(r.verdict.materials)}]"
            lines.append(f"  no rule fires ({why})")
        lines.append("")
    firing = sum(1 for r in results if r.hits)
    lines.append(f"{len(results)} entries, {firing} would alert.")
    return "\n".join(lines) + "\n"


def format_json(results: Sequence[DryRunResult]) -> str:
    """One JSON object per line: {"title", "link", "alerts": [{"rule", "type", "severity",
    "materials"}]} (docs/commands.md)."""
    out = []
    for r in results:
        alerts = [
            {"rule": h.rule_id, "type": h.rule_type, "severity": h.severity,
             "materials": list(h.materials)}
            for h in r.hits
        ]
        out.append(json.dumps({"title": r.entry.title, "link": r.entry.link, "alerts": alerts},
                              ensure_ascii=False))
    return "".join(line + "\n" for line in out)
