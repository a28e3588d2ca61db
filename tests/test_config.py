"""Configuration (SPEC §3): validation messages with lines, env overrides, secrets, path resolution."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Secrets, find_config, is_url, load_config
from bot.durations import Validity

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """\
timezone: Europe/Berlin
feeds:
  - name: mining-com
    url: https://www.mining.com/feed/
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chokepoint.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return [str(p) for p in err.value.problems]


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "-c", str(path)],
        capture_output=True, text=True, cwd=path.parent, timeout=60,
    )


def test_the_starter_configuration_loads_with_the_documented_defaults(tmp_path: Path) -> None:
    from bot.cli.init import write_starter

    write_starter(tmp_path)
    config = load_config(tmp_path / "chokepoint.yaml")
    assert config.timezone == "Europe/Berlin"
    assert config.feeds and all(feed.max_age == timedelta(days=7) for feed in config.feeds)
    assert config.licences is not None
    assert config.licences.default_validity.temporary == Validity(months=6)
    assert config.licences.default_validity.general == Validity(months=12)
    assert config.routes[1].match.materials == ["Dy", "Tb"]
    assert config.path(config.licences.source) == tmp_path / "data" / "licences.csv"


def test_unknown_key_names_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "slack:\n  default_chanel: '#x'\n")
    (problem,) = problems_of(path)
    assert "line 6" in problem and "slack.default_chanel" in problem
    assert "unknown key" in problem


def test_bad_duration_names_feed_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "    every: fortnightly\n")
    (problem,) = problems_of(path)
    assert "line 5" in problem and "feeds[0].every" in problem
    assert "'fortnightly' is not a duration" in problem and "15m" in problem


def test_bad_timezone_suggests_iana_name(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("Europe/Berlin", "Europe/Berlinn"))
    (problem,) = problems_of(path)
    assert "line 1" in problem and "'Europe/Berlinn' is not a known time zone" in problem


def test_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, "timezone: UTC\nfeeds:\n  - name: x\n")
    (problem,) = problems_of(path)
    assert "feeds[0].url" in problem and "required key is missing" in problem


def test_missing_feeds_section(tmp_path: Path) -> None:
    path = write(tmp_path, "timezone: UTC\n")
    (problem,) = problems_of(path)
    assert "feeds" in problem and "required" in problem


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("Europe/Berlin", "Mars/Base") + "    every: 0m\nbogus: 1\n")
    assert len(problems_of(path)) == 3


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (MINIMAL + "    every: fortnightly\n", "is not a duration"),
        (MINIMAL + "bogus: 1\n", "unknown key"),
        (MINIMAL.replace("Europe/Berlin", "Nowhere/City"), "not a known time zone"),
        ("feeds:\n  - url: https://x.example/feed\n", "required key is missing"),
        (MINIMAL + "email: {sender: a@b, digest: {schedule: 'someday 7:30'}}\n", "is not a weekday"),
        (MINIMAL + "routes:\n  - match: {materials: [unobtainium]}\n    slack: '#x'\n", "unobtainium"),
        (MINIMAL + "routes:\n  - match: {severity: [urgent]}\n    slack: '#x'\n", "severity"),
        (MINIMAL + "routes:\n  - match: {severity: [high]}\n", "needs a `slack` channel"),
        ("feeds: [\n", "not valid YAML"),
    ],
)
def test_check_command_exits_2_with_message(tmp_path: Path, text: str, needle: str) -> None:
    result = run_check(write(tmp_path, text))
    assert result.returncode == 2
    assert needle in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    result = run_check(tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "not found" in result.stdout + result.stderr


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, MINIMAL + "slack:\n  default_channel: '#from-file'\n  api_url: http://x/api/\n")
    monkeypatch.setenv("CHOKEPOINT_SLACK__DEFAULT_CHANNEL", "#from-env")
    monkeypatch.setenv("CHOKEPOINT_TIMEZONE", "Asia/Shanghai")
    config = load_config(path)
    assert config.slack.default_channel == "#from-env"
    assert config.slack.api_url == "http://x/api/"  # the rest of the section stays
    assert config.timezone == "Asia/Shanghai"


def test_bad_env_override_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_SERVER__PORT", "eighty")
    (problem,) = problems_of(write(tmp_path, MINIMAL))
    assert "CHOKEPOINT_SERVER__PORT" in problem


def test_unrelated_prefixed_env_vars_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHOKEPOINT_CONFIG", "elsewhere.yaml")
    monkeypatch.setenv("CHOKEPOINT_TEST_DATABASE_URL", "postgresql://x")
    assert load_config(write(tmp_path, MINIMAL)).timezone == "Europe/Berlin"


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    path = sub / "c.yaml"
    path.write_text(MINIMAL + "database: sqlite:///data/cp.db\nrules: myrules/\n"
                    "licences: {source: lic.csv}\ntrade: {source: 'https://x.example/t.csv'}\n")
    config = load_config(path)
    assert config.database_url == f"sqlite:///{sub.resolve()}/data/cp.db"
    assert config.rules_dir == sub.resolve() / "myrules"
    assert config.licences is not None and config.location(config.licences.source) == str(sub.resolve() / "lic.csv")
    assert config.trade is not None and config.location(config.trade.source) == "https://x.example/t.csv"


def test_config_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHOKEPOINT_CONFIG", "/etc/chokepoint/c.yaml")
    assert find_config("x.yaml") == Path("x.yaml")
    assert find_config(None) == Path("/etc/chokepoint/c.yaml")
    (tmp_path / "chokepoint.yaml").write_text(MINIMAL)
    assert find_config(None) == Path("chokepoint.yaml")


def test_secrets_come_from_env_and_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    secrets = Secrets()
    assert secrets.slack_bot_token is not None
    assert secrets.slack_bot_token.get_secret_value() == "xoxb-very-secret"
    assert "xoxb-very-secret" not in repr(secrets) and "xoxb-very-secret" not in str(secrets)


def test_secrets_in_the_file_are_refused(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, MINIMAL + "slack:\n  bot_token: xoxb-1\n"))
    assert "slack.bot_token" in problem and "unknown key" in problem


@pytest.mark.parametrize("url", ["https://example.com/feed", "HTTPS://EXAMPLE.COM/feed",
                                 "Http://example.com/x"])
def test_a_url_is_a_url_whatever_the_case_of_its_scheme(tmp_path: Path, url: str) -> None:
    config = load_config(write(tmp_path, "feeds: []\n"))
    assert is_url(url) and config.location(url) == url


@pytest.mark.parametrize("path", ["feeds/a.xml", "/srv/https.xml", "httpsfeed.xml"])
def test_a_path_is_not_a_url(path: str) -> None:
    assert not is_url(path)
