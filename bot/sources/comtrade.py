"""UN Comtrade monthly export figures as trade rows (docs/formats.md, "UN Comtrade").

The adapter reads the JSON the Comtrade API answers (`{"count": n, "data": [...]}`, one
object per reporter, flow, partner, commodity and period; the public preview endpoint is
`https://comtradeapi.un.org/public/v1/preview/C/M/HS?reporterCode=156&flowCode=X&cmdCode=...`)
and turns each export record into a row of the export statistics: period YYYY-MM, product
(by HS code), destination (ISO alpha-2; the World partner is ALL), tonnes (net weight, which
Comtrade gives in kg) and value in US dollars. Breakdowns by customs procedure or transport
mode are skipped: only their totals (customsCode C00, motCode 0) are figures of the series.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.sources.rows import Row, RowProblem, SourceError, Table

__all__ = ["HS_PRODUCTS", "comtrade_table"]

# HS code -> product series. 8505.11 is "permanent magnets of metal"; from China these are
# overwhelmingly rare-earth (NdFeB, SmCo) magnets, the series the customs figures report.
HS_PRODUCTS: Mapping[str, str] = {
    "2846": "rare earth compounds",
    "280530": "rare earth metals",
    "850511": "rare earth magnets",
}
_WORLD = {0, "0", "W00"}
# ISO 3166 alpha-3 -> alpha-2 for the partners of China's rare-earth trade and the larger
# economies; a partner outside it is reported as a row problem rather than invented.
_PAIRS = (
    "USA:US DEU:DE JPN:JP KOR:KR VNM:VN NLD:NL ITA:IT FRA:FR GBR:GB IND:IN THA:TH MYS:MY "
    "IDN:ID PHL:PH SGP:SG TWN:TW HKG:HK MEX:MX CAN:CA BRA:BR RUS:RU AUS:AU ESP:ES POL:PL "
    "BEL:BE AUT:AT CZE:CZ SWE:SE FIN:FI DNK:DK CHE:CH TUR:TR ISR:IL SAU:SA ARE:AE ZAF:ZA "
    "PAK:PK BGD:BD EST:EE HUN:HU ROU:RO SVK:SK SVN:SI SRB:RS UKR:UA KAZ:KZ MNG:MN MMR:MM "
    "LAO:LA KHM:KH NZL:NZ CHL:CL ARG:AR PER:PE COL:CO EGY:EG MAR:MA NGA:NG PRT:PT IRL:IE "
    "NOR:NO GRC:GR LTU:LT LVA:LV")
_ISO2 = dict(pair.split(":") for pair in _PAIRS.split())
COLUMNS = frozenset({"period", "product", "destination", "tonnes", "value_usd", "source"})


def _records(data: bytes, name: str) -> list[Any]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{name}: is not a UN Comtrade JSON response ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise SourceError(f"{name}: is not a UN Comtrade response (no `data` list)")
    if doc.get("error"):
        raise SourceError(f"{name}: UN Comtrade answered an error: {doc['error']}")
    return list(doc["data"])


def _period(item: Mapping[str, Any]) -> str:
    text = str(item.get("period") or item.get("refPeriodId") or "")
    if len(text) >= 6 and text[:6].isdigit():
        return f"{text[:4]}-{text[4:6]}"
    year, month = item.get("refYear"), item.get("refMonth")
    return f"{year}-{int(month):02d}" if year and month else text


def comtrade_table(data: bytes, name: str,
                   products: Mapping[str, str] | None = None) -> Table:
    """Export rows of a Comtrade response, numbered by their place in `data` (1 = first)."""
    codes = {**HS_PRODUCTS, **(products or {})}
    rows: list[Row] = []
    problems: list[RowProblem] = []
    for number, item in enumerate(_records(data, name), start=1):
        if not isinstance(item, dict):
            problems.append(RowProblem(name, number, "is not an object"))
            continue
        if str(item.get("flowCode", "X")) != "X":
            continue  # imports and re-exports are other series
        if str(item.get("customsCode") or "C00") != "C00" or int(item.get("motCode") or 0) != 0 \
                or int(item.get("partner2Code") or 0) != 0:
            continue  # a breakdown of a total that is in the response too
        code = str(item.get("cmdCode", "")).replace(".", "")
        if code not in codes:
            problems.append(RowProblem(name, number, f"cmdCode {code!r} is not mapped to a "
                                       f"product (known: {', '.join(sorted(codes))})", None,
                                       "cmdCode"))
            continue
        partner = item.get("partnerCode")
        iso3 = str(item.get("partnerISO") or "")
        destination = "ALL" if partner in _WORLD or iso3 == "W00" else _ISO2.get(iso3, "")
        if not destination:
            problems.append(RowProblem(name, number, f"partner {iso3 or partner!r} has no "
                                       "ISO alpha-2 code here", None, "partnerISO"))
            continue
        weight = item.get("netWgt")
        if weight in (None, "") and str(item.get("qtyUnitAbbr", "")).lower() == "kg":
            weight = item.get("qty")
        tonnes = "" if weight in (None, "") else repr(float(weight) / 1000)
        value = item.get("primaryValue")
        rows.append(Row(number, {
            "period": _period(item), "product": codes[code], "destination": destination,
            "tonnes": tonnes, "value_usd": "" if value in (None, "") else repr(float(value)),
            "source": f"UN Comtrade, reporter {item.get('reporterCode', '?')}, HS {code}",
        }, name))
    return Table(rows, problems, COLUMNS)
