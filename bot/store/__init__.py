"""The store: SQLAlchemy 2 schema and small repositories (SQLite by default, PostgreSQL by URL)."""

from bot.store.db import Store, utcnow

__all__ = ["Store", "utcnow"]
