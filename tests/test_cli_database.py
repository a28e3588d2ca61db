"""The database as the command line meets it: a wrong URL scheme, a server that is not there."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXIT_CONFIG, EXIT_DATABASE = 2, 3


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def once(tmp_path: Path, database: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "a.xml").write_text("<rss version='2.0'><channel><title>a</title></channel></rss>")
    (tmp_path / "c.yaml").write_text(f"database: {database}\nfeeds:\n  - {{name: a, url: a.xml}}\n")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "once", "-c", str(tmp_path / "c.yaml"), "--wait", "0"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_an_unreachable_database_exits_3_with_one_sentence_and_no_password(tmp_path: Path) -> None:
    done = once(tmp_path, f"postgresql+psycopg://chokepoint:s3cretpw@127.0.0.1:{closed_port()}/none")
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert "Traceback" not in done.stderr
    assert "could not reach the database" in done.stderr
    assert "s3cretpw" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize("url", ["postgres://chokepoint:s3cretpw@db.example/chokepoint",
                                 "postgres+psycopg://chokepoint:s3cretpw@db.example/chokepoint"])
def test_a_postgres_scheme_url_is_a_configuration_error_that_says_what_to_write(
    tmp_path: Path, url: str,
) -> None:
    done = once(tmp_path, url)
    assert done.returncode == EXIT_CONFIG, done.stderr
    assert "Traceback" not in done.stderr
    assert "postgresql+psycopg://" in done.stderr
    assert "database" in done.stderr
    assert "s3cretpw" not in done.stderr


def test_a_database_kind_that_does_not_exist_is_a_configuration_error(tmp_path: Path) -> None:
    done = once(tmp_path, "mongodb://db.example/chokepoint")
    assert done.returncode == EXIT_CONFIG, done.stderr
    assert "Traceback" not in done.stderr
    assert "not supported" in done.stderr
