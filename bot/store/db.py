"""Engine, sessions and schema creation; the same code on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.schema import Meta


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; we emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    # WAL lets the Slack app read while the poller writes; busy_timeout waits instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (IMMEDIATE): a deferred read-then-write transaction
    # fails with "database is locked" instead of waiting when another writer got in first.
    readonly = conn.get_execution_options().get("chokepoint_readonly", False)
    conn.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")


class Store:
    """A database handle. `with store.session() as s:` is one transaction (commit or rollback)."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.dialect = url.split(":", 1)[0].split("+", 1)[0]
        kwargs: dict[str, Any] = {"future": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(chokepoint_readonly=True), expire_on_commit=False
        )
        if create:
            self.create_schema()

    @property
    def is_postgres(self) -> bool:
        return self.dialect.startswith("postgres")

    def create_schema(self) -> None:
        """Create missing tables and apply migrations, once under a lock (bot/store/migrate.py)."""
        from bot.store.migrate import upgrade

        upgrade(self.engine)

    def schema_version(self) -> int:
        with self.session() as s:
            value = s.scalar(select(Meta.value).where(Meta.key == "schema_version"))
        return int(value or 0)

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only transaction: never waits for writers (WAL) and never writes."""
        s = self._readers()
        try:
            yield s
        finally:
            s.rollback()
            s.close()

    def ping(self) -> bool:
        """True when the database answers (for /healthz)."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
