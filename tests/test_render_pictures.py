"""The README's pictures draw what the real pipeline sent to Slack on the bundled demo data."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.rules.loader import load_rules
from bot.templates import default_rules_dir

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bot" / "sample"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_pictures",
                                                  ROOT / "scripts" / "render_pictures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _script().collect(tmp_path_factory.mktemp("pictures"))


def test_the_payloads_are_the_pipelines_on_the_sample_data(collected: Any) -> None:
    got = collected
    posts = [c for c in got.calls if c["method"] == "chat.postMessage"]
    text = json.dumps(posts, ensure_ascii=False)

    pack = {rule.id for rule in load_rules(default_rules_dir())}
    named = set(re.findall(r"Rule `([^`]+)`", text))
    assert len(named) >= 5 and named <= pack, f"rule ids {named - pack} are not in the pack"

    with (SAMPLE / "licences.csv").open(encoding="utf-8", newline="") as f:
        register = {row["licence_id"] for row in csv.DictReader(f)}
    # Every licence fact names a licence of the sample register, and several do.
    facts = [f["text"] for p in posts for b in p["blocks"] for f in b.get("fields", ())
             if f["text"].startswith("*Licence*\n")]
    named_licences = {f.split("\n", 1)[1].split(" ", 1)[0] for f in facts}
    assert len(named_licences) >= 4 and named_licences <= register, named_licences - register

    # A grouped post: a summary in the channel, each alert in its thread.
    replies = [p for p in posts if p.get("thread_ts")]
    assert replies and got.thread.replies
    assert {r.body["thread_ts"] for r in got.thread.replies} == {got.thread.ts}
    # The pictured single alert is a message Slack received, as it was sent.
    assert any(p["blocks"] == got.alert.body["blocks"] for p in posts)


def test_the_acknowledge_click_and_the_digest_come_from_the_same_store(collected: Any) -> None:
    got = collected
    posts = [c for c in got.calls if c["method"] == "chat.postMessage"]
    updates = [c for c in got.calls if c["method"] == "chat.update"]
    acked = json.dumps(got.thread.replies[0].body["blocks"])
    assert updates and "Acknowledged by <@U0BUYER>" in acked
    assert f"alert #{got.acked_id}" in acked

    home = json.dumps(got.home)
    assert "*Your subscriptions*: dysprosium (Dy), terbium (Tb)" in home

    alerts = {c["metadata"]["event_payload"]["alert_id"] for c in posts if c.get("metadata")}
    assert f"{len(alerts)} alerts this week" in got.digest_html
