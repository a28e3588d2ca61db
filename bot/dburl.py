"""Which database URLs Chokepoint accepts, said in a sentence when one will not work."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

EXAMPLES = "sqlite:///chokepoint.db or postgresql+psycopg://user@host:5432/chokepoint"


def database_url_problem(value: str) -> str | None:
    """None for a usable SQLAlchemy URL, else why not (never repeating the URL: it may hold a password)."""
    try:
        url = make_url(value)
    except ArgumentError:
        return f"is not a database URL; write one such as {EXAMPLES}"
    backend = url.drivername.split("+", 1)[0]
    if backend == "postgres":
        return ("starts with postgres://, which SQLAlchemy does not read; write "
                "postgresql+psycopg://… instead (same user, host and database)")
    try:
        url.get_dialect()
    except NoSuchModuleError:
        return f"names a database kind that is not supported ({url.drivername}); write {EXAMPLES}"
    return None
