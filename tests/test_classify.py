"""The news classifier: the labelled set meets its targets, and each trap family behaves."""

from __future__ import annotations

import time
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.rules.classify import classify

HEADLINES = Path(__file__).parent / "data" / "headlines.yaml"
KIND = {"restrict": "restriction", "ease": "easing", "neither": "neither"}


def _items(split: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(HEADLINES.read_text(encoding="utf-8"))
    if split == "holdout":  # the third the patterns were not written against
        return [i for i in items if i.get("batch") != "fresh"
                and zlib.crc32(i["title"].encode()) % 3 == 0]
    if split == "fresh":  # written after the patterns were frozen
        return [i for i in items if i.get("batch") == "fresh"]
    return items


def _scores(items: list[dict[str, Any]]) -> dict[str, float]:
    predicted = {kind: 0 for kind in KIND.values()}
    actual = dict(predicted)
    correct = dict(predicted)
    fired = materials_right = 0
    for item in items:
        want = KIND[item["label"]]
        got = classify(item["title"], item.get("summary") or "")
        predicted[got.kind] += 1
        actual[want] += 1
        correct[want] += got.kind == want
        if got.kind != "neither" and want != "neither":
            fired += 1
            materials_right += set(got.materials) == set(item["materials"])
    scores = {"materials": materials_right / fired}
    for kind in ("restriction", "easing"):
        scores[f"{kind} precision"] = correct[kind] / predicted[kind]
        scores[f"{kind} recall"] = correct[kind] / actual[kind]
    return scores


def test_labelled_set_is_large_and_balanced() -> None:
    items = _items("all")
    labels = [i["label"] for i in items]
    assert len(items) >= 150
    for label in ("restrict", "ease", "neither"):
        assert labels.count(label) >= 0.25 * len(items), label
    for item in items:
        assert item["title"] and item["summary"] and item["label"] in KIND
        if item["label"] != "neither":
            assert item["materials"], item["title"]


@pytest.mark.parametrize("split", ["all", "holdout", "fresh"])
def test_labelled_set_meets_targets(split: str) -> None:
    scores = _scores(_items(split))
    for kind in ("restriction", "easing"):
        assert scores[f"{kind} precision"] >= 0.95, scores
        assert scores[f"{kind} recall"] >= 0.90, scores
    assert scores["materials"] >= 0.95, scores


@pytest.mark.parametrize(("title", "kind"), [
    ("China suspends rare earth shipments to Japan", "restriction"),
    ("China suspends export controls on gallium", "easing"),
    ("China suspends ban on antimony exports to US", "easing"),
    ("Gallium export controls suspended until November 2026", "easing"),
    ("China halts dysprosium oxide exports", "restriction"),
    ("China halts export controls on rare earth oxides", "easing"),
])
def test_suspend_and_halt_point_both_ways(title: str, kind: str) -> None:
    assert classify(title).kind == kind


@pytest.mark.parametrize("title", [
    "China lifts curbs on graphite exports to US",
    "Rare earth curbs lifted for Japanese magnet makers",
    "China eases antimony export restrictions",
    "Ban on germanium exports to US paused for a year",
    "China grants export licences to rare earth magnet makers",
    "China issues general licences for gallium exports",
    "Rare earth magnet shipments resume to European carmakers",
])
def test_easing_stories(title: str) -> None:
    assert classify(title).kind == "easing"


@pytest.mark.parametrize("title", [
    "China bans gallium exports to the United States",
    "MOFCOM rejects rare earth export licence applications",
    "China revokes general licences for gallium exporters",
    "China reinstates rare earth export controls as suspension expires",
    "China adds tungsten to export control list",
    "China cuts 2026 heavy rare earth mining quota",
])
def test_restriction_stories(title: str) -> None:
    assert classify(title).kind == "restriction"


@pytest.mark.parametrize("title", [
    "Lynas cuts costs as rare earth prices slump",
    "Production halt at gallium plant after floods",
    "Baotou bans smoking in rare earth smelters after fire",
    "Rare earth miner halts share trading pending capital raising",
    "Terbium prices ease as buyers hold back",
    "Mountain Pass resumes rare earth production after maintenance",
    "Syrah suspends Balama graphite operations amid protests",
])
def test_restriction_words_in_other_senses_do_not_fire(title: str) -> None:
    assert classify(title).kind == "neither"


@pytest.mark.parametrize(("negated", "plain", "kind"), [
    ("China will not restrict rare earth exports to Europe",
     "China to restrict rare earth exports to Europe", "restriction"),
    ("Commerce ministry denies it will ban graphite exports",
     "Commerce ministry to ban graphite exports", "restriction"),
    ("China has no plans to lift rare earth curbs", "China to lift rare earth curbs", "easing"),
])
def test_negation_silences_only_the_negated_story(negated: str, plain: str, kind: str) -> None:
    assert classify(negated).kind == "neither"
    assert classify(plain).kind == kind


@pytest.mark.parametrize("title", [
    "Analysts fear China could ban rare earth magnet exports next",
    "Could China halt rare earth exports to the US?",
    "China weighs curbs on gallium exports, sources say",
    "EU proposes curbs on exports of rare earth magnet scrap",
    "Gallium exports plunge 75% amid curbs",
    "Antimony prices at record high since China banned exports to the US",
    "Explainer: what China's export controls on gallium mean",
])
def test_speculation_plans_background_history_and_explainers_do_not_fire(title: str) -> None:
    assert classify(title).kind == "neither"


@pytest.mark.parametrize(("title", "kind"), [
    ("Yttrium shortage deepens as China withholds export licences", "restriction"),
    ("Buyers scramble as Beijing turns down rare earth licence requests", "restriction"),
    ("Magnet makers relieved as China grants rare earth export licences", "easing"),
])
def test_a_new_action_in_a_consequence_clause_counts(title: str, kind: str) -> None:
    assert classify(title).kind == kind


@pytest.mark.parametrize(("title", "kind"), [
    ("Customs launches crackdown on antimony smuggling", "restriction"),
    ("EU imposes anti-dumping duties on Chinese graphite anodes", "restriction"),
    ("Gallium wafers made subject to export licensing", "restriction"),
    ("Ministry moves to control tungsten exports", "restriction"),
    ("China suspends prohibition on gallium exports to the US", "easing"),
    ("Germanium licence approvals relaxed for European buyers", "easing"),
    ("Deal to speed up rare earth magnet shipments to US", "easing"),
])
def test_measures_of_the_wider_vocabulary(title: str, kind: str) -> None:
    assert classify(title).kind == kind


def test_a_price_headline_is_not_decided_by_its_lede() -> None:
    result = classify("Terbium prices hit record in Europe",
                      "China imposed export controls on terbium in April.")
    assert result.kind == "neither"
    assert "about" in result.reason


@pytest.mark.parametrize("title", [
    "US bans Nvidia H20 chip sales to China",
    "China halts soybean purchases from US farms",
    "Montana bans TikTok",
    "China lifts ban on Japanese seafood imports",
])
def test_no_watched_material_never_fires(title: str) -> None:
    # the second sentence names gallium, but only as context
    result = classify(title, "The move follows talks. China restricted gallium exports in 2023.")
    assert result.kind == "neither"
    assert result.materials == ()


def test_title_decides_over_summary() -> None:
    result = classify("China bans dysprosium oxide exports to US",
                      "Beijing lifted curbs on terbium exports to Japan, the ministry said.")
    assert result.kind == "restriction"
    assert result.materials == ("Dy",)
    assert "(title)" in result.reason


def test_lede_decides_when_the_title_is_silent() -> None:
    result = classify("Beijing escalates tech war over critical minerals",
                      "China banned exports of gallium and germanium to the U.S. on Tuesday. "
                      "Beijing lifted curbs on graphite last year.")
    assert result.kind == "restriction"
    assert result.materials == ("Ga", "Ge")
    assert "(summary)" in result.reason


def test_group_headline_gains_the_elements_and_magnets_of_the_lede() -> None:
    result = classify("China halts rare earth exports to US defence firms",
                      "Shipments of dysprosium and terbium oxides were stopped on Monday.")
    assert set(result.materials) == {"REE", "Dy", "Tb"}
    result = classify("China halts rare earth exports to US carmakers",
                      "Exporters stopped shipping NdFeB magnets on Monday. Dysprosium is next.")
    assert result.materials == ("REE", "NdFeB")


def test_reason_quotes_the_deciding_words() -> None:
    result = classify("China suspends rare earth shipments to US carmakers")
    assert result.reason.startswith('restrict: "suspends')
    assert "shipments" in result.reason and "(title)" in result.reason
    assert result.score > 0


def test_injection_text_is_classified_and_never_echoed() -> None:
    result = classify("<!channel> China bans Dy exports <http://evil.example|bank>",
                      "<p>China banned <b>dysprosium</b> exports &amp; more.</p>")
    assert result.kind == "restriction"
    assert result.materials == ("Dy",)
    assert "<" not in result.reason and "evil" not in result.reason


def test_html_summary_is_read_as_text() -> None:
    result = classify("Beijing acts on critical minerals",
                      "<p>China has <b>banned</b> exports of gallium &amp; germanium.</p>")
    assert (result.kind, result.materials) == ("restriction", ("Ga", "Ge"))


def test_empty_item_is_neither() -> None:
    assert classify("", "").kind == "neither"


def test_crafted_huge_entry_costs_no_more_than_a_normal_one() -> None:
    started = time.process_time()
    classify("<" * 50_000 + "rare earth", "lifts curbs on rare earth exports " * 3_000)
    classify("China " + "halts, " * 20_000 + "rare earth exports", "U.S. " * 30_000)
    assert time.process_time() - started < 0.5


def test_classifies_thousands_of_entries_per_second() -> None:
    items = _items("all")
    started = time.process_time()
    for n in range(5_000):
        item = items[n % len(items)]
        classify(item["title"], item["summary"])
    # 5,000/s is the product target; half of it here leaves room for a loaded CI machine
    assert time.process_time() - started < 2.0
