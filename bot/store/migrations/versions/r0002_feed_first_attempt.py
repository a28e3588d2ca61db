"""feeds.first_attempt: when polling a feed began, so that one never once fetched can go stale.

Revision 0001 creates tables from the current schema, so a database made fresh already has
the column; only older ones get it here, backfilled from the first success or last attempt.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("feeds")}
    if "first_attempt" not in columns:
        op.add_column("feeds", sa.Column("first_attempt", UTCDateTime(), nullable=True))
        op.execute("UPDATE feeds SET first_attempt = COALESCE(first_success, last_attempt)")


def downgrade() -> None:
    op.drop_column("feeds", "first_attempt")
