"""Shared pytest fixtures: loopback protocol peers (Slack Web API, feed server, SMTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
