"""Immutable domain records passed along the one-way flow: sources -> rules -> alerts -> channels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.text import inert

Severity = Literal["info", "warning", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "high", "critical")
AlertState = Literal["open", "acknowledged", "snoozed", "eased", "resolved"]

LicenceStatus = Literal[
    "active", "pending", "renewal_filed", "renewed", "expired", "denied", "revoked"
]
LICENCE_STATUSES: tuple[LicenceStatus, ...] = (
    "active", "pending", "renewal_filed", "renewed", "expired", "denied", "revoked",
)
# The one answer to "is this licence live?" (`Licence.in_force`, `Licence.watched`); queries
# derive their SQL from these same tuples.
IN_FORCE_STATUSES: tuple[LicenceStatus, ...] = ("active", "renewal_filed", "renewed")
WATCHED_STATUSES: tuple[LicenceStatus, ...] = ("active", "renewal_filed")
LicenceType = Literal["temporary", "general", "individual"]
LICENCE_TYPES: tuple[LicenceType, ...] = ("temporary", "general", "individual")
Form = Literal["oxide", "metal", "alloy", "compound", "magnet"]
FORMS: tuple[Form, ...] = ("oxide", "metal", "alloy", "compound", "magnet")


def _make_inert(record: object, *names: str) -> None:
    """Outside text enters through these records: strip what could hide or reorder it."""
    for name in names:
        value = getattr(record, name)
        clean = inert(value)
        if clean != value:
            object.__setattr__(record, name, clean)


def severity_rank(severity: str) -> int:
    """0 for info .. 3 for critical; unknown severities sort lowest."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


@dataclass(frozen=True)
class Entry:
    """One normalised feed entry (plain text, canonical link, UTC time)."""

    uid: str
    feed: str
    title: str
    summary: str
    link: str
    published: datetime
    # False when the feed gave no date and `published` is the first sight: on a feed's first
    # poll such an entry cannot be told from an old one, so it is stored without alerting.
    dated: bool = True

    def __post_init__(self) -> None:
        _make_inert(self, "title", "summary")


@dataclass(frozen=True)
class Licence:
    """One row of the licence register, validated; `material` is a canonical key."""

    licence_id: str
    holder: str
    material: str
    licence_type: LicenceType = "temporary"
    form: Form = "oxide"
    end_user: str = ""
    destination: str = ""
    issued: date | None = None
    expires: date | None = None
    status: LicenceStatus = "active"

    def __post_init__(self) -> None:
        _make_inert(self, "licence_id", "holder", "end_user", "destination")

    @property
    def in_force(self) -> bool:
        """It authorises exports now: active, renewal filed, or renewed (what renews another)."""
        return self.status in IN_FORCE_STATUSES

    @property
    def watched(self) -> bool:
        """In force and not yet renewed (active or renewal filed): its expiry must be watched."""
        return self.status in WATCHED_STATUSES

    def days_left(self, today: date) -> int | None:
        """Whole days from `today` until expiry (negative once expired); None if unknown."""
        return None if self.expires is None else (self.expires - today).days


@dataclass(frozen=True)
class TradePoint:
    """One monthly export figure: `period` is YYYY-MM, `destination` an ISO code or ALL."""

    period: str
    product: str
    destination: str
    tonnes: float
    value_usd: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        _make_inert(self, "product", "destination", "source")

    @property
    def series(self) -> str:
        return f"{self.product}/{self.destination}"


@dataclass(frozen=True)
class Link:
    """A source behind an alert: the story's link and where it came from."""

    url: str
    label: str = ""
    # When this source published it (the entry's time), stored as data with the alert so
    # stories are ordered in time without reading display text; None when not known.
    published: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Match:
    """What a rule decided: one would-be alert, identified by its key (one alert per key, ever).

    `subject` is what the alert is about (licence id, `product/destination`, feed name, story id);
    follow-ups on the same subject thread under the first message and snoozes mute by subject.
    `facts` are (label, value) pairs shown in the message, in order.
    """

    rule_id: str
    rule_type: str
    key: str
    severity: Severity
    title: str
    subject: str
    materials: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    sources: tuple[Link, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Alert:
    """An alert as stored and delivered (a Match plus identity, state and history)."""

    id: int
    rule_id: str
    rule_type: str
    key: str
    severity: Severity
    title: str
    subject: str
    materials: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    sources: tuple[Link, ...]
    state: AlertState
    created: datetime
    reason: str = ""
    acked_by: str | None = None
    acked_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class StatusChange:
    """A licence's status as seen to change between two refreshes (old_status None: first sight)."""

    licence_id: str
    old_status: str | None
    new_status: str
    changed: datetime
    id: int = 0  # the stored change (0 for one that was never stored)


@dataclass(frozen=True)
class FeedHealth:
    """A feed's health as `/chokepoint feeds`, the digest and the feed_stale rule see it."""

    name: str
    url: str = ""
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failures: int = 0
    next_attempt: datetime | None = None
    entries_seen: int = 0
    last_new_entry: datetime | None = None
    first_success: datetime | None = None
    # When polling started; judges a feed that has never once succeeded.
    first_attempt: datetime | None = None

    @property
    def healthy(self) -> bool:
        return self.failures == 0 and self.last_success is not None


def find_renewals(licences: Iterable[Licence]) -> dict[str, str]:
    """old licence id -> id of a newer licence for the same holder, material and end user (docs/rules.md).

    "Newer" means it expires later (else was issued later) and is itself in force or renewed;
    a pending or denied application does not renew anything.
    """
    groups: dict[tuple[str, str, str], list[Licence]] = {}
    for lic in licences:
        # Without a named end user, the destination tells two buyers' licences apart: a holder's
        # licence to the US does not renew its licence to Germany.
        buyer = lic.end_user.strip().casefold() or f"@{lic.destination.strip().upper()}"
        key = (lic.holder.strip().casefold(), lic.material, buyer)
        groups.setdefault(key, []).append(lic)
    renewals: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        for old in group:
            newer = [
                lic for lic in group
                if lic.licence_id != old.licence_id and lic.in_force and _later(lic, old)
            ]
            if newer:
                best = max(newer, key=lambda lic: (lic.expires or date.min, lic.issued or date.min))
                renewals[old.licence_id] = best.licence_id
    return renewals


def _later(a: Licence, b: Licence) -> bool:
    if a.expires and b.expires:
        return a.expires > b.expires
    if a.issued and b.issued:
        return a.issued > b.issued
    return False


TargetFamily = Literal["slack", "slack-dm", "email", "console", "unknown"]
_FAMILIES: tuple[TargetFamily, ...] = ("slack-dm", "slack", "email")  # spelt `<family>:<address>`
# An outbox row that is not the message itself names the message's target after its own
# prefix (`update:slack:#c`, `source:<key>:slack:#c`), so that an alert has one row per
# message and kind.
_UPDATE, _SOURCE = "update:", "source:"


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: a family (which channel sends it) and an address in it.

    Stored in the outbox as `slack:#chan`, `slack-dm:U123`, `email:x@y` or `console`; this type
    is the only place that spelling is written or read.
    """

    family: TargetFamily
    address: str = ""

    def __str__(self) -> str:
        return "console" if self.family == "console" else f"{self.family}:{self.address}"

    @property
    def service(self) -> str:
        """What fails together: Slack channels and DMs share one Slack."""
        return "slack" if self.family in ("slack", "slack-dm") else self.family

    def elsewhere(self, address: str) -> Target:
        """The same family at another address (a Slack channel id from an earlier post)."""
        return Target(self.family, address)

    def outbox_key(self, kind: str = "post", note: str = "") -> str:
        """The outbox row's `target` column for a message (`post`), its `update`, or a
        `source` note identified by `note`."""
        if kind == "update":
            return f"{_UPDATE}{self}"
        if kind == "source":
            return f"{_SOURCE}{note}:{self}"
        return str(self)

    @classmethod
    def parse(cls, text: str) -> Target:
        """A stored target (or outbox key) back into a Target; family "unknown" if unreadable."""
        if text.startswith(_UPDATE):
            text = text.removeprefix(_UPDATE)
        elif text.startswith(_SOURCE):
            text = text.removeprefix(_SOURCE).partition(":")[2]
        if text == "console":
            return cls("console")
        for family in _FAMILIES:
            if text.startswith(family + ":"):
                return cls(family, text.removeprefix(family + ":"))
        return cls("unknown", text)
