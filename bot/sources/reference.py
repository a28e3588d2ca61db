"""The policy register and the exposure file as the running bot holds them: read from their
files when due, the last good data kept when a file turns bad (the error is returned once
per refresh, for an operator alert)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from bot.config import Config
from bot.exposure import Part
from bot.policy.measures import Measure
from bot.sources.exposure import load_exposure
from bot.sources.policies import load_register
from bot.sources.tabular import LoadResult, SourceError
from bot.store import Store
from bot.store.licences import record_source_error, record_source_success

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Held(Generic[T]):
    """One file's records: refreshed at most every `every`, last good kept on a bad file."""

    name: str
    location: str | None
    load: Callable[[str | None], LoadResult[T]]
    every: timedelta = timedelta(hours=1)
    records: tuple[T, ...] = ()
    loaded_at: datetime | None = None
    error: str | None = None
    skipped: int = 0  # rows of the last good file that were skipped

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def due(self, now: datetime) -> bool:
        return self.loaded_at is None or now - self.loaded_at >= self.every

    def refresh(self, now: datetime, *, force: bool = False) -> str | None:
        """Read the file if due; returns the error when it could not be used."""
        with self._lock:
            if not force and not self.due(now):
                return None
            self.loaded_at = now
            try:
                result = self.load(self.location)
            except SourceError as exc:
                log.error("%s not refreshed, the last good data stays in use: %s", self.name, exc)
                self.error = str(exc)
                return self.error
            for problem in result.problems:
                log.warning("%s: %s", self.name, problem)
            self.records, self.error, self.skipped = result.records, None, len(result.problems)
            return None

    def get(self, now: datetime) -> tuple[T, ...]:
        self.refresh(now)
        return self.records


def refresh_recorded(held: Held[Any], store: Store, now: datetime) -> str | None:
    """Re-read now and record the outcome as the source's health (`/chokepoint feeds`)."""
    error = held.refresh(now, force=True)
    where = held.location or "bundled register"
    with store.session() as s:
        if error is not None:
            record_source_error(s, held.name, where, error, now)
        else:
            record_source_success(s, held.name, where, len(held.records), held.skipped, now)
    return error


def _exposure(location: str | None) -> LoadResult[Part]:
    if location is None:
        return LoadResult((), ())
    return load_exposure(location)


def policy_register(location: str | None) -> Held[Measure]:
    """The register at `location`, or the bundled one when None."""
    return Held("policies", location, load_register, every=timedelta(hours=1))


def exposure_file(location: str | None, every: timedelta = timedelta(hours=1)) -> Held[Part]:
    """The exposure file at `location`; no parts when None."""
    return Held("exposure", location, _exposure, every=every)


def from_config(config: Config) -> tuple[Held[Measure], Held[Part]]:
    """The configured register (or the bundled one) and exposure file (or none)."""
    policies = policy_register(config.location(config.policies) if config.policies else None)
    exposure = (exposure_file(config.location(config.exposure.source), config.exposure.every)
                if config.exposure else exposure_file(None))
    return policies, exposure
