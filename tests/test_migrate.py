"""Schema creation and migrations: many processes opening one fresh database at once."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.store import Store
from bot.store.schema import SCHEMA_VERSION


def open_together(url: str, n: int) -> list[BaseException]:
    """`n` threads open the store at the same instant; the errors they met."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def opener() -> None:
        barrier.wait()
        try:
            Store(url).dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def at_head(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        version = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one()
    engine.dispose()
    return str(revision), str(version)


def test_six_processes_creating_one_fresh_postgresql_schema_at_once_all_succeed(
    postgres_url: str,
) -> None:
    for _trial in range(3):
        assert open_together(postgres_url, 6) == []
    assert at_head(postgres_url) == ("0002", str(SCHEMA_VERSION))


def test_eight_processes_creating_one_fresh_sqlite_schema_at_once_all_succeed(tmp_path: Path) -> None:
    for trial in range(3):
        url = f"sqlite:///{tmp_path}/replicas{trial}.db"
        assert open_together(url, 8) == []
        assert at_head(url) == ("0002", str(SCHEMA_VERSION))


def test_a_store_made_before_migrations_existed_is_adopted(tmp_path: Path) -> None:
    from bot.store.schema import Base

    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', '1')"))
        conn.execute(text("INSERT INTO snoozes (subject, until, by_user, created) "
                          "VALUES ('x', '2030-01-01 00:00:00', 'U', '2029-01-01 00:00:00')"))
    engine.dispose()
    store = Store(url)
    with store.reader() as s:
        assert s.execute(text("SELECT count(*) FROM snoozes")).scalar_one() == 1
    store.dispose()
    assert at_head(url) == ("0002", str(SCHEMA_VERSION))


def test_revision_0002_adds_first_attempt_to_an_older_store_backfilled(tmp_path: Path) -> None:
    from bot.store.schema import Base

    url = f"sqlite:///{tmp_path}/v1.db"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE feeds DROP COLUMN first_attempt"))
        conn.execute(text("INSERT INTO feeds (name, url, failures, entries_seen, first_success) "
                          "VALUES ('a', 'http://x/a.xml', 0, 0, '2026-01-02 03:04:05')"))
    engine.dispose()
    Store(url).dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT first_attempt FROM feeds WHERE name = 'a'")).scalar_one()
    engine.dispose()
    assert str(first).startswith("2026-01-02 03:04:05")


def test_reopening_a_store_at_head_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/again.db"
    Store(url).dispose()
    Store(url).dispose()
    assert at_head(url) == ("0002", str(SCHEMA_VERSION))
