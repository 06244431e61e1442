"""`hospipost daemon`: publish each delivery at its time, pick up edits, run as a service.

APScheduler 3.11 only wakes the daemon up; the ledger decides what is sent. A
BlockingScheduler in UTC with an in-memory job store runs:

- one job at each upcoming occurrence's exact time (within a 24 h horizon, recomputed on
  every change), so a post goes out within a second of its time;
- a sweep every 30 s that publishes whatever is due, so a missed job, an edit or another
  daemon never causes a lost post (and claims in the ledger mean never a double one);
- a reload every 2 s that looks at the mtimes of config.yaml and posts/*.yaml: new,
  moved, edited and removed posts take effect at once; a broken file is reported (log,
  heartbeat, `hospipost status`) while the last good version of that queue keeps running;
- a heartbeat every 10 s in the ledger, so `hospipost status` shows which daemons live.

Jobs never misfire silently (``misfire_grace_time=None``): a job that runs late still
runs, and the sweep catches anything else. SIGTERM or SIGINT stops new claims, lets
in-flight deliveries finish, records the stop, and exits 0. Publishing goes through the
same code as `hospipost publish`; several daemons may share one PostgreSQL ledger.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.config import Config, load_config
from hospipost.errors import InputError
from hospipost.posts import Post, Queue, load_queue, queue_files
from hospipost.publisher import Outcome, Result
from hospipost.recurrence import next_occurrences, occurrences
from hospipost.timeutil import utcnow

if TYPE_CHECKING:
    from hospipost.ledger import Ledger
    from hospipost.metrics import FetchResult
    from hospipost.publisher import AdapterFactory

log = logging.getLogger("hospipost.daemon")
HORIZON = timedelta(hours=24)
EXACT_JOB = "at:"
STATS_CHECK_MINUTES = 15  # how often a daemon asks whether it is its turn to fetch metrics (stats.every)
KEPT_REPORTED = 200  # deliveries of broken files' last good versions a heartbeat reports, soonest first


class Daemon:
    """The daemon's state (config, last good queues, problems) and what each job does.

    The methods are plain and take the time from ``clock``, so tests drive them without
    a scheduler and without waiting; ``run`` wires them to APScheduler.
    """

    def __init__(
        self,
        config_path: Path,
        clock: Callable[[], datetime] = utcnow,
        adapters: AdapterFactory | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        from hospipost.credentials import Credentials
        from hospipost.ledger import Ledger

        self.config_path = config_path
        self.clock = clock
        self.config: Config = load_config(config_path)
        self.credentials = Credentials()
        self.injected_adapters = adapters  # tests; otherwise built from the current config
        self.ledger = ledger or Ledger.open_for_publishing(self.config)
        self.started_at = clock()
        self.stopping = threading.Event()
        self.queues: dict[Path, Queue] = {}
        self.problems: dict[Path, str] = {}
        self.mtimes: dict[Path, int | None] = {config_path: self._mtime(config_path)}
        self.reload()

    # -- what the jobs do -----------------------------------------------------------

    def posts(self) -> list[Post]:
        return [post for queue in self.queues.values() for post in queue.posts]

    def sweep(self) -> list[Outcome]:
        """Publish everything due now: the same run as `hospipost publish`."""
        from hospipost.credentials import CredentialsError
        from hospipost.publisher import run

        if self.stopping.is_set():
            return []
        try:
            result = run(
                self.config,
                self.posts(),
                lambda: self.ledger,
                self.clock,
                adapters=self.injected_adapters,
                credentials=self.credentials,
            )
        except CredentialsError as error:  # nothing was claimed: the next sweep tries again
            self._problem(self.config_path, str(error))
            return []
        for outcome in result.outcomes:
            log_outcome(outcome)
        if result.ledger_error:
            log.error("%s", result.ledger_error)
        return result.outcomes

    def fetch_stats(self) -> FetchResult | None:
        """Read the published posts' figures when ``stats.every`` has passed since any daemon sharing this
        ledger last did (`hospipost stats fetch`); None when it was not this daemon's turn."""
        from hospipost.errors import HospipostError
        from hospipost.metrics import fetch

        if self.stopping.is_set():
            return None
        try:
            if not self.ledger.claim_stats_fetch(self.clock(), self.config.stats.every):
                return None
            result = fetch(
                self.config, self.ledger, self.clock(), credentials=self.credentials, adapters=self.injected_adapters
            )
        except HospipostError as error:  # the ledger is unreachable: the next check tries again
            log.error("stats fetch: %s", error)
            return None
        for reading in result.readings:
            if reading.problem:
                log.warning("stats fetch: %s", reading.problem)
            elif reading.asked and not reading.skipped:
                log.info("stats fetch: %d posts read from %s", reading.read, reading.network)
        return result

    def reload(self) -> bool:
        """Pick up edits to config.yaml and posts/; True when something changed."""
        changed = self._reload_config()
        try:
            files = queue_files(self.config)
        except InputError as error:
            self._problem(self.config.resolve(self.config.posts_dir), error.format_message())
            return changed
        folder = self.config.resolve(self.config.posts_dir)
        known = set(self.queues) | {path for path in self.problems if path.parent == folder}
        for path in known - set(files):
            changed |= self._forget(path)
        for path in files:
            changed |= self._reload_queue(path)
        return changed

    def heartbeat(self, stopped: bool = False) -> None:
        now = self.clock()
        kept = [] if stopped else self.kept_running(now)
        self.ledger.heartbeat(now, self.started_at, sorted(self.problems.values()), stopped, kept)

    def kept_running(self, now: datetime) -> list[dict[str, str]]:
        """The next delivery of each post of a broken queue file that still runs from its last
        good version, for `hospipost status` (which cannot read that file): file, post, network, when."""
        folder = self.config.resolve(self.config.posts_dir)
        kept = []
        for path in sorted(set(self.problems) & set(self.queues)):
            for post in self.queues[path].posts:
                for occurrence in [] if post.draft else next_occurrences(post, now, self.config.timezone_name, 1):
                    file = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name
                    kept += [
                        {"file": file, "post": post.id, "network": network, "due_at": occurrence.at.isoformat()}
                        for network in post.networks
                    ]
        return sorted(kept, key=lambda entry: entry["due_at"])[:KEPT_REPORTED]

    def exact_times(self, now: datetime) -> list[datetime]:
        """The distinct instants of upcoming occurrences within the horizon."""
        zone = self.config.timezone_name
        times = {o.at for post in self.posts() if not post.draft for o in occurrences(post, now, now + HORIZON, zone)}
        return sorted(time for time in times if time > now)

    # -- reloading ------------------------------------------------------------------

    @staticmethod
    def _mtime(path: Path) -> int | None:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def _reload_config(self) -> bool:
        mtime = self._mtime(self.config_path)
        if mtime is None or self.mtimes.get(self.config_path) == mtime:
            return False
        self.mtimes[self.config_path] = mtime
        try:
            config = load_config(self.config_path)
        except InputError as error:
            self._problem(self.config_path, error.format_message() + " (the previous config keeps running)")
            return False
        self.problems.pop(self.config_path, None)
        self.config = config
        self.mtimes = {self.config_path: mtime}  # queues may resolve differently: reload them all
        log.info("config.yaml reloaded")
        return True

    def _reload_queue(self, path: Path) -> bool:
        mtime = self._mtime(path)
        if mtime is None or self.mtimes.get(path) == mtime:
            return False
        self.mtimes[path] = mtime
        try:
            queue = load_queue(path, self.config)
            self._check_unique_ids(queue)
        except InputError as error:
            kept = " (the last good version keeps running)" if path in self.queues else ""
            self._problem(path, error.format_message() + kept)
            return False
        if self.problems.pop(path, None):
            log.info("%s is readable again", path)
        self.queues[path] = queue
        log.info("loaded %s: %d posts", path.name, len(queue.posts))
        return True

    def _check_unique_ids(self, queue: Queue) -> None:
        others = {post.id: other for other in self.queues.values() if other.path != queue.path for post in other.posts}
        for post in queue.posts:
            if post.id in others:
                raise InputError(
                    post.file, post.line, f"duplicate post id {post.id!r} (also in {others[post.id].path.name})"
                )

    def _forget(self, path: Path) -> bool:
        self.mtimes.pop(path, None)
        self.problems.pop(path, None)
        if self.queues.pop(path, None) is None:
            return False
        log.info("%s removed: its posts are no longer scheduled", path.name)
        return True

    def _problem(self, path: Path, message: str) -> None:
        if self.problems.get(path) != message:
            log.error("%s", message)
        self.problems[path] = message

    # -- the scheduler ---------------------------------------------------------------

    def run(self) -> None:
        """Run until SIGTERM or SIGINT (blocking)."""
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = BlockingScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        settings = self.config.daemon
        scheduler.add_job(
            self.sweep, "interval", seconds=settings.sweep_seconds, id="sweep", next_run_time=self.clock()
        )
        scheduler.add_job(
            lambda: self._reload_and_reschedule(scheduler), "interval", seconds=settings.reload_seconds, id="reload"
        )
        scheduler.add_job(
            self.heartbeat, "interval", seconds=settings.heartbeat_seconds, id="heartbeat", next_run_time=self.clock()
        )
        scheduler.add_job(lambda: self._reschedule(scheduler), "interval", hours=1, id="horizon")
        scheduler.add_job(self.fetch_stats, "interval", minutes=STATS_CHECK_MINUTES, id="stats")
        self._reschedule(scheduler)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop(scheduler))
        log.info(
            "daemon started: %d posts in %d queues, ledger %s",
            len(self.posts()),
            len(self.queues),
            _redacted(self.config.state_url),
        )
        try:
            scheduler.start()
        finally:
            self.heartbeat(stopped=True)
            self.ledger.close()
            log.info("daemon stopped")

    def stop(self, scheduler: Any) -> None:
        """No new claims; in-flight deliveries finish; then the scheduler stops."""
        if self.stopping.is_set():
            return
        log.info("stopping: no new deliveries; waiting for those in flight")
        self.stopping.set()
        threading.Thread(target=lambda: scheduler.shutdown(wait=True), daemon=True).start()

    def _reload_and_reschedule(self, scheduler: Any) -> None:
        if self.reload():
            self._reschedule(scheduler)

    def _reschedule(self, scheduler: Any) -> None:
        for job in scheduler.get_jobs():
            if job.id.startswith(EXACT_JOB):
                job.remove()
        for moment in self.exact_times(self.clock()):
            scheduler.add_job(self.sweep, "date", run_date=moment, id=f"{EXACT_JOB}{moment.isoformat()}")


def log_outcome(outcome: Outcome) -> None:
    level = logging.INFO if outcome.state in (Result.SENT, Result.SKIPPED) else logging.WARNING
    if outcome.state in (Result.FAILED, Result.UNKNOWN, Result.MISSED, Result.BLOCKED):
        level = logging.ERROR
    detail = outcome.url if outcome.state == Result.SENT else outcome.message
    log.log(
        level,
        "%s %s → %s %s",
        outcome.state,
        outcome.post_id,
        outcome.network,
        detail or "",
        extra={
            "post": outcome.post_id,
            "network": outcome.network,
            "outcome": outcome.state,
            "url": outcome.url,
            "error": outcome.message if outcome.state != Result.SENT else None,
        },
    )


def _redacted(url: str) -> str:
    from hospipost.ledger import redact_url

    return redact_url(url)


class LocalTimeFormatter(logging.Formatter):
    """Readable lines stamped in the config's timezone, like every other output."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).isoformat(sep=" ", timespec="seconds")


class JsonFormatter(LocalTimeFormatter):
    """One JSON object per line: time (config's timezone, with its offset), level, message,
    and the delivery's fields."""

    FIELDS = ("post", "network", "outcome", "url", "error")

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            **{name: getattr(record, name) for name in self.FIELDS if getattr(record, name, None) is not None},
        }
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str, level: str = "INFO", zone: tzinfo = UTC) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(zone) if log_format == "json" else LocalTimeFormatter(zone))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
