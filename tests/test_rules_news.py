"""news_restriction and news_easing: their parameters, and what fires on which entry."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.helpers.news import ctx, easing, entry, restriction

# --- validation ---------------------------------------------------------------------

def test_unknown_material_names_it_and_suggests_the_right_one() -> None:
    with pytest.raises(ValidationError) as exc:
        restriction(materials=["dysprosum"])
    assert "unknown material 'dysprosum': did you mean dysprosium (Dy)?" in str(exc.value)


def test_materials_accept_any_alias_and_store_canonical_keys() -> None:
    assert restriction(materials=["dysprosium", "Tb4O7", "rare-earth", "Dy"]).materials == [
        "Dy", "Tb", "REE"]


@pytest.mark.parametrize(("params", "message"), [
    ({"materials": []}, "materials must name at least one material"),
    ({"min_score": -0.1}, "min_score\n  Input should be greater than or equal to 0"),
    ({"min_score": 50}, "min_score\n  Input should be less than or equal to 1"),
    ({"cluster_days": 0}, "cluster_days\n  Input should be greater than or equal to 1"),
    ({"similarity": 1.5}, "similarity\n  Input should be less than or equal to 1"),
    ({"severity": "severe"}, "severity\n  Input should be 'info', 'warning', 'high' or 'critical'"),
    ({"treshold": 3}, "treshold\n  Extra inputs are not permitted"),
    ({"id": "has space"}, "a rule id is letters, digits, '.', '_' and '-'"),
])
def test_bad_parameters_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        restriction(**params)
    assert message in str(exc.value)


def test_default_severities() -> None:
    assert restriction().effective_severity == "high"
    assert easing().effective_severity == "info"
    assert restriction(severity="critical").effective_severity == "critical"


# --- evaluate -----------------------------------------------------------------------

def test_a_restriction_fires_with_its_material_key_facts_and_reason() -> None:
    e = entry("China halts exports of dysprosium oxide to US chipmakers",
              "Beijing told exporters to stop shipments pending licence reviews.", feed="reuters")
    [m] = restriction().evaluate(ctx(e))
    assert m.rule_type == "news_restriction"
    assert m.key == f"restrict:{m.subject}" and m.subject.startswith("story:")
    assert len(m.subject) == len("story:") + 12
    assert m.materials == ("Dy",)
    assert m.severity == "high"
    assert m.title == e.title
    facts = dict(m.facts)
    assert facts["Headline"] == e.title
    assert facts["Sources"] == "reuters"
    assert [s.url for s in m.sources] == [e.link]
    assert "halts" in m.reason


def test_an_easing_story_is_not_a_restriction_and_vice_versa() -> None:
    lift = entry("China lifts ban on gallium and germanium exports to the United States")
    halt = entry("China suspends rare earth shipments to US defence firms")
    assert [m.materials for m in easing().evaluate(ctx(lift, halt))] == [("Ga", "Ge")]
    assert [m.materials for m in restriction().evaluate(ctx(lift, halt))] == [("REE",)]


def test_suspending_controls_eases() -> None:
    e = entry("China suspends export controls on gallium, germanium and antimony")
    assert restriction().evaluate(ctx(e)) == []
    [m] = easing().evaluate(ctx(e))
    assert m.materials == ("Ga", "Ge", "Sb")
    assert m.severity == "info"


def test_stories_without_a_watched_material_never_fire() -> None:
    e = entry("US bans exports of advanced chips to China")
    assert restriction().evaluate(ctx(e)) == [] == easing().evaluate(ctx(e))


def test_business_news_does_not_fire() -> None:
    e = entry("Lynas posts record quarterly rare earths output as NdPr prices rise")
    assert restriction().evaluate(ctx(e)) == [] == easing().evaluate(ctx(e))


def test_materials_filter() -> None:
    dy = entry("China halts dysprosium exports")
    ga = entry("China bans gallium exports to the United States")
    assert [m.materials for m in restriction(materials=["Dy"]).evaluate(ctx(dy, ga))] == [("Dy",)]
    assert [m.materials for m in restriction(materials=["gallium"]).evaluate(ctx(dy, ga))] == [
        ("Ga",)]


def test_ree_covers_its_elements_and_an_element_rule_sees_group_stories() -> None:
    dy = entry("China halts dysprosium exports")
    group = entry("China halts rare earth exports to Japan")
    ga = entry("China bans gallium exports to the United States")
    assert len(restriction(materials=["REE"]).evaluate(ctx(dy, group, ga))) == 2
    assert [m.materials for m in restriction(materials=["Tb"]).evaluate(ctx(dy, group, ga))] == [
        ("REE",)]


def test_min_score_drops_stories_only_the_summary_decides() -> None:
    headline = entry("China halts dysprosium exports")
    lede = entry("Dysprosium news in brief",
                 "China halted exports of dysprosium oxide on Monday, traders said.")
    assert len(restriction().evaluate(ctx(headline, lede))) == 2
    [m] = restriction(min_score=0.8).evaluate(ctx(headline, lede))
    assert m.title == headline.title


def test_nothing_new_nothing_fires() -> None:
    assert restriction().evaluate(ctx()) == []


def test_the_story_id_is_stable_for_the_same_entry() -> None:
    e = entry("China halts dysprosium exports")
    assert restriction().evaluate(ctx(e))[0].key == restriction().evaluate(ctx(e))[0].key
