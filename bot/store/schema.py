"""Tables for everything Chokepoint persists. One place, so migrations have one source of truth."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 2


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone; we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware (UTC) datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, date: Date, dict: JSON, list: JSON}


class Meta(Base):
    """Key/value facts about the store itself (schema version)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FeedState(Base):
    """Per-feed polling state and health (docs/formats.md: last good state, back-off, visible error)."""

    __tablename__ = "feeds"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    first_success: Mapped[datetime | None]
    first_attempt: Mapped[datetime | None]  # when polling began (revision 0002)
    last_attempt: Mapped[datetime | None]
    last_success: Mapped[datetime | None]
    last_new_entry: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime | None]
    entries_seen: Mapped[int] = mapped_column(Integer, default=0)
    # sha256 of the last body parsed: an unchanged body from a server without validators is
    # not parsed again.
    fingerprint: Mapped[str | None] = mapped_column(String(64))


class EntryRow(Base):
    """A feed entry, stored once by identity (guid, else canonical link, else title+date hash)."""

    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the identity
    feed: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[datetime] = mapped_column(index=True)
    first_seen: Mapped[datetime] = mapped_column(index=True)
    offered: Mapped[bool] = mapped_column(Boolean, default=True)  # False: stored as seen, not alerted
    evaluated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class LicenceRow(Base):
    """The current licence register; rows that disappear from the source are marked removed."""

    __tablename__ = "licences"
    licence_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(Text)
    end_user: Mapped[str] = mapped_column(Text, default="")
    licence_type: Mapped[str] = mapped_column(String(20))
    material: Mapped[str] = mapped_column(String(20), index=True)
    form: Mapped[str] = mapped_column(String(20))
    destination: Mapped[str] = mapped_column(String(20), default="")
    issued: Mapped[date | None]
    expires: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[datetime]
    updated: Mapped[datetime]
    removed: Mapped[datetime | None]


class LicenceChange(Base):
    """A status change between two refreshes (old_status None: first sight)."""

    __tablename__ = "licence_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    licence_id: Mapped[str] = mapped_column(String(200), index=True)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    changed: Mapped[datetime]
    evaluated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class TradeRow(Base):
    """One monthly export figure; a revision replaces the value and is logged."""

    __tablename__ = "trade_points"
    __table_args__ = (UniqueConstraint("product", "destination", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    product: Mapped[str] = mapped_column(String(100))
    destination: Mapped[str] = mapped_column(String(20))
    tonnes: Mapped[float] = mapped_column(Float)
    value_usd: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")
    updated: Mapped[datetime]


class TradeRevision(Base):
    __tablename__ = "trade_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    product: Mapped[str] = mapped_column(String(100))
    destination: Mapped[str] = mapped_column(String(20))
    old_tonnes: Mapped[float] = mapped_column(Float)
    new_tonnes: Mapped[float] = mapped_column(Float)
    revised: Mapped[datetime]


class SourceState(Base):
    """Health of the licence register and trade statistics (last good load, last error)."""

    __tablename__ = "sources"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    location: Mapped[str] = mapped_column(Text, default="")
    last_success: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str | None] = mapped_column(String(64))


class AlertRow(Base):
    """An alert: one per key, ever. `state` is open/acknowledged/snoozed/eased/resolved."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    rule_id: Mapped[str] = mapped_column(String(200), index=True)
    rule_type: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(512), index=True)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    facts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created: Mapped[datetime] = mapped_column(index=True)
    updated: Mapped[datetime]
    acked_by: Mapped[str | None] = mapped_column(String(100))
    acked_at: Mapped[datetime | None]
    state_note: Mapped[str | None] = mapped_column(Text)


class AlertMaterial(Base):
    """Alert <-> material index, for `/chokepoint status Dy` and routes on a store of 100k alerts."""

    __tablename__ = "alert_materials"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    material: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class Delivery(Base):
    """The outbox: one row per alert x target, written with the alert, sent by the worker."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "target"),
        Index("ix_deliveries_due", "status", "next_attempt"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(300))  # slack:#chan, slack-dm:U123, email:x@y, console
    kind: Mapped[str] = mapped_column(String(20), default="post")  # post | update
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(String(100))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    thread_ts: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)  # kind "source": the further source, as mrkdwn


class SlackThread(Base):
    """The first message about a subject in a channel: follow-ups thread under it."""

    __tablename__ = "slack_threads"
    subject: Mapped[str] = mapped_column(String(512), primary_key=True)
    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100))
    ts: Mapped[str] = mapped_column(String(40))
    created: Mapped[datetime]


class Snooze(Base):
    __tablename__ = "snoozes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(512), index=True)
    until: Mapped[datetime]
    by_user: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime]
    alert_id: Mapped[int | None] = mapped_column(Integer)


class Subscription(Base):
    __tablename__ = "subscriptions"
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    material: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    created: Mapped[datetime]


class DigestRow(Base):
    """A weekly digest, by ISO week (2026-W48): sent once, retried on failure."""

    __tablename__ = "digests"
    week: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


# Indexes behind the Slack app's answers on a store of 100k alerts (bot/slack_app/queries.py):
# the newest open alerts, the newest news, and alert ids by material without a table lookup.
Index("ix_alerts_state_created", AlertRow.state, AlertRow.created)
Index("ix_alerts_type_created", AlertRow.rule_type, AlertRow.created)
Index("ix_alert_materials_material_alert", AlertMaterial.material, AlertMaterial.alert_id)
