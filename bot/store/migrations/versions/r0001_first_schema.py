"""The first release's schema: every table of bot/store/schema.py as it stood then.

Databases created before migrations existed already have these tables; creating only the
missing ones (checkfirst) adopts them. Later revisions change the schema step by step.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from bot.store.schema import Base

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    Base.metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    Base.metadata.drop_all(op.get_bind())
