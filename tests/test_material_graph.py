"""The materials graph: a product covers what it is made of; an element hears of its group."""

from __future__ import annotations

import pytest

from bot.alerts.route import targets_for
from bot.config import RouteConfig
from bot.material_graph import any_covered, covered_by, covers
from bot.materials import MATERIALS
from bot.models import Match, Target
from tests.helpers.news import ctx, entry, restriction


@pytest.mark.parametrize(("wanted", "material", "expected"), [
    ("NdFeB", "Dy", True), ("NdFeB", "Tb", True), ("NdFeB", "Nd", True), ("NdFeB", "Pr", True),
    ("NdFeB", "REE", True), ("NdFeB", "NdFeB", True),
    ("NdFeB", "Sm", False), ("NdFeB", "La", False), ("NdFeB", "Ga", False),  # not transitive
    ("SmCo", "Sm", True), ("SmCo", "REE", True), ("SmCo", "Dy", False),
    ("REE", "Dy", True), ("REE", "Sc", True), ("REE", "Ga", False),
    ("Dy", "REE", True),  # an element hears of its group
    ("Dy", "NdFeB", False), ("Ga", "REE", False), ("graphite", "graphite", True),
])
def test_covers(wanted: str, material: str, expected: bool) -> None:
    assert covers(wanted, material) is expected


def test_the_rare_earth_group_holds_all_seventeen_elements() -> None:
    elements = [k for k, m in MATERIALS.items() if m.kind == "element"]
    assert len(elements) == 17 and all(covers("REE", k) for k in elements)


def match(materials: tuple[str, ...]) -> Match:
    return Match(rule_id="news", rule_type="news_restriction", key=f"news:{materials}",
                 severity="high", title="t", subject="s", materials=materials)


def test_a_route_and_a_subscription_on_ndfeb_hear_of_dysprosium_and_rare_earths() -> None:
    routes = [RouteConfig.model_validate({"match": {"materials": ["NdFeB magnets"]},
                                          "slack": "#magnets"})]
    subscribers = {"NdFeB": ["U0MAGNETS"]}
    for materials in (("Dy",), ("REE",), ("REE", "NdFeB")):
        assert targets_for(match(materials=materials), routes, "#default", subscribers) == [
            Target("slack", "#magnets"), Target("slack-dm", "U0MAGNETS")]
    assert targets_for(match(materials=("Ga",)), routes, "#default", subscribers) == [
        Target("slack", "#default")]
    assert any_covered(["NdFeB"], ["Ga", "Dy"]) and not any_covered(["NdFeB"], ["Ga", "W"])


def test_a_news_rule_on_a_product_fires_on_its_constituents() -> None:
    dy = entry("China halts dysprosium oxide exports")
    group = entry("China tightens rare earth export controls")
    ga = entry("China bans gallium exports to the United States")
    got = [m.materials for m in restriction(materials=["NdFeB"]).evaluate(ctx(dy, group, ga))]
    assert sorted(got) == [("Dy",), ("REE",)]


def test_queries_by_material_expand_through_the_graph() -> None:
    assert covered_by(["NdFeB"]) == ("REE", "Pr", "Nd", "Tb", "Dy", "NdFeB")
    assert set(covered_by(["Dy"])) == {"Dy", "REE"}
