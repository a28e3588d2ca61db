"""Durations and validity periods as users write them."""

from datetime import date, timedelta

import pytest

from bot.durations import Validity, parse_duration, parse_validity


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15m", timedelta(minutes=15)), ("1h", timedelta(hours=1)), ("3d", timedelta(days=3)),
     ("2w", timedelta(weeks=2)), ("90s", timedelta(seconds=90)), ("1.5h", timedelta(minutes=90)),
     (" 10 minutes ", timedelta(minutes=10)), (30, timedelta(seconds=30))],
)
def test_durations(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "15", "-5m", "0m", "15x", "6 months", True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_six_months_is_calendar_months() -> None:
    assert parse_validity("6 months") == Validity(months=6)
    assert parse_validity("1 year") == Validity(months=12)
    assert parse_validity("180d") == Validity(days=180)
    # a licence issued 31 August expires at the end of February, not in March
    assert Validity(months=6).after(date(2025, 8, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["6", "six months", "6 parsecs", "1.5 months"])
def test_bad_validity(text: str) -> None:
    with pytest.raises(ValueError):
        parse_validity(text)
