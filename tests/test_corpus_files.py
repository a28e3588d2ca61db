"""Every labelled news corpus in tests/data/corpus/ keeps the schema the classifier relies on.

The corpora are restated real stories (see tests/data/corpus/README.md); this checks their
form, not their labels: unique ids, labels and languages in their sets, canonical material
keys, the frozen crc32 split, a parseable date, an http(s) source and a real summary.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from bot.materials import canonical

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"
CORPUS_FILES = sorted(CORPUS_DIR.glob("*.yaml"))
LABELS = {"restrict", "ease", "neither"}
LANGS = {"en", "zh-Hans", "zh-Hant"}
FIELDS = {"id", "title", "summary", "label", "materials", "lang", "date", "source", "split"}
OPTIONAL = {"note"}
ID_RE = re.compile(r"^(en|zh|fr)-\d{4}$")
# news_fresh.yaml (ids fr-NNNN, any language) is an evaluation set written after tuning:
# every item in it is held out, so the crc32 split rule does not apply to it.
FRESH_PREFIX = "fr-"


def _load(path: Path) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(items, list), f"{path.name}: expected a YAML list of items"
    return items


def test_some_corpus_file_is_present() -> None:
    assert CORPUS_FILES, f"no corpus file in {CORPUS_DIR}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_items_keep_the_schema(path: Path) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(_load(path), start=1):
        where = f"{path.name} item {n} ({item.get('id', '?') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a mapping")
            continue
        missing = FIELDS - item.keys()
        extra = item.keys() - FIELDS - OPTIONAL
        if missing or extra:
            problems.append(f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}")
            continue
        item_id = str(item["id"])
        if not ID_RE.match(item_id):
            problems.append(f"{where}: id {item_id!r} is not like en-0001 / zh-0001 / fr-0001")
        if item_id in seen:
            problems.append(f"{where}: id {item_id} used twice")
        seen.add(item_id)
        if item["label"] not in LABELS:
            problems.append(f"{where}: label {item['label']!r} not in {sorted(LABELS)}")
        if item["lang"] not in LANGS:
            problems.append(f"{where}: lang {item['lang']!r} not in {sorted(LANGS)}")
        fresh = item_id.startswith(FRESH_PREFIX)
        if not fresh and item_id.startswith("en-") != (item["lang"] == "en"):
            problems.append(f"{where}: id prefix does not match lang {item['lang']!r}")
        crc_heldout = zlib.crc32(item_id.encode()) % 3 == 0
        expected = "heldout" if fresh or crc_heldout else "tune"
        if item["split"] != expected:
            problems.append(f"{where}: split {item['split']!r}, the rule gives {expected!r}")
        materials = item["materials"]
        if not isinstance(materials, list) or len(set(materials)) != len(materials):
            problems.append(f"{where}: materials must be a list without repeats")
        else:
            for key in materials:
                try:
                    ok = canonical(str(key)) == key
                except ValueError:
                    ok = False
                if not ok:
                    problems.append(f"{where}: material {key!r} is not a canonical key")
        date = item["date"]
        if not isinstance(date, dt.date):
            try:
                date = dt.date.fromisoformat(str(date))
            except ValueError:
                problems.append(f"{where}: date {item['date']!r} does not parse")
                date = None
        if date is not None and not dt.date(2023, 1, 1) <= date <= dt.date(2026, 12, 31):
            problems.append(f"{where}: date {date} outside 2023-2026")
        url = urlparse(str(item["source"]))
        if url.scheme not in {"http", "https"} or not url.netloc:
            problems.append(f"{where}: source {item['source']!r} is not an http(s) URL")
        for field in ("title", "summary"):
            if not isinstance(item[field], str) or not item[field].strip():
                problems.append(f"{where}: empty {field}")
        if isinstance(item["summary"], str) and not re.search(r"\w.*[.!?。！？]", item["summary"]):
            problems.append(f"{where}: summary is not at least one sentence")
    assert not problems, "\n".join(problems)
