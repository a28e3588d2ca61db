"""`extra_terms` of a news rule: words of its own that restrict or ease (docs/rules.md).

An ElastAlert user expects to add keywords; here they join the classifier's vocabulary for
this rule only, as a tier that runs before the built-in ones, and the same grammar applies
to them (negated, speculative or history uses do not count). Each term is a literal phrase,
matched in any case and spacing for English, as written for Chinese.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.rules.grammar import BadTerm, term_regex


class ExtraTerms(BaseModel):
    """`{restrict: [...], ease: [...]}`: phrases that report a restriction or an easing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    restrict: tuple[str, ...] = Field(default=(), max_length=200)
    ease: tuple[str, ...] = Field(default=(), max_length=200)

    @field_validator("restrict", "ease")
    @classmethod
    def _usable(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        problems = []
        for phrase in v:
            try:
                term_regex(phrase)
            except BadTerm as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(dict.fromkeys(" ".join(p.split()) for p in v))

    def model_post_init(self, _context: object) -> None:
        both = {p.lower() for p in self.restrict} & {p.lower() for p in self.ease}
        if both:
            raise ValueError(f"extra terms both restrict and ease: {', '.join(sorted(both))}")
