"""chokepoint.yaml (docs/configuration.md): validated settings, env overrides, secrets, errors with lines.

Over 300 lines because the file's schema is one tree of pydantic models that refer to each
other (routes to materials, feeds to durations); split it by section when a section grows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.durations import Validity, parse_duration, parse_validity
from bot.models import Severity
from bot.redact import redact_urls

CONFIG_FILENAME = "chokepoint.yaml"
ENV_PREFIX = "CHOKEPOINT_"

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
ValidityPeriod = Annotated[Validity, BeforeValidator(parse_validity)]



def is_url(location: str) -> bool:
    """An http(s) URL rather than a file path; the scheme in any case (`HTTPS://` too)."""
    return bool(re.match(r"^https?://", location, re.IGNORECASE))

class _Section(BaseModel):
    # Attribute docstrings are the field descriptions that docs/configuration.md is generated from.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class FeedConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """Unique name of the feed (letters, digits, `.`, `_`, `-`); shown in alerts, `/chokepoint feeds` and the digest."""
    url: str = Field(min_length=1)
    """An http(s) URL of an RSS or Atom feed, or a file path (relative to the configuration file)."""
    every: Duration = timedelta(minutes=15)
    """How often the feed is polled (a duration: `15m`, `1h`)."""
    max_age: Duration = timedelta(days=7)
    """On a feed's first poll, entries older than this are stored without alerting
    (a new feed does not flood a channel)."""
    timeout: Duration | None = None
    """The longest one fetch of this feed may take, body included (default `20s`); a server that
    trickles its answer is cut off at this limit and the feed is reported as failing."""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^(https?://|file://|/|\.{0,2}/?[\w.-])", v):
            raise ValueError("url must be an http(s) URL or a file path")
        return v


class PageSelectors(_Section):
    """CSS selectors of a notices page (docs/formats.md, "Pages")."""

    item: str = Field(min_length=1)
    """CSS selector of each notice on the page."""
    title: str = Field(min_length=1)
    """Inside an item, the element holding the title."""
    title_attr: str | None = None
    """Read the title from this attribute of that element (sites that cut the text keep the full title in `title=`)."""
    link: str | None = None
    """The element holding the link (default: the title's element)."""
    link_attr: str = "href"
    """The attribute holding the address; relative addresses are resolved against the page."""
    date: str | None = None
    """The element holding the date (default: a date is looked for in the item's text)."""

    @model_validator(mode="after")
    def _valid(self) -> PageSelectors:
        from selectolax.lexbor import LexborHTMLParser

        for sel in (self.item, self.title, self.link, self.date):
            try:
                if sel is not None:
                    LexborHTMLParser("<p></p>").css(sel)
            except Exception as exc:  # selectolax raises several kinds for a bad selector
                raise ValueError(f"{sel!r} is not a valid CSS selector ({exc})") from None
        return self


class PageConfig(FeedConfig):
    """A notices page polled like a feed; entries come from `selectors`."""

    selectors: PageSelectors
    """Where the title, link and date of each notice are on the page."""
    charset: str | None = None
    """Read the page in this charset (`gbk`, `big5`) whatever its header or `<meta>` says."""

    @field_validator("charset")
    @classmethod
    def _charset(cls, v: str | None) -> str | None:
        import codecs

        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"{v!r} is not a known charset (e.g. gbk, big5, utf-8)") from None
        return v


class TableSettings(_Section):
    """How a table file keeps its columns, words and dates (docs/formats.md, "Tables")."""

    columns: dict[str, str] = Field(default_factory=dict)
    """Our column name → the file's heading, e.g. `{licence_id: Lizenznummer}`."""
    sheet: str | None = None
    """The workbook sheet to read (default: the first)."""
    date_order: Literal["dmy", "mdy", "ymd"] | None = None
    """How to read dates such as `01.12.2026`; without it an ambiguous date is a row error."""
    max_size: int = Field(default=64 * 1024 * 1024, ge=1024)
    """The largest file accepted, in bytes or with a unit (`64 MB`)."""

    @field_validator("max_size", mode="before")
    @classmethod
    def _size(cls, v: Any) -> Any:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B)\s*", v, re.I) if isinstance(v, str) else None
        if m:
            unit = {"k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2)[0].lower()]
            return int(float(m.group(1)) * unit)
        return v


class LicenceValidity(_Section):
    temporary: ValidityPeriod = Validity(months=6)
    """Validity of a `temporary` licence whose `expires` cell is empty, counted from `issued`."""
    general: ValidityPeriod = Validity(months=12)
    """Validity of a `general` licence whose `expires` cell is empty."""
    individual: ValidityPeriod = Validity(months=6)
    """Validity of an `individual` licence whose `expires` cell is empty."""


class LicencesConfig(TableSettings):
    source: str = Field(min_length=1)
    """The licence register: a path or http(s) URL (see docs/formats.md)."""
    every: Duration = timedelta(hours=1)
    """How often the register is read again."""
    default_validity: LicenceValidity = LicenceValidity()
    """Validity by licence type, used when a row has no `expires` date."""
    statuses: dict[str, str] = Field(default_factory=dict)
    """The file's status words → ours, e.g. `{genehmigt: active, granted: active}`."""
    # A refresh that would remove more than this share of the stored licences is refused.
    max_removed_share: float = Field(default=0.5, gt=0, le=1)
    """A refresh that would remove more than this share of the stored licences is refused whole."""

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, v: dict[str, str]) -> dict[str, str]:
        from bot.models import LICENCE_STATUSES

        for word, status in v.items():
            if status not in LICENCE_STATUSES:
                raise ValueError(f"statuses: {word!r} maps to {status!r}, which is not one of "
                                 f"{', '.join(LICENCE_STATUSES)}")
        return v


class TradeConfig(TableSettings):
    source: str = Field(min_length=1)
    """Monthly export statistics: a path or http(s) URL of a CSV (see docs/formats.md)."""
    every: Duration = timedelta(days=1)
    """How often the statistics are read again."""
    format: Literal["table", "comtrade"] = "table"
    """`table` (CSV/XLSX with our columns) or `comtrade` (a UN Comtrade API JSON answer)."""


class ExposureConfig(_Section):
    source: str = Field(min_length=1)
    """The exposure file: a path or http(s) URL of a CSV or XLSX (docs/formats.md)."""
    every: Duration = timedelta(hours=1)
    """How often the running service reads it again (`once` always reads it)."""


class SlackConfig(_Section):
    api_url: str = "https://slack.com/api/"
    """Base URL of the Slack Web API; `$SLACK_API_URL` overrides it (useful for a test double)."""
    default_channel: str = "#supply-risk"
    """Where alerts go that no route matches."""
    timeout: Duration = timedelta(seconds=10)
    """Time limit of one Slack Web API call."""


class ServerConfig(_Section):
    host: str = "0.0.0.0"
    """Address the HTTP server listens on (`POST /slack/events`, `GET /healthz`)."""
    port: int = Field(default=3000, ge=0, le=65535)
    """Port of the HTTP server; the container health check reads it from here."""


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DigestSchedule(_Section):
    """`mon 07:30`, `mon,thu 07:30` or `mon-fri 08:00`: weekdays by name and a time of day."""

    days: str
    at: time

    @classmethod
    def parse(cls, value: object) -> DigestSchedule:
        if isinstance(value, DigestSchedule):
            return value
        m = re.match(r"^\s*([a-z,\-]+)\s+(\d{1,2}):(\d{2})\s*$", str(value).lower())
        if not m:
            raise ValueError(f"{value!r} is not a schedule; write a weekday and a time, e.g. 'mon 07:30'")
        days = m.group(1)
        for part in re.split(r"[,-]", days):
            if part not in _WEEKDAYS:
                raise ValueError(f"{part!r} is not a weekday; use {', '.join(_WEEKDAYS)}")
        hour, minute = int(m.group(2)), int(m.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"{value!r} has an impossible time of day")
        return cls(days=days, at=time(hour, minute))

    def __str__(self) -> str:
        return f"{self.days} {self.at:%H:%M}"


class DigestConfig(_Section):
    schedule: Annotated[DigestSchedule, BeforeValidator(DigestSchedule.parse)] = DigestSchedule(
        days="mon", at=time(7, 30)
    )
    """When the weekly digest is sent: weekday(s) and a time in `timezone`
    (`mon 07:30`, `mon,thu 07:30`, `mon-fri 08:00`)."""
    recipients: list[str] = Field(default_factory=list)
    """E-mail addresses that receive the digest."""


class EmailConfig(_Section):
    smtp_host: str = "localhost"
    """SMTP server host name."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    """SMTP server port."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    """`starttls`, `ssl` (implicit TLS) or `none`."""
    username: str | None = None
    """SMTP login; the password comes only from `$SMTP_PASSWORD`."""
    sender: str
    """The From address, e.g. `Chokepoint <alerts@example.com>`."""
    timeout: Duration = timedelta(seconds=30)
    """Time limit of one SMTP conversation."""
    digest: DigestConfig | None = None
    """The weekly digest; leave out for no digest."""


class RouteMatch(_Section):
    severity: list[Severity] | None = None
    """Alert severities this route takes (`info`, `warning`, `high`, `critical`)."""
    materials: list[str] | None = None
    """Materials this route takes, by any alias (`Dy`, `dysprosium`, `NdFeB`)."""
    rule: list[str] | None = None
    """Rule ids this route takes."""
    type: list[str] | None = None
    """Rule types this route takes (`news_restriction`, `licence_expiry`, ...)."""

    @field_validator("materials")
    @classmethod
    def _materials(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        from bot.materials import canonical

        return [canonical(m) for m in v]


class RouteConfig(_Section):
    match: RouteMatch = RouteMatch()
    """What the route takes; every given condition must hold, an empty match takes everything."""
    slack: str | None = None
    """Slack channel (`#name` or id) for alerts of this route."""
    email: list[str] = Field(default_factory=list)
    """Recipients of an immediate e-mail for each alert of this route."""

    @model_validator(mode="after")
    def _has_target(self) -> RouteConfig:
        if not self.slack and not self.email:
            raise ValueError("a route needs a `slack` channel or `email` recipients")
        return self


class RetentionConfig(_Section):
    entries: Duration = timedelta(days=180)
    """Feed entries older than this are pruned; alerts are kept."""


class Config(BaseSettings):
    """The whole configuration. Env vars CHOKEPOINT_<SECTION>__<KEY> override the file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
    )

    timezone: str = "UTC"
    """IANA time zone in which digests are scheduled and "days left" are counted."""
    database: str = "sqlite:///chokepoint.db"
    """SQLAlchemy URL of the store: `sqlite:///chokepoint.db` (relative to the configuration file) or `postgresql+psycopg://user@host/db`."""
    rules: str | None = None  # a folder of *.yaml rule files; default: the bundled rule pack
    """Folder of `*.yaml` rule files; leave out for the bundled rule pack."""
    feeds: list[FeedConfig]
    """RSS and Atom feeds to poll (may be empty)."""
    pages: list[PageConfig] = Field(default_factory=list)
    """Official notice pages without a feed, read by CSS selectors; each takes a feed's keys too."""
    licences: LicencesConfig | None = None
    """The licence register; leave out if you keep none."""
    trade: TradeConfig | None = None
    """Monthly export statistics; leave out for none."""
    policies: str | None = None
    """The policy register (YAML or CSV, docs/formats.md); leave out for the bundled register of
    the 2023–2026 measures."""
    exposure: ExposureConfig | None = None
    """Your parts, their materials, cover and lead times (docs/formats.md); leave out for none."""
    slack: SlackConfig = SlackConfig()
    """Slack settings; the bot token comes only from `$SLACK_BOT_TOKEN`."""
    server: ServerConfig = ServerConfig()
    """The HTTP server of `chokepoint run`."""
    email: EmailConfig | None = None
    """SMTP settings for the digest and immediate e-mail; leave out for no e-mail."""
    routes: list[RouteConfig] = Field(default_factory=list)
    """Where alerts go; the first route that matches wins, unmatched alerts go to `slack.default_channel`."""
    retention: RetentionConfig = RetentionConfig()
    """How long feed entries are kept."""
    base_dir: Path = Field(default=Path("."), exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # the environment wins over the file

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{v!r} is not a known time zone; use an IANA name such as Europe/Berlin or UTC"
            ) from None
        return v

    @field_validator("database")
    @classmethod
    def _database(cls, v: str) -> str:
        from bot.dburl import database_url_problem

        problem = database_url_problem(v)
        if problem is not None:
            raise ValueError(f"the database URL {problem}")
        return v

    @field_validator("feeds")
    @classmethod
    def _unique_feeds(cls, v: list[FeedConfig]) -> list[FeedConfig]:
        seen: set[str] = set()
        for feed in v:
            if feed.name in seen:
                raise ValueError(f"feed name {feed.name!r} is used twice; names must be unique")
            seen.add(feed.name)
        return v

    @model_validator(mode="after")
    def _unique_sources(self) -> Config:
        feeds = {f.name for f in self.feeds}
        for page in self.pages:
            if page.name in feeds:
                raise ValueError(f"page name {page.name!r} is also a feed's; names must be unique")
        if len({p.name for p in self.pages}) != len(self.pages):
            raise ValueError("two pages have the same name; names must be unique")
        return self

    @property
    def polled(self) -> list[FeedConfig]:
        """Feeds and pages: every source the poller fetches (a page is a FeedConfig too)."""
        return [*self.feeds, *self.pages]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, value: str) -> Path:
        """A path from the file, resolved against the configuration file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def location(self, value: str) -> str:
        """A source that may be a URL or a path: URLs pass through, paths are resolved."""
        if is_url(value):
            return value
        return str(self.path(value.removeprefix("file://")))

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, with a relative SQLite path resolved against the config folder."""
        m = re.match(r"^(sqlite(?:\+\w+)?:///)(?!/)(.+)$", self.database)
        if m and m.group(2) != ":memory:":
            return m.group(1) + str(self.path(m.group(2)).resolve())
        return self.database

    @property
    def rules_dir(self) -> Path:
        if self.rules is None:
            from bot.templates import default_rules_dir

            return default_rules_dir()
        return self.path(self.rules)


class Secrets(BaseSettings):
    """Secrets come only from the environment and never print (SecretStr)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    smtp_password: SecretStr | None = None
    slack_api_url: str | None = None


@dataclass(frozen=True)
class Problem:
    """One configuration problem: where it is and what to do about it."""

    file: str
    where: str  # "line 12 (feeds[0].every)" or "CHOKEPOINT_SLACK__DEFAULT_CHANNEL"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


class ConfigError(Exception):
    """Configuration that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def find_config(explicit: str | None) -> Path:
    """`-c FILE`, else chokepoint.yaml in the working directory, else $CHOKEPOINT_CONFIG."""
    if explicit:
        return Path(explicit)
    local = Path(CONFIG_FILENAME)
    if local.exists():
        return local
    env = os.environ.get("CHOKEPOINT_CONFIG")
    return Path(env) if env else local


def _node_lines(node: yaml.Node, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], int]]:
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield (*path, str(key.value)), key.start_mark.line + 1
            yield from _node_lines(value, (*path, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _node_lines(item, (*path, i))


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _env_name(loc: tuple[str | int, ...]) -> str | None:
    name = ENV_PREFIX + "__".join(str(p).upper() for p in loc)
    return name if name in os.environ else None


def _describe(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return "unknown key; check the spelling (docs/configuration.md lists every key)"
    if kind == "missing":
        return "required key is missing"
    text = str(msg).removeprefix("Value error, ")
    refused = err.get("input")
    if isinstance(refused, str | int | float | bool) and repr(refused) not in text:
        shown = redact_urls(refused) if isinstance(refused, str) else refused  # never a URL's password
        return f"{text}; got {shown!r}"
    return text


def load_config(path: Path | str) -> Config:
    """Read, validate and return the configuration, or raise ConfigError naming every problem."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(name, "file", "not found; pass -c FILE or set $CHOKEPOINT_CONFIG")]) from None
    except OSError as exc:
        raise ConfigError([Problem(name, "file", f"cannot be read: {exc.strerror}")]) from None
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(name, where, f"not valid YAML: {problem}")]) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError([Problem(name, "line 1", "the file must be a mapping of sections (timezone:, feeds:, ...)")])
    lines = dict(_node_lines(node)) if node is not None else {}
    raw.pop("base_dir", None)
    try:
        return Config(**raw, base_dir=path.resolve().parent)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            env = _env_name(loc)
            if env:
                where = f"{env} (environment)"
            else:
                line = next((lines[loc[:i]] for i in range(len(loc), 0, -1) if loc[:i] in lines), None)
                where = f"line {line} ({_dotted(loc)})" if line else _dotted(loc)
            problems.append(Problem(name, where, _describe(err)))
        raise ConfigError(problems) from None

