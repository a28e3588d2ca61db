"""Schema creation and migrations, run once under a lock however many processes start together.

Every `chokepoint` process calls `upgrade` when it opens the store. On PostgreSQL the first
takes a transaction-scoped advisory lock and applies the Alembic revisions inside that one
transaction (PostgreSQL's DDL is transactional); the others wait on the lock and then find the
schema at head. On SQLite the migration transaction starts with `BEGIN IMMEDIATE` (the write
lock); a database locked by another process is waited for, not fatal.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import OperationalError

from bot.store.schema import SCHEMA_VERSION, Meta

log = logging.getLogger(__name__)

# Any constant every process agrees on ("chokepoi" in ASCII, a positive 64-bit integer).
ADVISORY_LOCK_KEY = 0x63686F6B65706F69
# How long a start waits for another process that holds the SQLite write lock.
SQLITE_LOCK_WAIT = 120.0
_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision and record `schema_version` (idempotent)."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    while True:
        try:
            _upgrade_locked(engine)
            return
        except OperationalError as exc:
            locked = engine.dialect.name == "sqlite" and "locked" in str(exc.orig).lower()
            if not locked or time.monotonic() > deadline:
                raise
            log.info("the database is locked by another process; waiting to create the schema")
            time.sleep(0.2)


def _upgrade_locked(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE (see db._sqlite_begin)
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        known = conn.execute(select(Meta.value).where(Meta.key == "schema_version")).first()
        if known is None:
            conn.execute(insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif known[0] != str(SCHEMA_VERSION):
            conn.execute(update(Meta).where(Meta.key == "schema_version")
                         .values(value=str(SCHEMA_VERSION)))


def drop_all(engine: Engine) -> None:
    """Drop every table and the migration record: an empty database again (used by tests)."""
    from bot.store.schema import Base

    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
