"""The news rule types, news_restriction and news_easing, and the base they share.

A news rule fires on new feed entries the classifier files under its `kind`, one alert per
story (bot.rules.stories clusters the entries; the rule turns each story into a Match).
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import ClassVar

from pydantic import Field, field_validator

from bot.material_graph import any_covered
from bot.materials import UnknownMaterial, canonical
from bot.models import Entry, Match, Severity
from bot.rules.base import RuleBase
from bot.rules.classify import Classification, classify
from bot.rules.context import RuleContext, links_of
from bot.rules.extra_terms import ExtraTerms
from bot.rules.stories import Story, cluster, ordered, story_id


# Two news rules judge the same entries in one cycle, so the verdicts are kept for the cycle
# in the context (bounded by the cycle's entries, gone with it; a rule with extra terms keeps
# its own). Outside a cycle (test-rules) a small cache serves the same purpose; the
# classifier is a pure function of its input.
@lru_cache(maxsize=1024)
def judge(title: str, summary: str, restrict: tuple[str, ...] = (),
          ease: tuple[str, ...] = ()) -> Classification:
    return classify(title, summary, extra_restrict=restrict, extra_ease=ease)


def judge_entry(entry: Entry, ctx: RuleContext, terms: ExtraTerms | None = None) -> Classification:
    key = entry.uid if terms is None else "\0".join((entry.uid, *terms.restrict, "", *terms.ease))
    verdict: Classification | None = ctx.verdicts.get(key)
    if verdict is None:
        extra = (terms.restrict, terms.ease) if terms else ((), ())
        verdict = ctx.verdicts[key] = classify(entry.title, entry.summary, extra_restrict=extra[0],
                                               extra_ease=extra[1])
    return verdict


class NewsRule(RuleBase):
    """Fires on new feed entries the classifier files under `kind`, one alert per story.

    Parameters (besides id, type, severity, enabled), the same for both news types:

    materials     aliases of the materials to watch (default: every watched material);
                  `REE` covers every rare-earth element, and a rule on an element also
                  sees stories about the rare earths as a group
    min_score     the classifier's minimum confidence (default 0: every story it files this way)
    cluster_days  the same story from several feeds within this many days is one alert (default 3)
    similarity    how alike two headlines must be to be one story, 0-1 (default 0.5)
    extra_terms   {restrict: [...], ease: [...]}: this rule's own phrases for a restriction or an
                  easing, judged by the same grammar as the built-in vocabulary
    """

    kind: ClassVar[str] = ""

    materials: list[str] | None = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    cluster_days: int = Field(default=3, ge=1, le=30)
    similarity: float = Field(default=0.5, gt=0.0, le=1.0)
    extra_terms: ExtraTerms | None = None

    @field_validator("materials")
    @classmethod
    def _canonical(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        if not v:
            raise ValueError("materials must name at least one material (or be left out)")
        keys, problems = [], []
        for name in v:
            try:
                keys.append(canonical(str(name)))
            except UnknownMaterial as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return list(dict.fromkeys(keys))

    def judge(self, title: str, summary: str) -> Classification:
        """The verdict this rule sees: the classifier's, with the rule's extra terms."""
        terms = self.extra_terms
        return judge(title, summary, *((terms.restrict, terms.ease) if terms else ()))

    def accepts(self, verdict: Classification) -> bool:
        """Does this rule fire on an entry the classifier judged so?"""
        if verdict.kind != self.kind or verdict.score < self.min_score:
            return False  # no materials (a measure on "critical minerals"): rules on every one
        return self.materials is None or any_covered(self.materials, verdict.materials)

    def evaluate(self, ctx: RuleContext) -> list[Match]:
        verdicts: dict[str, Classification] = {}
        judged: list[tuple[Entry, tuple[str, ...]]] = []
        for entry in ctx.entries:
            verdict = judge_entry(entry, ctx, self.extra_terms)
            if self.accepts(verdict):
                verdicts[entry.uid] = verdict
                judged.append((entry, verdict.materials))
        if not judged:
            return []
        mine = [s for s in ctx.recent_stories if s.rule_id == self.id]
        stories = cluster(judged, mine, now=ctx.now, window=timedelta(days=self.cluster_days),
                          threshold=self.similarity)
        return [self._match(story, verdicts[story.lead.uid]) for story in stories]

    def _match(self, story: Story, verdict: Classification) -> Match:
        lead = story.lead
        if story.existing is not None:
            key = story.existing.key
            sid = key.rsplit(":", 1)[-1]
        else:
            sid = story_id(lead)
            key = self.key("story", sid)
        materials = ordered(story.materials)
        facts: list[tuple[str, str]] = [("Headline", lead.title)]
        if verdict.lang != "en":  # the original stays; one English line says what was judged
            facts.append(("Judged", verdict.judged.removeprefix("Judged: ")))
        if lead.summary:
            summary = " ".join(lead.summary.split())
            facts.append(("Summary", summary if len(summary) <= 300 else summary[:297] + "..."))
        facts.append(("Published", lead.published.strftime("%Y-%m-%d %H:%M UTC")))
        feeds = ", ".join(dict.fromkeys(e.feed for e in story.entries))
        facts.append(("Sources", feeds))
        return Match(
            rule_id=self.id,
            rule_type=self.type_name,
            key=key,
            severity=self.effective_severity,
            title=lead.title,
            subject=f"story:{sid}",  # what `alerts --json` shows; readable, and the key's tail
            materials=materials,
            facts=tuple(facts),
            sources=links_of(story.entries),
            reason=verdict.reason,
        )


class NewsRestriction(NewsRule):
    """A new or tightened measure on a watched material (parameters: NewsRule).

    Severity defaults to `high`: a restriction is what this bot exists to catch early.
    """

    kind: ClassVar[str] = "restriction"
    default_severity: ClassVar[Severity] = "high"


class NewsEasing(NewsRule):
    """A measure lifted, suspended or relaxed, or licences granted (parameters: NewsRule).

    Severity defaults to `info`: good news is worth knowing but never worth waking anyone,
    and a route on `severity: [critical]` should not page on it. Each easing alert also
    marks the open news_restriction alerts on the same materials as eased
    (bot.alerts.resolve.apply_resolutions).
    """

    kind: ClassVar[str] = "easing"
    default_severity: ClassVar[Severity] = "info"
