"""`chokepoint run`: APScheduler jobs around the pipeline, the Slack app, /healthz, clean stops."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Config, FeedConfig, Secrets
from bot.pipeline import Pipeline
from bot.store import Store, utcnow
from bot.store.feeds import feed_health
from bot.store.outbox import release_claims

log = logging.getLogger(__name__)
HEALTH_ONLY = "health endpoint listening on {url}/healthz"

DELIVERY_EVERY = timedelta(seconds=10)
EVALUATE_EVERY = timedelta(hours=1)  # date-driven rules: expiry thresholds, stale feeds
DIGEST_RETRY = timedelta(minutes=15)
STOP_WITHIN = 8.0  # seconds; the whole stop must fit in 10


def _jitter(every: timedelta) -> int:
    return int(min(every.total_seconds() / 10, 60))


class Service:
    """The long-running process: jobs on a BackgroundScheduler plus the Slack app's server."""

    def __init__(self, config: Config, secrets: Secrets | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.config, self.secrets, self.clock = config, secrets or Secrets(), clock
        self.store = Store(config.database_url)
        self.pipeline = Pipeline(config, self.store, self.secrets)
        self.scheduler = BackgroundScheduler(
            timezone=config.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self.started = clock()
        with self.store.reader() as s:
            known = [h.last_success for h in feed_health(s) if h.last_success]
        self.last_poll: datetime | None = max(known) if known else None
        self.stopping = threading.Event()
        self._servers: list[Any] = []

    # -- jobs -----------------------------------------------------------------------------------
    def _guard(self, name: str, job: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            if self.stopping.is_set():
                return
            try:
                job()
            except Exception:  # one failing job must not stop the others
                log.exception("job %s failed", name)
        return run

    def poll_feed(self, feed: FeedConfig) -> None:
        now = self.clock()
        results = self.pipeline.poll_feeds(now, [feed])
        if any(r.status in ("new", "not_modified") for r in results):
            self.last_poll = now
        if any(r.new_count for r in results):
            self.pipeline.evaluate(now)
            self.pipeline.deliver(now)

    def refresh(self, which: str) -> None:
        now = self.clock()
        (self.pipeline.refresh_licences if which == "licences" else self.pipeline.refresh_trade)(now)
        self.pipeline.evaluate(now)
        self.pipeline.deliver(now)

    def evaluate(self) -> None:
        now = self.clock()
        self.pipeline.evaluate(now)
        self.pipeline.deliver(now)

    def deliver(self) -> None:
        self.pipeline.deliver(self.clock())

    def digest(self) -> None:
        from bot.digest.send import send_weekly_digest  # matplotlib loads only when needed

        email = self.config.email
        if email is None or self.pipeline.email is None:
            return
        # A failure is retried by digest_if_owed (the store says the week is still owed).
        now = self.clock()
        policies, parts = self.pipeline.reference(now)
        send_weekly_digest(self.store, self.pipeline.email, email, now=now, tz=self.config.tz,
                           policies=policies, parts=parts)

    def digest_if_owed(self) -> None:
        """At start and every DIGEST_RETRY: send this week's digest if its time has passed
        and it was not sent (a late start, a failed attempt, a restart in between)."""
        from bot.digest.owed import digest_owed

        email = self.config.email
        if email is None or email.digest is None:
            return
        if digest_owed(self.store, email.digest.schedule, self.clock(), self.config.tz):
            self.digest()

    def prune(self) -> None:
        from bot.store.retention import prune

        prune(self.store, self.config.retention.entries, self.clock())

    def add_jobs(self) -> None:
        now = self.clock()
        add = self.scheduler.add_job
        for feed in self.pipeline.feeds:
            add(self._guard(f"feed:{feed.name}", lambda f=feed: self.poll_feed(f)),  # type: ignore[misc]
                IntervalTrigger(seconds=feed.every.total_seconds(), jitter=_jitter(feed.every)),
                id=f"feed:{feed.name}", name=f"poll feed {feed.name}", next_run_time=now)
        for which, section in (("licences", self.config.licences), ("trade", self.config.trade)):
            if section is not None:
                add(self._guard(which, lambda w=which: self.refresh(w)),  # type: ignore[misc]
                    IntervalTrigger(seconds=section.every.total_seconds(),
                                    jitter=_jitter(section.every)),
                    id=which, name=f"refresh {which}", next_run_time=now)
        add(self._guard("evaluate", self.evaluate),
            IntervalTrigger(seconds=EVALUATE_EVERY.total_seconds()), id="evaluate",
            name="evaluate rules")
        add(self._guard("deliver", self.deliver),
            IntervalTrigger(seconds=DELIVERY_EVERY.total_seconds()), id="deliver",
            name="deliver outbox", next_run_time=now)  # a restart resumes delivery at once
        add(self._guard("prune", self.prune), IntervalTrigger(days=1), id="prune",
            name="prune old entries")
        email = self.config.email
        if email is not None and email.digest is not None:
            schedule = email.digest.schedule
            add(self._guard("digest", self.digest),
                CronTrigger(day_of_week=schedule.days, hour=schedule.at.hour,
                            minute=schedule.at.minute, timezone=self.config.tz),
                id="digest", name="weekly digest")
            add(self._guard("digest-owed", self.digest_if_owed),
                IntervalTrigger(seconds=DIGEST_RETRY.total_seconds()), id="digest-owed",
                name="send an owed weekly digest", next_run_time=now)

    # -- health ---------------------------------------------------------------------------------
    def poll_interval(self) -> timedelta | None:
        feeds = self.pipeline.feeds
        return min(f.every for f in feeds) if feeds else None

    def health(self) -> tuple[bool, dict[str, Any]]:
        now = self.clock()
        running = self.scheduler.running and not self.stopping.is_set()
        store_ok = self.store.ping()
        since = self.last_poll or self.started
        age = (now - since).total_seconds()
        interval = self.poll_interval()
        polls_ok = interval is None or age <= 3 * interval.total_seconds()
        details = {
            "scheduler": "running" if running else "stopped",
            "store": "ok" if store_ok else "unreachable",
            "last_poll": self.last_poll.isoformat() if self.last_poll else None,
            "last_poll_age_s": round(age, 1),
        }
        return running and store_ok and polls_ok, details

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        from bot.slack_app.server import HttpServer, health_only, serve_http, serve_socket_mode

        host, port = self.config.server.host, self.config.server.port
        if self.secrets.slack_bot_token is None:
            log.warning("SLACK_BOT_TOKEN is not set: alerts go to the console and the Slack app "
                        "is off; /healthz still answers on port %s", port)
            self._servers.append(HttpServer(health_only(self.health), host, port, 4,
                                            serves=HEALTH_ONLY).start())
        else:
            from bot.slack_app.app import build_app

            app = build_app(self.store, self.config, self.secrets,
                            reference=self.pipeline.reference)
            app_token = self.secrets.slack_app_token
            if app_token is not None:
                self._servers.append(serve_socket_mode(app, app_token.get_secret_value()))
                self._servers.append(HttpServer(health_only(self.health), host, port, 4,
                                                serves=HEALTH_ONLY).start())
            else:
                self._servers.append(serve_http(app, host, port, self.health))
        self.add_jobs()
        self.scheduler.start()
        log.info("chokepoint running", extra={"fields": {
            "feeds": len(self.pipeline.feeds), "port": self.port}})

    @property
    def port(self) -> int | None:
        for server in self._servers:
            if getattr(server, "port", None):
                return int(server.port)
        return None

    def stop(self) -> None:
        """Stop taking work, let the running job finish briefly, close everything.

        Anything not finished is safe: entries are marked evaluated only after their alerts
        are committed, and undelivered alerts wait in the outbox for the next start.
        """
        self.stopping.set()
        self.pipeline.worker.stop_requested.set()
        if self.scheduler.running:
            # Let the job in flight finish its current message, within the stop budget.
            waiter = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True},
                                      daemon=True)
            waiter.start()
            waiter.join(STOP_WITHIN - 2)
        try:
            with self.store.session() as s:
                released = release_claims(s, self.pipeline.worker.worker_id, self.clock())
            if released:
                log.info("handed %d unsent deliveries back to the outbox", released)
        except Exception:
            log.exception("could not release claimed deliveries; they are due again after the lease")
        for server in reversed(self._servers):
            try:
                server.stop()
            except Exception:
                log.exception("could not stop a server cleanly")
        closer = threading.Thread(target=self._close, daemon=True)
        closer.start()
        closer.join(STOP_WITHIN)
        if closer.is_alive():
            log.warning("a job was still running at shutdown; its work is left in the store")

    def _close(self) -> None:
        self.pipeline.close()
        self.store.dispose()


def run_service(config: Config) -> int:
    """`chokepoint run` until SIGTERM or SIGINT; exits 0 after a clean stop."""
    service = Service(config)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    from bot.slack_app.app import SlackAppError

    try:
        service.start()
    except SlackAppError as exc:  # a missing secret or a taken port: say which, exit 2
        print(f"chokepoint run: {exc}", file=sys.stderr)
        service.stop()
        return 2
    try:
        while not stop.wait(1.0):
            pass
    finally:
        service.stop()
        log.info("stopped")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Worker threads blocked on a slow feed must not hold the exit past the stop budget.
    os._exit(0)
