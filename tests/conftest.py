"""Shared pytest fixtures: loopback protocol peers (Slack Web API, feed server, SMTP)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.store import Store
from tests.peers.http_feeds import FeedServer
from tests.peers.slack_api import SlackApiPeer
from tests.peers.smtp import SmtpPeer


def _options(request: pytest.FixtureRequest) -> dict[str, object]:
    """Keyword options from `@pytest.mark.parametrize("<fixture>", [{...}], indirect=True)`."""
    return dict(getattr(request, "param", None) or {})


@pytest.fixture
def slack_peer(request: pytest.FixtureRequest) -> Iterator[SlackApiPeer]:
    """A fake Slack Web API; pass `peer.url` as the client's base_url."""
    with SlackApiPeer(**_options(request)) as peer:  # type: ignore[arg-type]
        yield peer


@pytest.fixture
def feed_server(request: pytest.FixtureRequest) -> Iterator[FeedServer]:
    """An HTTP server for feeds; `feed_server.add(path, body)` then `.url(path)`."""
    with FeedServer(**_options(request)) as server:  # type: ignore[arg-type]
        yield server


@pytest.fixture
def smtp_peer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SmtpPeer]:
    """A plain SMTP server by default; parametrize indirectly for TLS or AUTH."""
    with SmtpPeer(folder=tmp_path, **_options(request)) as peer:  # type: ignore[arg-type]
        yield peer


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database of its own for one test (dropped afterwards), so that
    store-wide operations (claims, pruning, races) never see another test's rows."""
    base = os.environ.get("CHOKEPOINT_TEST_DATABASE_URL")
    if not base:
        pytest.skip("CHOKEPOINT_TEST_DATABASE_URL is not set (.ci/run sets it when PostgreSQL answers)")
    name = "chokepoint_test_" + uuid.uuid4().hex[:10]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store in the test's folder (modules that also run on PostgreSQL
    define their own parametrised `store`)."""
    s = Store(f"sqlite:///{tmp_path}/t.db")
    yield s
    s.dispose()
