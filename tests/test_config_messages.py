"""Configuration errors quote the value they refused beside what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


@pytest.mark.parametrize(
    ("snippet", "where", "quoted"),
    [
        ("routes:\n  - match: {severity: [apocalyptic]}\n    slack: '#x'\n",
         "routes[0].match.severity[0]", "'apocalyptic'"),
        ("server: {port: 99999}\n", "server.port", "99999"),
        ("email: {sender: a@b.example, security: tls}\n", "email.security", "'tls'"),
    ],
)
def test_a_refused_value_is_quoted_with_what_was_expected(
    tmp_path: Path, snippet: str, where: str, quoted: str
) -> None:
    path = tmp_path / "chokepoint.yaml"
    path.write_text("feeds: []\n" + snippet, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert where in problem.where
    assert quoted in problem.message
    assert "should be" in problem.message or "must" in problem.message or "less than" in problem.message
