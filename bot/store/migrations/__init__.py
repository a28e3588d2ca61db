"""Alembic revisions of the store's schema; applied by `bot.store.migrate.upgrade`."""
