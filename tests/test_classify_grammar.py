"""The classifier's grammar: gates read off the patterns, Chinese headlines, a rule's own terms."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.rules import classify as engine
from bot.rules.classify import classify
from bot.rules.gates import gates
from bot.rules.grammar import EN, ZH
from bot.rules.news import NewsRestriction
from tests.helpers.news import ctx, easing, entry, restriction

DATA = Path(__file__).parent / "data"


def _labelled() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load((DATA / "headlines.yaml").read_text("utf-8"))
    for name in ("news_en.yaml", "news_zh.yaml"):
        path = DATA / "corpus" / name
        if path.exists():
            items += yaml.safe_load(path.read_text("utf-8")) or []
    return items


def _fuzzed(n: int) -> Iterator[tuple[str, str]]:
    """Headlines shuffled from the vocabulary's own words, the corpora's words and noise."""
    rng = random.Random(14)
    words = [w for item in _labelled()[:400] for w in item["title"].split()]
    literals = [lit for g in (EN, ZH) for lit in g.literals if lit.isprintable()]
    for _ in range(n):
        pool = words + literals + ["-", ",", "?", "not", "could", "as", "after", "\u00ad"]
        title = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.3:
            title = title.replace(" ", "")
        yield title, " ".join(rng.choice(pool) for _ in range(rng.randint(0, 20)))


def test_gates_are_read_off_the_pattern() -> None:
    (heads, tails) = gates(r"\b(?P<v>ban(?:s|ned)?|halt\w*)\s+(?P<o>licen[cs]es?|curbs?)\b")[:2]
    assert heads == {"ban", "halt"} or tails == {"ban", "halt"}
    assert {"licences", "licenses", "curb"} <= (heads | tails) or {"licence", "license", "curb"} <= (
        heads | tails)
    assert gates(r"(?i:ban)") == ()  # any case: nothing literal to test, so it always runs
    # issue 12's example: "blacklist" is in the pattern, so it is in the gate
    assert any("blacklis" in lit for lit in EN.literals)


def test_gated_and_ungated_classification_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [(i["title"], i.get("summary") or "") for i in _labelled()] + list(_fuzzed(3000))
    gated = [classify(t, s) for t, s in cases]
    monkeypatch.setattr(engine, "_GATED", False)
    ungated = [classify(t, s) for t, s in cases]
    assert gated == ungated
    assert sum(v.kind != "neither" for v in gated) > 100  # the comparison has teeth


def test_blacklisting_a_producer_scores_as_a_full_restriction() -> None:
    result = classify("US adds Chinese gallium producers to blacklist")
    assert result.kind == "restriction" and result.score >= 0.9


@pytest.mark.parametrize(("title", "kind", "materials"), [
    ("商务部 海关总署公告2025年第61号 关于对境外相关稀土物项实施出口管制的决定", "restriction",
     ("REE",)),
    ("关于暂停实施商务部公告2025年第61号等公告的公告：稀土", "easing", ("REE",)),
    ("關於停止執行鎵、鍺出口管制措施的公告", "easing", ("Ga", "Ge")),
    ("中国禁止镓、锗、锑对美出口", "restriction", ("Ga", "Ge", "Sb")),
    ("海关严厉打击锑走私出口", "restriction", ("Sb",)),
    ("商务部已批准部分钕铁硼磁体出口许可申请", "easing", ("NdFeB",)),
    ("中国不会对欧洲实施稀土出口限制", "neither", ("REE",)),
    ("中国或将对钨实施出口管制", "neither", ("W",)),
    ("氧化镝价格创新高", "neither", ("Dy",)),
    ("解读：稀土出口管制新规", "neither", ("REE",)),
])
def test_chinese_headlines_are_judged_like_english_ones(
        title: str, kind: str, materials: tuple[str, ...]) -> None:
    result = classify(title)
    assert (result.kind, result.materials) == (kind, materials), result.reason
    assert result.lang == "zh"


def test_a_chinese_verdict_says_in_english_what_was_judged() -> None:
    result = classify("商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的决定",
                      "决定对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项实施出口管制。")
    assert result.judged.startswith("Judged: restriction (export controls or duties imposed) on")
    assert "dysprosium (Dy)" in result.judged
    assert '"实施出口管制"' in result.reason  # which words decided, quoted from the original


def test_reason_lists_the_words_that_did_not_count() -> None:
    result = classify("China halts gallium exports as analysts fear it could ban germanium")
    assert result.kind == "restriction"
    assert 'restrict: "halts ... exports" (title)' in result.reason
    assert "not counted" in result.reason and "speculative" in result.reason


def test_a_rule_s_extra_terms_decide_for_that_rule_only() -> None:
    e = entry("Kachin rebels seal off rare earth mining corridor to Chinese trucks")
    assert restriction().evaluate(ctx(e)) == []
    mine = restriction(extra_terms={"restrict": ["seal off"], "ease": ["reopen corridor"]})
    [m] = mine.evaluate(ctx(e))
    assert m.materials == ("REE",) and "seal off" in m.reason and "rule term" in m.reason
    # the same grammar applies: a hedged use does not count
    hedged = entry("Rebels could seal off rare earth mining corridor, traders fear")
    assert mine.evaluate(ctx(hedged)) == []
    assert easing(extra_terms={"ease": ["解除封锁"]}).evaluate(
        ctx(entry("克钦武装解除封锁 稀土运输恢复"))) != []


@pytest.mark.parametrize(("terms", "message"), [
    ({"restrict": ["   "]}, "1-80 characters"),
    ({"restrict": ["seal off"], "ease": ["Seal off"]}, "both restrict and ease"),
    ({"restrict": ["seal off"], "block": ["x"]}, "block"),
])
def test_bad_extra_terms_are_refused_with_a_clear_message(
        terms: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NewsRestriction.model_validate({"id": "r", "type": "news_restriction",
                                        "extra_terms": terms})


@pytest.mark.parametrize(("title", "kind"), [
    ("Automakers scramble as Beijing turns down rare earth licence requests", "restriction"),
    ("One year on: how China's germanium curbs reshaped the market", "neither"),
    ("Myanmar rebels halt rare earth shipments to China", "restriction"),
    ("DR Congo suspends cobalt exports for four months", "neither"),  # not a watched material
    ("Pentagon ban on Chinese-made rare earth magnets takes effect", "restriction"),
    ("US removes Chinese graphite firm from entity list", "easing"),
    ("China raises 2025 rare earth mining quota by 6%", "neither"),
    ("China cuts first batch of tungsten mining quota", "restriction"),
    ("China makes tungsten, tellurium items subject to export licensing", "restriction"),
    ("China fast-tracks rare earth licence approvals for EU firms", "easing"),
    ("Lynas quarterly revenue jumps as rare earth prices climb", "neither"),
    ("中方宣布对美暂停实施稀土出口管制措施", "easing"),
    ("稀土出口许可审批放缓 欧洲车企告急", "restriction"),
    ("传中国考虑限制稀土加工技术出口", "neither"),
    ("中国稀土出口连续三个月下降", "neither"),
])
def test_the_labelling_guide_s_classes(title: str, kind: str) -> None:
    assert classify(title).kind == kind, classify(title).reason
