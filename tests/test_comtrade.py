"""UN Comtrade answers as export statistics: HS codes onto product series, partners onto
destinations, breakdowns and imports skipped, kilograms to tonnes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import TradeConfig
from bot.sources.tabular import SourceError
from bot.sources.trade import load_trade, parse_trade, refresh_trade
from bot.store import Store
from bot.store.trade import trade_series
from tests.helpers.store import read

FIXTURE = Path(__file__).parent / "data" / "trade" / "comtrade-china-exports.json"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
COMTRADE = TradeConfig(source=str(FIXTURE), format="comtrade")


def test_a_comtrade_answer_becomes_the_product_series() -> None:
    result = load_trade(str(FIXTURE), COMTRADE)
    got = sorted((p.product, p.destination, p.period, p.tonnes, p.value_usd)
                 for p in result.records)
    assert got == [
        ("rare earth compounds", "ALL", "2025-10", 4120.0, 77400000.0),
        ("rare earth magnets", "ALL", "2025-09", 5773.8, 301254000.0),
        ("rare earth magnets", "ALL", "2025-10", 5200.1, 279877000.0),
        ("rare earth magnets", "DE", "2025-10", 1230.0, 61800000.0),
        ("rare earth magnets", "US", "2025-10", 420.5, 22110000.0),
        ("rare earth metals", "ALL", "2025-10", 310.0, 9850000.0),
    ]
    (problem,) = result.problems
    assert str(problem) == ("comtrade-china-exports.json: row 9: partner 'XXA' has no ISO "
                            "alpha-2 code here")


def test_comtrade_figures_are_stored_like_any_statistics(store: Store) -> None:
    report = refresh_trade(store, str(FIXTURE), NOW, COMTRADE)
    assert report.ok and report.loaded == 6
    assert {p.series for p in read(store, trade_series)} >= {"rare earth magnets/US"}


@pytest.mark.parametrize(("body", "message"), [
    (b'{"count": 0, "data": [], "error": "Invalid reporterCode"}', "UN Comtrade answered an error"),
    (b'{"statusCode": 401, "message": "Access denied"}', "is not a UN Comtrade response"),
    (b"<html>maintenance</html>", "is not a UN Comtrade JSON response"),
])
def test_an_unusable_answer_is_a_source_error(body: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_trade(body, "comtrade.json", COMTRADE)
