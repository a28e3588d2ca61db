"""How long a large licence register takes to read and validate, as CSV and as .xlsx.

A real 200,000-row register is about 26 MB as CSV; the default `max_size` (64 MB) reads it.
Run: .venv/bin/python benchmarks/register_load.py [rows]   (prints figures; asserts nothing)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py`: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.config import LicencesConfig  # noqa: E402
from bot.sources.licences import load_licences  # noqa: E402

MATERIALS = ("dysprosium", "Tb", "NdFeB", "gadolinium", "Lu", "yttrium", "samarium-cobalt")


def rows(n: int) -> list[list[str]]:
    start = date(2026, 1, 1)
    return [[f"LIC-2026-{i:07d}", f"Example Holder {i % 977} Magnetics Co., Ltd. (FICTITIOUS)",
             f"Example End User {i % 431} GmbH (FICTITIOUS)", "temporary",
             MATERIALS[i % len(MATERIALS)], "oxide", "DE",
             (start + timedelta(days=i % 300)).isoformat(),
             (start + timedelta(days=180 + i % 300)).isoformat(), "active"] for i in range(n)]


def measure(path: Path, settings: LicencesConfig) -> None:
    began = time.perf_counter()
    result = load_licences(str(path), settings)
    took = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {len(result.records)} licences, "
          f"{len(result.problems)} problems, {took:.1f} s ({len(result.records) / took:,.0f} "
          f"rows/s), process peak RSS so far {peak:.0f} MB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    header = ["licence_id", "holder", "end_user", "licence_type", "material", "form",
              "destination", "issued", "expires", "status"]
    data = rows(n)
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "register.csv"
        csv_path.write_text("\n".join(",".join(f'"{c}"' if "," in c else c for c in r)
                                      for r in [header, *data]) + "\n", encoding="utf-8")
        measure(csv_path, LicencesConfig(source=str(csv_path)))
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Register")
        sheet.append(header)
        for r in data[: n // 4]:
            sheet.append(r)
        xlsx_path = Path(folder) / "register.xlsx"
        book.save(xlsx_path)
        measure(xlsx_path, LicencesConfig(source=str(xlsx_path)))


if __name__ == "__main__":
    main()
