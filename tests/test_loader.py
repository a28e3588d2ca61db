"""Loading rules/*.yaml: the default pack is valid; each mistake is reported with file, line, id."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.rules import UnknownRuleType, known_types, rule_type
from bot.rules.base import RuleBase, evaluate_rules
from bot.rules.context import RuleContext
from bot.rules.loader import RulesError, check_rules, load_rules

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "data" / "rules"
CTX = RuleContext(now=datetime(2026, 1, 1, tzinfo=UTC), today=date(2026, 1, 1))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Problems name files relative to the working directory, as `chokepoint check` prints them.
    monkeypatch.chdir(tmp_path)


def folder_with(tmp_path: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(BAD / name, tmp_path / name)
    return tmp_path


def problems(folder: Path) -> list[str]:
    with pytest.raises(RulesError) as exc:
        load_rules(folder)
    return [str(p) for p in exc.value.problems]


def test_the_default_pack_loads() -> None:
    rules = load_rules(ROOT / "rules")
    by_id = {r.id: r for r in rules}
    assert {r.type for r in rules} == set(known_types())
    assert by_id["licence-expiry"].warn_days == [60, 30, 14, 7, 1]  # type: ignore[attr-defined]
    assert by_id["export-swing"].threshold_pct == 10  # type: ignore[attr-defined]
    assert by_id["export-swing"].min_tonnes == 50  # type: ignore[attr-defined]
    assert by_id["feed-stale"].after.days == 3  # type: ignore[attr-defined]
    watched = set(by_id["restriction-news"].materials)  # type: ignore[attr-defined]
    assert {"REE", "Dy", "Tb", "NdFeB", "SmCo", "Ga", "Ge", "Sb", "graphite", "W"} <= watched
    assert check_rules(ROOT / "rules") == []


def test_known_types_are_the_seven_of_the_spec() -> None:
    assert known_types() == ["export_swing", "feed_stale", "licence_expiry", "licence_status",
                             "news_easing", "news_restriction", "policy_deadline"]


def test_unknown_type_names_file_line_rule_and_the_known_types(tmp_path: Path) -> None:
    [p] = problems(folder_with(tmp_path, "unknown_type.yaml"))
    assert p == ("unknown_type.yaml: line 3: rule 'dy-news': unknown rule type "
                 "'news_restrictions'; known types: " + ", ".join(known_types()))


def test_unknown_parameter_suggests_the_right_one_and_lists_the_known(tmp_path: Path) -> None:
    [p] = problems(folder_with(tmp_path, "unknown_param.yaml"))
    assert p.startswith("unknown_param.yaml: line 4: rule 'swings': unknown parameter "
                        "'treshold_pct' (did you mean 'threshold_pct'?); known: ")
    assert p.endswith("known: destinations, enabled, id, min_tonnes, products, threshold_pct, type")


def test_every_problem_of_a_file_is_reported_at_its_line(tmp_path: Path) -> None:
    found = problems(folder_with(tmp_path, "bad_values.yaml"))
    assert found == [
        "bad_values.yaml: line 4: rule 'expiry': warn_days must be positive whole days; got [0]",
        "bad_values.yaml: line 8: rule 'news': severity must be one of info, warning, high, "
        "critical",
        "bad_values.yaml: line 9: rule 'news': materials: unknown material 'dysprosum': did you "
        "mean dysprosium (Dy)?",
        "bad_values.yaml: line 13: rule 'stale': after: '3 fortnights' has an unknown unit "
        "'fortnights'; write a number and a unit, e.g. 90s, 15m, 1h, 3d, 2w",
    ]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    found = problems(folder_with(tmp_path, "duplicate_a.yaml", "duplicate_b.yaml"))
    assert found == ["duplicate_b.yaml: line 5: rule 'restriction-news': duplicate rule id; "
                     "already defined at duplicate_a.yaml:1"]


def test_a_file_must_hold_a_list(tmp_path: Path) -> None:
    [p] = problems(folder_with(tmp_path, "not_a_list.yaml"))
    assert p == ("not_a_list.yaml: line 1: a rule file holds a list of rules "
                 "(each item starts with `- id: ...`)")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    [p] = problems(folder_with(tmp_path, "broken.yaml"))
    assert p.startswith("broken.yaml: line 4: not valid YAML")


def test_missing_id_type_and_stray_items(tmp_path: Path) -> None:
    assert problems(folder_with(tmp_path, "missing_fields.yaml")) == [
        "missing_fields.yaml: line 1: rule #1 has no `id`",
        "missing_fields.yaml: line 2: rule 'no-type': missing `type`; known types: "
        + ", ".join(known_types()),
        "missing_fields.yaml: line 4: rule #3 must be a mapping with id, type and parameters",
        "missing_fields.yaml: line 7: rule 'derived': licence_expiry derives its severity "
        "(see docs/rules.md); remove `severity:`",
    ]


def test_folder_missing_or_empty(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope") == [
        "nope: rules folder not found (set `rules:` in the configuration)"]
    assert "no rule files (*.yaml)" in problems(tmp_path)[0]


def test_check_rules_gives_one_line_per_problem(tmp_path: Path) -> None:
    lines = check_rules(folder_with(tmp_path, "bad_values.yaml", "unknown_type.yaml"))
    assert len(lines) == 5
    assert all(line.startswith(("bad_values.yaml: line", "unknown_type.yaml: line"))
               for line in lines)


def test_rule_type_lookup_lists_known_names() -> None:
    with pytest.raises(UnknownRuleType) as exc:
        rule_type("news")
    assert str(exc.value) == "unknown rule type 'news'; known types: " + ", ".join(known_types())


def test_disabled_rules_load_but_do_not_run(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "- id: stale\n  type: feed_stale\n  enabled: false\n  after: 1h\n")
    [rule] = load_rules(tmp_path)
    assert rule.enabled is False
    assert evaluate_rules([rule], CTX).matches == ()


def test_a_failing_rule_does_not_stop_the_others() -> None:
    class Broken(RuleBase):
        def evaluate(self, ctx: RuleContext) -> list:  # type: ignore[override]
            raise RuntimeError("boom")

    stale = rule_type("feed_stale").model_validate({"id": "stale", "type": "feed_stale"})
    result = evaluate_rules([Broken(id="broken", type="broken"), stale], CTX)
    assert [(f.rule_id, f.error) for f in result.failures] == [("broken", "RuntimeError: boom")]
