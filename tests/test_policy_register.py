"""The policy register: states derived from dates, YAML and CSV read alike, the bundled facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.policy.instruments import measures_named, numbers_in
from bot.policy.measures import Measure, upcoming
from bot.sources.policies import load_register, parse_register
from bot.sources.tabular import SourceError

# The project's policy timeline, beside the repository (absent from an installed copy).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "policy_timeline.csv"


def measure(**kw: object) -> Measure:
    fields: dict[str, object] = {"id": "m", "authority": "MOFCOM", "instrument": "Announcement",
                                 "materials": ("Ga",), "direction": "restrict", "source": "x"}
    fields.update(kw)
    return Measure(**fields)  # type: ignore[arg-type]


SUSPENDED = measure(announced=date(2024, 12, 3), effective=date(2024, 12, 3),
                    suspended_from=date(2025, 11, 9), suspended_until=date(2026, 11, 27),
                    expires=date(2027, 12, 31))


@pytest.mark.parametrize(("day", "state"), [
    (date(2024, 12, 2), None),
    (date(2024, 12, 3), "in_force"),
    (date(2025, 11, 8), "in_force"),
    (date(2025, 11, 9), "suspended"),
    (date(2026, 11, 26), "suspended"),
    (date(2026, 11, 27), "lapsed"),
    (date(2027, 12, 31), "expired"),
])
def test_the_state_on_a_day_follows_from_the_dates(day: date, state: str | None) -> None:
    assert SUSPENDED.state(day) == state


def test_announced_but_not_yet_in_force() -> None:
    m = measure(announced=date(2025, 10, 9), effective=date(2025, 12, 1))
    assert m.state(date(2025, 10, 20)) == "announced"
    assert m.next_change(date(2025, 10, 20)).kind == "takes_effect"  # type: ignore[union-attr]


def test_a_date_that_changes_nothing_is_no_change() -> None:
    # Suspended the day before it was to take effect: it never "takes effect" while suspended.
    m = measure(announced=date(2025, 10, 9), effective=date(2025, 11, 8),
                suspended_from=date(2025, 11, 7), suspended_until=date(2026, 11, 10))
    assert [c.kind for c in m.changes()] == ["suspension_begins", "suspension_lapses"]


def test_describe_says_the_state_and_the_next_date() -> None:
    text = SUSPENDED.describe(date(2026, 11, 13))
    assert text.startswith("suspended until 2026-11-27")
    assert "next: suspension lapses on 2026-11-27 (in 14 days)" in text


def test_the_calendar_lists_changes_in_the_window_soonest_first() -> None:
    a = measure(id="a", effective=date(2026, 2, 1))
    cal = upcoming([SUSPENDED, a], date(2026, 1, 1), 90)
    assert [(c.day, m.id) for c, m in cal] == [(date(2026, 2, 1), "a")]
    assert [m.id for _, m in upcoming([SUSPENDED], date(2026, 10, 1), 90)] == ["m"]


# --- the bundled register -------------------------------------------------------------

def test_the_bundled_register_loads_without_problems() -> None:
    result = load_register()
    assert not result.problems
    assert len(result.records) >= 15
    assert all(m.source.startswith("http") for m in result.records)


def test_the_bundled_register_carries_the_timeline_facts() -> None:
    by_id = {m.id: m for m in load_register().records}
    oct9 = by_id["cn-2025-55-58"]
    assert oct9.suspended_until == date(2026, 11, 10)
    assert "No. 70 of 2025" in oct9.suspended_by
    us_ban = by_id["cn-2024-46-us-ban"]
    assert us_ban.suspended_until == date(2026, 11, 27)
    assert set(us_ban.materials) >= {"Ga", "Ge", "Sb"}
    assert by_id["cn-2025-18"].materials[:1] == ("Sm",)
    assert by_id["cn-2024-46-military"].state(date(2026, 1, 1)) == "in_force"


@pytest.mark.skipif(not SHARED.exists(), reason="the shared policy timeline is not here")
def test_every_dated_timeline_row_is_in_the_bundled_register() -> None:
    import csv

    rows = list(csv.DictReader(SHARED.open(encoding="utf-8")))
    measures = load_register().records
    dates = {d for m in measures for d in (m.announced, m.effective, m.suspended_from,
                                           m.suspended_until, m.expires) if d}
    for row in rows:
        for col in ("effective_from", "effective_to"):
            text = row[col][:10]
            if text[:1].isdigit() and len(text) == 10:
                assert date.fromisoformat(text) in dates, (row["instrument"], col, text)


# --- files --------------------------------------------------------------------------

CSV = (b"id,authority,instrument,materials,direction,effective,suspended_from,suspended_until,"
       b"expires,source\n"
       b"a,MOFCOM,Announcement No. 9 of 2026,Ga;Ge,restrict,2026-01-01,,,,https://x.example/a\n"
       b"b,MOFCOM,Announcement No. 10 of 2026,unobtainium,restrict,2026-01-01,,,,https://x\n"
       b"c,MOFCOM,Announcement No. 11 of 2026,Dy,sideways,2026-01-01,,,,https://x\n"
       b"d,MOFCOM,Announcement No. 12 of 2026,Dy,ease,2026-01-01,,2026-02-01,,https://x\n"
       b"a,MOFCOM,Announcement No. 13 of 2026,Dy,ease,2026-01-01,,,,https://x\n")


def test_a_csv_register_reads_and_bad_rows_are_reported_with_their_row() -> None:
    result = parse_register(CSV, "policies.csv")
    assert [m.id for m in result.records] == ["a"]
    assert result.records[0].materials == ("Ga", "Ge")
    reasons = [str(p) for p in result.problems]
    assert reasons[0].startswith("policies.csv: row 3: materials:")
    assert "row 4: direction 'sideways' is not one of restrict, ease, neutral" in reasons[1]
    assert "row 5: suspended_until is given without suspended_from" in reasons[2]
    assert "row 6: id 'a' is a duplicate of row 2" in reasons[3]


def test_a_yaml_register_names_the_line_of_a_bad_item() -> None:
    text = (b"- id: ok\n  instrument: A\n  materials: [Dy]\n  direction: restrict\n"
            b"  source: https://x\n  effective: 2026-01-01\n"
            b"- id: bad\n  instrument: B\n  materials: [Dy]\n  direction: restrict\n"
            b"  source: https://x\n  effective: 2026-13-01\n")
    result = parse_register(text, "policies.yaml")
    assert [m.effective for m in result.records] == [date(2026, 1, 1)]
    assert str(result.problems[0]) == ("policies.yaml: line 7: effective '2026-13-01' is not a "
                                       "date; write it as YYYY-MM-DD")


def test_a_file_that_is_no_list_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"policies\.yaml: must be a YAML list"):
        parse_register(b"id: x\n", "policies.yaml")


# --- instruments in text --------------------------------------------------------------

@pytest.mark.parametrize(("text", "numbers"), [
    ("MOFCOM Announcement No. 70 of 2025 suspends controls", {(70, 2025)}),
    ("商务部 海关总署公告2025年第70号", {(70, 2025)}),
    ("2025年第61号公告", {(61, 2025)}),
    ("Announcements No. 55-58 of 2025", {(55, 2025), (56, 2025), (57, 2025), (58, 2025)}),
    ("announcement 72 explained", {(72, None)}),
    ("State Council Order No. 785", set()),
])
def test_announcement_numbers_are_read_in_english_and_chinese(
        text: str, numbers: set[tuple[int, int | None]]) -> None:
    assert {(n.number, n.year) for n in numbers_in(text)} == numbers


def test_news_naming_the_suspending_announcement_names_the_suspended_measures() -> None:
    measures = load_register().records
    named = {m.id for m in measures_named("China extends Announcement No. 70 of 2025", measures)}
    assert named == {"cn-2025-55-58", "cn-2025-61", "cn-2025-62"}
    assert {m.id for m in measures_named("公告2024年第46号", measures)} == {
        "cn-2024-46-military", "cn-2024-46-us-ban"}
    assert measures_named("Announcement No. 70 of 2019", measures) == []


def test_a_news_alert_naming_an_announcement_links_to_the_measure() -> None:
    from bot.models import Match
    from bot.policy.instruments import link_instruments

    NEWS = ("news_restriction", "news_easing")

    measures = load_register().records
    news = Match("easing-news", "news_easing", "k", "info", "商务部公告2025年第72号", "story:1",
                 ("Ga",), (("Headline", "商务部公告2025年第72号"),))
    linked = link_instruments(news, measures, date(2026, 11, 13), NEWS)
    [text] = [v for k, v in linked.facts if k == "Measure"]
    assert text.startswith("MOFCOM Announcement No. 46 of 2024, clause 2: suspended until "
                           "2026-11-27 by MOFCOM Announcement No. 72 of 2025")
    assert [s.label for s in linked.sources] == ["MOFCOM Announcement No. 46 of 2024, clause 2"]
    other = Match("x", "licence_expiry", "k2", "high", "Announcement No. 72", "L-1")
    assert link_instruments(other, measures, date(2026, 11, 13), NEWS) == other
    plain = Match("n", "news_restriction", "k3", "high", "China halts gallium exports", "s")
    assert link_instruments(plain, measures, date(2026, 11, 13), NEWS) == plain
