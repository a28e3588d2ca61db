"""The catalogue of real sources, through the installed command: `chokepoint sources`,
a configuration made of all of it passing `check` offline, and `test-rules` on a page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from tests.helpers.e2e import REPO, RULES, chokepoint, clean_env, explain

PAGES = REPO / "tests" / "data" / "pages"
FIELDS = {"name", "url", "kind", "language", "covers", "changes", "every", "verified",
          "official", "rulemaking", "selectors"}


def test_sources_json_lists_real_sources_of_every_kind() -> None:
    proc = chokepoint("sources", "--json", timeout=30)
    assert proc.returncode == 0, explain(proc)
    sources = json.loads(proc.stdout)
    assert len(sources) >= 12
    assert all(set(s) == FIELDS and s["verified"] and s["covers"] for s in sources)
    assert len({s["name"] for s in sources}) == len(sources)
    assert all(urlsplit(s["url"]).scheme in ("http", "https") for s in sources)
    chinese_official = [s for s in sources if s["language"] == "zh" and s["official"]]
    assert len(chinese_official) >= 3
    assert len([s for s in sources if s["rulemaking"]]) >= 2
    assert {s["kind"] for s in sources} == {"feed", "page"}
    assert all(s["selectors"].get("item") and s["selectors"].get("title")
               for s in sources if s["kind"] == "page")
    text = chokepoint("sources", timeout=30)
    assert f"{len(sources)} sources." in text.stdout


def test_a_configuration_of_the_whole_catalogue_passes_check_offline(tmp_path: Path) -> None:
    proc = chokepoint("sources", "--yaml", timeout=30)
    assert proc.returncode == 0, explain(proc)
    sections = yaml.safe_load(proc.stdout)
    config = {"database": f"sqlite:///{tmp_path / 'c.db'}", "rules": str(RULES), **sections}
    (tmp_path / "chokepoint.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                              encoding="utf-8")
    check = chokepoint("check", "-c", tmp_path / "chokepoint.yaml", timeout=60,
                       env=clean_env(HTTP_PROXY="http://127.0.0.1:9",  # no way out: offline
                                     HTTPS_PROXY="http://127.0.0.1:9"))
    assert check.returncode == 0, explain(check)
    assert len(sections["feeds"]) + len(sections["pages"]) >= 12


def test_test_rules_reads_a_saved_page_with_a_configured_pages_selectors(tmp_path: Path) -> None:
    sections = yaml.safe_load(chokepoint("sources", "--yaml", timeout=30).stdout)
    config = {"database": f"sqlite:///{tmp_path / 'c.db'}", "rules": str(RULES), **sections}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = chokepoint("test-rules", PAGES / "mofcom-en-announcements.html", "--page",
                      "mofcom-en-announcements", "-c", tmp_path / "c.yaml", "--json", timeout=60)
    assert proc.returncode == 0, explain(proc)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    fired = {line["title"][:26]: bool(line["alerts"]) for line in lines}
    assert fired == {"MOFCOM Announcement No. 18": True, "MOFCOM Order No. 3 of 2025": False}
    missing = chokepoint("test-rules", PAGES / "gac-announcements.html", "--page", "nope",
                         "-c", tmp_path / "c.yaml", timeout=60)
    assert missing.returncode == 2 and "no feed or page named 'nope'" in missing.stderr


def test_the_docs_list_every_catalogue_source() -> None:
    from bot.sources.catalogue import catalogue

    page = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    assert all(f"`{e.name}`" in page and e.url in page for e in catalogue())
