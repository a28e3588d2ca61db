"""End to end: the policy register and exposure through the installed `chokepoint` (once,
backtest, digest) and the signed `/chokepoint policy` and `exposure` commands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.config import load_config
from bot.models import Licence
from bot.store import Store
from bot.store.licences import apply_register
from tests.helpers.e2e import (
    RULES,
    TZ,
    alerts_json,
    chokepoint,
    clean_env,
    explain,
    posts,
    run_with_terminal_stderr,
)
from tests.helpers.slack_app import SlackAppHarness, block_texts
from tests.peers.slack_api import SlackApiPeer

TOKEN = "xoxb-e2e-policy-token"


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(TZ)).date()


def write(folder: Path, *, api_url: str, register: list[dict[str, Any]] | None = None,
          exposure: str | None = None, licences: str | None = None) -> Path:
    config: dict[str, Any] = {
        "timezone": TZ, "database": f"sqlite:///{folder / 'chokepoint.db'}",
        "rules": str(RULES), "feeds": [],
        "slack": {"default_channel": "#supply-risk", "api_url": api_url, "timeout": "5s"},
    }
    if register is not None:
        (folder / "policies.yaml").write_text(yaml.safe_dump(register, sort_keys=False))
        config["policies"] = "policies.yaml"
    if exposure is not None:
        (folder / "exposure.csv").write_text(exposure)
        config["exposure"] = {"source": "exposure.csv"}
    if licences is not None:
        (folder / "licences.csv").write_text(licences)
        config["licences"] = {"source": "licences.csv"}
    path = folder / "chokepoint.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def register_for(day: date) -> list[dict[str, Any]]:
    return [
        {"id": "us-ban", "authority": "MOFCOM", "instrument": "MOFCOM Announcement No. 46 of 2024",
         "materials": ["Ga", "Ge", "Sb"], "direction": "restrict",
         "announced": "2024-12-03", "effective": "2024-12-03",
         "suspended_from": str(day - timedelta(days=351)),
         "suspended_until": str(day + timedelta(days=14)),
         "suspended_by": "MOFCOM Announcement No. 72 of 2025",
         "source": "https://example.org/ann-46"},
        {"id": "new-curb", "authority": "MOFCOM", "instrument": "MOFCOM Announcement No. 9 of 2026",
         "materials": ["Tb"], "direction": "restrict", "announced": str(day - timedelta(days=5)),
         "effective": str(day + timedelta(days=30)), "source": "https://example.org/ann-9"},
    ]


def reference_of(config: Path) -> Any:
    """What a running bot's Slack app reads the register and the parts from."""
    from bot.sources.reference import from_config

    policies, exposure = from_config(load_config(config))
    return lambda now: (policies.get(now), exposure.get(now))


def test_once_warns_for_each_measure_once_and_slash_policy_lists_it(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    day = today()
    config = write(tmp_path, api_url=slack_peer.url, register=register_for(day))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    first = chokepoint("once", "-c", config, "--wait", "20", env=env)
    assert first.returncode == 0, explain(first)
    alerts = [a for a in alerts_json(config, env) if a["type"] == "policy_deadline"]
    assert sorted(a["title"] for a in alerts) == sorted([
        f"MOFCOM Announcement No. 46 of 2024: suspension lapses in 14 days "
        f"({day + timedelta(days=14):%Y-%m-%d})",
        f"MOFCOM Announcement No. 9 of 2026: takes effect in 30 days "
        f"({day + timedelta(days=30):%Y-%m-%d})",
    ])
    assert {a["subject"] for a in alerts} == {"measure:us-ban", "measure:new-curb"}
    sent = " ".join(str(c.body.get("text", "")) + json.dumps(c.body.get("blocks", []))
                    for c in posts(slack_peer))
    assert "Announcement No. 46 of 2024" in sent and "Announcement No. 9 of 2026" in sent

    second = chokepoint("once", "-c", config, "--wait", "20", env=env)
    assert second.returncode == 0, explain(second)
    assert "0 new alerts" in second.stdout
    assert len([a for a in alerts_json(config, env) if a["type"] == "policy_deadline"]) == 2

    now = datetime.now(UTC)
    harness = SlackAppHarness(tmp_path, slack_peer, config=load_config(config), now=now,
                              store=Store(f"sqlite:///{tmp_path / 'chokepoint.db'}"),
                              reference=reference_of(config))
    try:
        answer = block_texts(harness.slash("policy Ga"))
        assert "MOFCOM Announcement No. 46 of 2024" in answer
        assert f"suspension lapses on {day + timedelta(days=14):%Y-%m-%d} (in 14 days)" in answer
        assert "No. 9 of 2026" not in answer  # terbium, not gallium
        everything = block_texts(harness.slash("policy"))
        assert "No. 9 of 2026" in everything and "takes effect" in everything
    finally:
        harness.close()


EXPOSURE = ("part,material,supplier,licence_id,monthly_use,on_hand,lead_time_days\n"
            "rotor-A,dysprosium,Baotou Rare Earth Co.,LIC-DY-1,150 kg,100 kg,60\n"
            "sensor,Ga,Yunnan Gallium,,1 kg,0.5 t,30\n")


def licences_csv(day: date) -> str:
    return ("licence_id,holder,material,expires,status\n"
            f"LIC-DY-1,Baotou Rare Earth Co.,Dy,{day + timedelta(days=10)},active\n")


def _expiry(folder: Path, peer: SlackApiPeer, exposure: str | None) -> dict[str, Any]:
    folder.mkdir()
    config = write(folder, api_url=peer.url, register=[], exposure=exposure,
                   licences=licences_csv(today()))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=peer.url)
    proc = chokepoint("once", "-c", config, "--wait", "20", env=env)
    assert proc.returncode == 0, explain(proc)
    [alert] = [a for a in alerts_json(config, env) if a["type"] == "licence_expiry"]
    return alert


def test_an_expiry_names_the_exposed_part_and_is_raised_a_level(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    without = _expiry(tmp_path / "without", slack_peer, None)
    assert without["severity"] == "high"  # 10 days left: the 14-day warning
    with_file = _expiry(tmp_path / "with", slack_peer, EXPOSURE)
    assert with_file["severity"] == "critical"
    message = [c for c in posts(slack_peer) if "LIC-DY-1" in str(c.body.get("text", ""))][-1]
    shown = json.dumps(message.body.get("blocks", []), ensure_ascii=False)
    assert "rotor-A" in shown and "20 days of cover" in shown
    assert "less than its 60-day lead time" in shown
    assert "sensor" not in shown  # gallium has nothing to do with a dysprosium licence


def test_slash_exposure_lists_the_part_with_cover_and_licence(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    config = write(tmp_path, api_url=slack_peer.url, register=[], exposure=EXPOSURE)
    store = Store(f"sqlite:///{tmp_path / 'chokepoint.db'}")
    now = datetime.now(UTC)
    with store.session() as s:
        apply_register(s, [Licence("LIC-DY-1", "Baotou Rare Earth Co.", "Dy",
                                   expires=today() + timedelta(days=10))], now)
    harness = SlackAppHarness(tmp_path, slack_peer, config=load_config(config), now=now,
                              store=store, reference=reference_of(config))
    try:
        answer = block_texts(harness.slash("exposure Dy"))
        assert "rotor-A" in answer and "20 days of cover" in answer
        assert "below lead time" in answer and "LIC-DY-1" in answer and "10 days left" in answer
        assert "sensor" not in answer
        assert "sensor" in block_texts(harness.slash("exposure"))
    finally:
        harness.close()


def test_a_dysprosium_restriction_headline_names_the_part(
        tmp_path: Path, slack_peer: SlackApiPeer, feed_server: Any) -> None:
    from email.utils import format_datetime

    published = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    url = feed_server.add("/news.xml", (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://news.example.com/</link><description>d</description><item>"
        "<title>China halts dysprosium oxide exports pending licence review</title>"
        "<link>https://news.example.com/dy</link><guid>dy-1</guid>"
        f"<pubDate>{published}</pubDate></item></channel></rss>"))
    config = write(tmp_path, api_url=slack_peer.url, register=[], exposure=EXPOSURE)
    raw = yaml.safe_load(config.read_text())
    raw["feeds"] = [{"name": "wire", "url": url, "max_age": "30d"}]
    config.write_text(yaml.safe_dump(raw))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    proc = chokepoint("once", "-c", config, "--wait", "20", env=env)
    assert proc.returncode == 0, explain(proc)
    [news] = [a for a in alerts_json(config, env) if a["type"] == "news_restriction"]
    assert news["severity"] == "critical"  # high, raised: rotor-A is below its lead time
    shown = " ".join(json.dumps(c.body.get("blocks", []), ensure_ascii=False)
                     for c in posts(slack_peer))
    assert "rotor-A" in shown and "20 days of cover" in shown


def test_backtest_on_the_bundled_data_warns_before_both_lapses_and_posts_nothing(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    proc = chokepoint("backtest", "--from", "2025-10-01", "--to", "2026-11-30", "--json",
                      env=env, cwd=tmp_path)
    assert proc.returncode == 0, explain(proc)
    fired = [json.loads(line) for line in proc.stdout.splitlines()]
    policy = [f for f in fired if f["type"] == "policy_deadline"]
    oct9 = [f for f in policy if "No. 55-58 of 2025" in f["title"]
            and "suspension lapses" in f["title"] and f["date"] < "2026-11-10"]
    us_ban = [f for f in policy if "No. 46 of 2024, clause 2" in f["title"]
              and "suspension lapses" in f["title"] and f["date"] < "2026-11-27"]
    assert [f["date"] for f in oct9][:1] == ["2026-09-11"]  # 60 days ahead
    assert [f["date"] for f in us_ban][:1] == ["2026-09-28"]
    assert {f["title"].rsplit(" ", 1)[-1] for f in oct9} == {"(2026-11-10)"}
    assert "nothing was stored or sent" in proc.stderr
    assert slack_peer.calls == [] or not posts(slack_peer)
    assert list(tmp_path.iterdir()) == []  # no database, no digest, nothing written


def test_backtest_text_gives_each_alert_its_date(tmp_path: Path) -> None:
    proc = chokepoint("backtest", "--from", "2026-11-01", "--to", "2026-11-12", cwd=tmp_path)
    assert proc.returncode == 0, explain(proc)
    assert "2026-11-09  critical  policy-deadline     MOFCOM/GAC Announcements No. 55-58 of " \
           "2025: suspension lapses tomorrow (2026-11-10)" in proc.stdout
    assert "\r" not in proc.stderr  # no progress when not on a terminal


def test_backtest_refuses_a_span_that_ends_before_it_starts(tmp_path: Path) -> None:
    proc = chokepoint("backtest", "--from", "2026-11-12", "--to", "2026-11-01", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--to is before --from" in proc.stderr


def test_digest_out_shows_the_policy_calendar_and_exposure(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    day = today()
    config = write(tmp_path, api_url=slack_peer.url, register=register_for(day),
                   exposure=EXPOSURE)
    proc = chokepoint("digest", "-c", config, "--out", tmp_path / "d.html")
    assert proc.returncode == 0, explain(proc)
    html = (tmp_path / "d.html").read_text()
    calendar = html[html.index("Policy calendar, next 90 days"):]
    assert calendar.index("No. 46 of 2024") < calendar.index("No. 9 of 2026")  # soonest first
    exposure = html[html.index("Exposure by material"):]
    assert exposure.index("rotor-A") < exposure.index("sensor")  # lowest cover first
    assert "below lead time" in exposure


def test_the_demo_shows_exposure_and_the_calendar(tmp_path: Path) -> None:
    proc = chokepoint("demo", cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, explain(proc)
    assert "rotor-A" in proc.stdout and "Affected parts" in proc.stdout
    assert "suspension lapses tomorrow (2026-11-27)" in " ".join(proc.stdout.split())
    html = (tmp_path / "chokepoint-digest.html").read_text()
    assert "Policy calendar, next 90 days" in html and "Exposure by material" in html


def test_check_reports_bad_rows_of_the_register_and_the_exposure_file(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    register = [*register_for(today()), {"id": "bad", "instrument": "X", "materials": ["Dy"],
                                         "direction": "sideways", "source": "https://x"}]
    config = write(tmp_path, api_url=slack_peer.url, register=register,
                   exposure=EXPOSURE + "stator,Tb,Ganzhou,,12 lb,1 kg,\n")
    proc = chokepoint("check", "-c", config)
    assert proc.returncode == 2, explain(proc)
    assert "policies.yaml: line 24: direction 'sideways' is not one of restrict, ease, neutral" \
        in proc.stdout
    assert "exposure.csv: row 4: monthly_use '12 lb': unit 'lb' is not one of kg, g, t" \
        in proc.stdout


def test_backtest_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    proc, seen = run_with_terminal_stderr(
        ["backtest", "--from", "2026-01-01", "--to", "2026-03-31"], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0
    assert b"backtest: 2026-03-31 (90/90 days)" in seen
    assert b"\r" not in proc.stdout  # the alerts themselves stay clean


def test_a_bad_register_keeps_the_last_good_one_and_raises_an_operator_alert(
        tmp_path: Path, slack_peer: SlackApiPeer) -> None:
    from bot.config import Secrets
    from bot.pipeline import Pipeline

    config = write(tmp_path, api_url=slack_peer.url, register=register_for(today()))
    pipeline = Pipeline(load_config(config), Store(f"sqlite:///{tmp_path / 'chokepoint.db'}"),
                        Secrets.model_construct(), worker_id="t")
    try:
        assert pipeline.refresh_reference(datetime.now(UTC)) == []
        assert len(pipeline.policies.records) == 2
        (tmp_path / "policies.yaml").write_text("- id: [unclosed\n")
        errors = pipeline.refresh_reference(datetime.now(UTC))
        assert len(errors) == 1 and errors[0] == "policies: policies.yaml: line 2: not valid YAML"
        assert [m.id for m in pipeline.policies.records] == ["us-ban", "new-curb"]
    finally:
        pipeline.close()
        pipeline.store.dispose()
    env = clean_env()
    titles = [a["title"] for a in alerts_json(config, env) if a["type"] == "source_error"]
    assert titles == ["Policy register could not be loaded; the last good data is kept"]


def test_backtest_replays_stored_entries_and_leaves_the_database_as_it_was(
        tmp_path: Path, slack_peer: SlackApiPeer, feed_server: Any) -> None:
    from email.utils import format_datetime

    published = datetime.now(UTC) - timedelta(hours=1)
    url = feed_server.add("/news.xml", (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://news.example.com/</link><description>d</description><item>"
        "<title>China bans gallium exports to the United States</title>"
        "<link>https://news.example.com/ga</link><guid>ga-1</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate></item></channel></rss>"))
    config = write(tmp_path, api_url=slack_peer.url, register=[])
    raw = yaml.safe_load(config.read_text())
    raw["feeds"] = [{"name": "wire", "url": url, "max_age": "30d"}]
    config.write_text(yaml.safe_dump(raw))
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack_peer.url)
    assert chokepoint("once", "-c", config, "--wait", "20", env=env).returncode == 0
    before = alerts_json(config, env)
    calls = len(slack_peer.calls)
    day = published.astimezone(ZoneInfo(TZ)).date()
    proc = chokepoint("backtest", "-c", config, "--from", str(day - timedelta(days=1)),
                      "--to", str(day), "--json", env=env)
    assert proc.returncode == 0, explain(proc)
    [fired] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert (fired["date"], fired["type"]) == (str(day), "news_restriction")
    assert alerts_json(config, env) == before
    assert len(slack_peer.calls) == calls
