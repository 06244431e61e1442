"""Publishing: which deliveries are due, and sending each exactly once.

``plan`` is pure (posts, config, a time): it says what is due, what is too late
(missed) and what may not go out (check errors, no approval, a disabled network).
``Publisher`` claims due deliveries in the ledger, sends them in parallel through the
network adapters, and records every outcome. The same code serves `publish` (cron) and
the daemon's ticks.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hospipost.posts import Post
from hospipost.recurrence import Occurrence, occurrences

if TYPE_CHECKING:
    from hospipost.compliance import Report
    from hospipost.config import Config
    from hospipost.credentials import Credentials
    from hospipost.ledger import Delivery, DueDelivery, Ledger
    from hospipost.networks.base import Network, Rendering

MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(minutes=15)
LOOKBACK = timedelta(days=1)  # how far past the late window a run still looks, to record misses


@dataclass(frozen=True)
class Due:
    """One occurrence of a post for one network, with what `check` said of the post."""

    occurrence: Occurrence
    network: str
    checks: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def post(self) -> Post:
        return self.occurrence.post

    def as_due_delivery(self) -> "DueDelivery":
        from hospipost.ledger import DueDelivery

        return DueDelivery(self.post.id, self.post.queue, self.network, self.occurrence.key, self.occurrence.at)

    @property
    def id(self) -> str:
        from hospipost.ledger import delivery_id

        return delivery_id(self.post.id, self.network, self.occurrence.key)


@dataclass
class Plan:
    due: list[Due] = field(default_factory=list)
    missed: list[tuple[Due, str]] = field(default_factory=list)
    blocked: list[tuple[Post, str]] = field(default_factory=list)

    def extend(self, other: "Plan") -> None:
        self.due.extend(other.due)
        self.missed.extend(other.missed)
        self.blocked.extend(other.blocked)


def candidates(posts: Iterable[Post], config: "Config", now: datetime) -> list[Occurrence]:
    """Occurrences whose time has come and that are recent enough to matter (no ledger needed)."""
    horizon = now - config.late_window - LOOKBACK
    chosen = []
    for post in posts:
        if post.draft:
            continue
        start = horizon
        if post.kind == "alert" and post.valid_until and post.at and post.at < horizon <= post.valid_until:
            start = post.at  # an alert stays publishable until it expires
        chosen.extend(occurrences(post, start, now, config.timezone_name))
    return chosen


def upcoming(posts: Iterable[Post], config: "Config", now: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences after now and up to ``until``, in time order (for a preview)."""
    after = now + timedelta(microseconds=1)
    chosen = [o for post in posts if not post.draft for o in occurrences(post, after, until, config.timezone_name)]
    return sorted(chosen, key=lambda occurrence: occurrence.at)


def plan(due: list[Occurrence], config: "Config", now: datetime, network: str | None = None,
         check_lateness: bool = True) -> Plan:
    """Check the posts of the due occurrences, and split them into deliveries to send,
    misses and blocked posts."""
    from hospipost.compliance import run_checks

    report = run_checks(list({o.post.id: o.post for o in due}.values()), config, now)
    result = Plan()
    blocked: set[str] = set()
    for occurrence in due:
        post = occurrence.post
        networks = [n for n in post.networks if network is None or n == network]
        if not networks:
            continue
        late = lateness(occurrence, config, now) if check_lateness else None
        if late:
            result.missed.extend((Due(occurrence, n), late) for n in networks)
            continue
        enabled = [name for name in networks if name in config.networks and config.networks[name].enabled]
        result.blocked.extend((post, f"network {name} is not enabled in config.yaml") for name in networks if name not in enabled)
        reason = blocking_reason(post, report)
        if reason:
            if post.id not in blocked:
                blocked.add(post.id)
                result.blocked.append((post, reason))
            continue
        checks = check_summary(post, report)
        result.due.extend(Due(occurrence, name, checks) for name in enabled)
    return result


def lateness(occurrence: Occurrence, config: "Config", now: datetime) -> str | None:
    """Why a due occurrence is too late to publish automatically, or None."""
    post = occurrence.post
    if post.kind == "alert" and post.valid_until is not None:
        if now > post.valid_until:
            return f"the alert expired at {post.valid_until.astimezone(config.timezone):%Y-%m-%d %H:%M} (valid_until)"
        return None
    if now - occurrence.at > config.late_window:
        hours = config.late_window.total_seconds() / 3600
        return f"more than {hours:g} h late (late_window); publish it by hand or give it a new time"
    return None


def blocking_reason(post: Post, report: "Report") -> str | None:
    errors = sorted({f.rule for f in report.for_post(post.id) if f.ignored is None and f.severity.name == "ERROR"})
    if errors:
        return f"check errors ({', '.join(errors)}): run `hospipost check`"
    return None


def check_summary(post: Post, report: "Report") -> dict[str, Any]:
    """What the ledger keeps of the checks at send time: warnings and justified exceptions."""
    findings = report.for_post(post.id)
    return {
        "warnings": sorted({f.rule for f in findings if f.ignored is None}),
        "ignored": [{"rule": f.rule, "reason": f.ignored} for f in findings if f.ignored is not None],
    }



def content_hash(rendering: "Rendering") -> str:
    """A hash of exactly what a network receives: texts, media bytes and alt texts."""
    digest = hashlib.sha256()
    digest.update(json.dumps(rendering.parts, ensure_ascii=False).encode())
    for item in rendering.media:
        digest.update(json.dumps([item.file, item.alt]).encode())
        try:
            digest.update(hashlib.sha256(item.path.read_bytes()).digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


@dataclass
class Outcome:
    """What happened to one delivery in this run."""

    post_id: str
    network: str
    state: str  # sent, retry, failed, unknown, missed, blocked
    url: str | None = None
    message: str | None = None
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.state in ("sent", "retry", "skipped")


AdapterFactory = Callable[[str], "Network"]


def adapter_factory(config: "Config", credentials: "Credentials") -> AdapterFactory:
    from hospipost.networks import network_class

    def make(name: str) -> "Network":
        return network_class(name)(config.networks[name], credentials, config.cache_dir)

    return make


HEARTBEAT_TIMEOUT = timedelta(seconds=60)


def owner_alive_check(ledger: "Ledger", now: datetime) -> Callable[[str], bool]:
    """Whether the owner of a claim still runs: a process on this host is asked directly;
    a daemon elsewhere is judged by its heartbeat; anything else keeps its lease."""
    beats = {daemon["name"]: daemon for daemon in ledger.daemon_list()}

    def alive(owner: str) -> bool:
        host, _, pid = owner.rpartition(":")
        if host == socket.gethostname() and pid.isdigit():
            return _process_exists(int(pid))
        daemon = beats.get(owner)
        if daemon is None:
            return True
        return daemon["stopped_at"] is None and now - daemon["last_seen"] < HEARTBEAT_TIMEOUT

    return alive


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Publisher:
    """Sends due deliveries once, in parallel, recording each outcome in the ledger."""

    def __init__(
        self,
        ledger: "Ledger",
        adapters: AdapterFactory,
        clock: Callable[[], datetime],
        secrets: Callable[[], Iterable[str]] = lambda: (),
        concurrency: int = 8,
    ) -> None:
        self.ledger = ledger
        self.adapters = adapters
        self.clock = clock
        self.secrets = secrets
        self.concurrency = concurrency

    def run(self, work: Plan) -> list[Outcome]:
        now = self.clock()
        self.ledger.recover(now, owner_alive_check(self.ledger, now))
        outcomes = [Outcome(post.id, "-", "blocked", message=reason) for post, reason in work.blocked]
        for due, reason in work.missed:
            if self.ledger.record_missed(due.as_due_delivery(), now, reason):
                outcomes.append(Outcome(due.post.id, due.network, "missed", message=reason))
        dues = {due.id: due for due in work.due}
        self.ledger.ensure([due.as_due_delivery() for due in work.due], now)
        claimed = self.ledger.claim(list(dues), now, LEASE)
        if claimed:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(claimed))) as pool:
                outcomes.extend(pool.map(lambda item: self.deliver(item, dues[item.id]), claimed))
        self.ledger.record_run(self.clock(), Counter(outcome.state for outcome in outcomes))
        return outcomes

    def deliver(self, item: "Delivery", due: Due) -> Outcome:
        """Send one claimed delivery and record what happened; never raises."""
        from hospipost.credentials import CredentialsError, redact
        from hospipost.networks import network_class
        from hospipost.networks.base import PermanentError, TransientError, UnknownOutcome

        rendering = network_class(item.network).render(due.post)
        last = len(rendering.parts) - 1

        def part_sent(index: int, remote_id: str) -> None:
            if index < last:  # the last part is recorded with the delivery itself
                self.ledger.record_part(item, index, remote_id, self.clock())

        try:
            adapter = self.adapters(item.network)
            if not self.ledger.request_started(item, self.clock()):
                return Outcome(item.post_id, item.network, "skipped", message="claim taken over by another publisher")
            sent = adapter.publish(rendering, item.id, list(item.parts), part_sent)
        except (CredentialsError, PermanentError) as error:
            return self._failed(item, redact(str(error), set(self.secrets())))
        except TransientError as error:
            return self._retry(item, redact(str(error), set(self.secrets())), error.retry_at)
        except UnknownOutcome as error:
            message = redact(str(error), set(self.secrets()))
            self.ledger.mark_unknown(item, self.clock(), message)
            return Outcome(item.post_id, item.network, "unknown", message=message)
        except Exception as error:  # a bug must not lose the delivery: the request may have left
            message = redact(f"internal error ({type(error).__name__}: {error}); check the network, then `hospipost reconcile`", set(self.secrets()))
            self.ledger.mark_unknown(item, self.clock(), message)
            return Outcome(item.post_id, item.network, "unknown", message=message)
        self.ledger.mark_sent(item, self.clock(), sent.remote_id, sent.url, content_hash(rendering), due.checks)
        return Outcome(item.post_id, item.network, "sent", url=sent.url)

    def _failed(self, item: "Delivery", message: str) -> Outcome:
        self.ledger.mark_failed(item, self.clock(), message)
        return Outcome(item.post_id, item.network, "failed", message=message)

    def _retry(self, item: "Delivery", message: str, retry_at: datetime | None) -> Outcome:
        now = self.clock()
        if item.attempts >= MAX_ATTEMPTS:
            return self._failed(item, f"gave up after {item.attempts} attempts: {message}")
        backoff = min(timedelta(minutes=2 ** (item.attempts - 1)), BACKOFF_CAP)
        when = max(now + backoff, retry_at or now)
        self.ledger.mark_retry(item, now, message, when)
        return Outcome(item.post_id, item.network, "retry", message=message, retry_at=when)


def describe_payloads(due: Due, adapter: "Network") -> dict[str, Any]:
    """What --dry-run shows for one delivery: the payload and each part's length."""
    from hospipost.networks import network_class

    cls = network_class(due.network)
    rendering = cls.render(due.post)
    limits = cls.effective_limits(adapter.settings, adapter.cache_dir)
    return {
        "post": due.post.id,
        "network": due.network,
        "at": due.occurrence.at.isoformat(),
        "parts": [
            {"text": part, "length": limits.count(part), "limit": limits.max_length, "unit": limits.length_unit}
            for part in rendering.parts
        ],
        "media": [
            {"file": item.file, "alt": item.alt, "bytes": item.path.stat().st_size if item.path.exists() else None}
            for item in rendering.media
        ],
        "requests": adapter.payload(rendering, due.id),
    }
