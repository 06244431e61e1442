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
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hospipost.networks import network_label
from hospipost.posts import Media, Post
from hospipost.recurrence import Occurrence, occurrences

if TYPE_CHECKING:
    from pathlib import Path

    from hospipost.compliance import Finding
    from hospipost.config import Config
    from hospipost.credentials import Credentials
    from hospipost.ledger import Delivery, DueDelivery, Ledger, Pause, Retraction
    from hospipost.networks.base import Limits, Network, Rendering

MAX_ATTEMPTS = 8
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

    def as_due_delivery(self) -> DueDelivery:
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

    def extend(self, other: Plan) -> None:
        self.due.extend(other.due)
        self.missed.extend(other.missed)
        self.blocked.extend(other.blocked)


def candidates(posts: Iterable[Post], config: Config, now: datetime) -> list[Occurrence]:
    """Occurrences whose time has come and that are recent enough to matter (no ledger needed)."""
    horizon = now - config.late_window - LOOKBACK
    chosen: list[Occurrence] = []
    for post in posts:
        if post.draft:
            continue
        start = horizon
        if post.kind == "alert" and post.valid_until and post.at and post.at < horizon <= post.valid_until:
            start = post.at  # an alert stays publishable until it expires
        chosen.extend(occurrences(post, start, now, config.timezone_name))
    return chosen


def upcoming(posts: Iterable[Post], config: Config, now: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences after now and up to ``until``, in time order (for a preview)."""
    after = now + timedelta(microseconds=1)
    chosen = [o for post in posts if not post.draft for o in occurrences(post, after, until, config.timezone_name)]
    return sorted(chosen, key=lambda occurrence: occurrence.at)


def plan(
    due: list[Occurrence],
    config: Config,
    now: datetime,
    network: str | None = None,
    check_lateness: bool = True,
    published: Callable[[Post], bool] | None = None,
) -> Plan:
    """Check the posts of the due occurrences, and split them into deliveries to send,
    misses and blocked posts. ``published`` tells the checks what the ledger sent."""
    from hospipost.approval import at_send_time
    from hospipost.compliance import run_checks

    posts = list({o.post.id: o.post for o in due}.values())
    report = run_checks(posts, config, now, published)
    findings: dict[str, list[Finding]] = {post.id: [] for post in posts}
    for finding in report.findings:
        findings[finding.post.id].append(finding)
    verdicts = {post.id: verdict(post, findings[post.id], config) for post in posts}
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
        reason, checks = verdicts[post.id]
        if reason:
            if post.id not in blocked:
                blocked.add(post.id)
                result.blocked.append((post, reason))
            continue
        if "approvals" not in checks:  # once per post: who wrote and approved what goes out (the archive's)
            checks.update(at_send_time(post, config))
        result.due.extend(Due(occurrence, name, checks) for name in networks)
    return result


def lateness(occurrence: Occurrence, config: Config, now: datetime) -> str | None:
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


def verdict(post: Post, findings: list[Finding], config: Config) -> tuple[str | None, dict[str, Any]]:
    """Why the post may not go out (None: it may), and what the ledger keeps of its checks
    at send time: warnings and justified exceptions."""
    from hospipost.rules.contracts import Severity

    errors = sorted({f.rule for f in findings if f.ignored is None and f.severity is Severity.ERROR})
    disabled = [name for name in post.networks if not (name in config.networks and config.networks[name].enabled)]
    reason = None
    if disabled:  # said first: it is also the check error network-enabled
        reason = f"network {', '.join(disabled)} is not enabled in config.yaml"
    elif errors:
        reason = f"check errors ({', '.join(errors)}): run `hospipost check`"
    checks = {
        "warnings": sorted({f.rule for f in findings if f.ignored is None}),
        "ignored": [{"rule": f.rule, "reason": f.ignored} for f in findings if f.ignored is not None],
    }
    return reason, checks


def content_hash(rendering: Rendering) -> str:
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


def sent_content(rendering: Rendering) -> dict[str, Any]:
    """What the ledger keeps of what a network received (the `sent` event), for the public archive:
    the texts, their language, and each media file's name, alt text, sha256 and size (never its bytes), with
    its captions file's where it has one."""
    from hospipost.approval import file_digest  # read in chunks, once per file version

    def described(file: str, path: Path) -> dict[str, Any]:
        sha256 = file_digest(path)
        try:
            size: int | None = path.stat().st_size if sha256 else None
        except OSError:
            size = None
        return {"file": file, "sha256": sha256, "bytes": size}

    media = []
    for item in rendering.media:
        entry = {**described(item.file, item.path), "alt": item.alt}
        if item.captions and item.captions_path:
            entry["captions"] = described(item.captions, item.captions_path)
        media.append(entry)
    return {"language": rendering.language, "parts": list(rendering.parts), "media": media}


class Result(StrEnum):
    """What a run did with one delivery (the ledger keeps its own states: see ledger)."""

    SENT = "sent"
    RETRY = "retry"  # a transient failure: tried again later
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may have left: a human reconciles
    MISSED = "missed"  # too late to go out automatically
    BLOCKED = "blocked"  # check errors, no approval, a network not enabled
    SKIPPED = "skipped"  # another publisher took the claim over
    PAUSED = "paused"  # held by `hospipost pause`: it goes out after `resume`, if not too late by then
    RETRACTED = "retracted"  # deleted from the network (`hospipost retract`)


@dataclass
class Outcome:
    """What happened to one delivery in this run."""

    post_id: str
    network: str
    state: Result
    url: str | None = None
    message: str | None = None
    retry_at: datetime | None = None
    remote_id: str | None = field(default=None, compare=False)
    ledger_error: str | None = field(default=None, compare=False)  # the ledger could not record it
    action: str = "publish"  # or "retract": the deletion of a published post
    parts: list[str] | None = field(default=None, compare=False)  # sent: the network's id of every part

    @property
    def ok(self) -> bool:
        fine = (Result.SENT, Result.RETRY, Result.SKIPPED, Result.PAUSED, Result.RETRACTED)
        return self.state in fine and self.ledger_error is None


AdapterFactory = Callable[[str], "Network"]


def adapter_factory(config: Config, credentials: Credentials) -> AdapterFactory:
    from hospipost.networks import network_class

    def make(name: str) -> Network:
        return network_class(name)(config.networks[name], credentials, config.cache_dir)

    return make


class Publisher:
    """Sends due deliveries once, in parallel, recording each outcome in the ledger."""

    def __init__(
        self,
        ledger: Ledger,
        adapters: AdapterFactory,
        clock: Callable[[], datetime],
        secrets: Callable[[], Iterable[str]] = lambda: (),
        concurrency: int = 8,
        zone: tzinfo = UTC,
    ) -> None:
        self.zone = zone  # where times in messages are told
        self.ledger = ledger
        self.adapters = adapters
        self.clock = clock
        self.secrets = secrets
        self.concurrency = concurrency

    def send(self, work: Plan, retract_post: str | None = None) -> RunResult:
        """Record misses, claim what is due and send it, then carry out the retractions that are
        due (only those of ``retract_post``, when given); a ledger that fails mid-run stops the
        claims, and every delivery already under way is still reported."""
        from hospipost.ledger import LedgerError, owner_alive_check

        result = RunResult()
        try:
            work = without_retracted(work, self.ledger.retracted_posts())
            result.outcomes = [Outcome(post.id, "-", Result.BLOCKED, message=reason) for post, reason in work.blocked]
            now = self.clock()
            alive = owner_alive_check(self.ledger.daemon_list(), now)
            self.ledger.recover(now, alive)
            for due, reason in work.missed:
                if self.ledger.record_missed(due.as_due_delivery(), now, reason):
                    result.outcomes.append(Outcome(due.post.id, due.network, Result.MISSED, message=reason))
            dues = {due.id: due for due in work.due}
            self.ledger.ensure([due.as_due_delivery() for due in work.due], now)
            result.outcomes.extend(self._held(work, now))
            alerts = frozenset(due.id for due in work.due if due.post.kind == "alert")
            claimed = self.ledger.claim(list(dues), now, LEASE, alerts)
            if claimed:
                with ThreadPoolExecutor(max_workers=min(self.concurrency, len(claimed))) as pool:
                    result.outcomes.extend(pool.map(lambda item: self.deliver(item, dues[item.id]), claimed))
            if self.ledger.retractions_to_do():
                retracting = self.ledger.claim_retractions(self.clock(), LEASE, alive, retract_post)
                if retracting:
                    with ThreadPoolExecutor(max_workers=min(self.concurrency, len(retracting))) as pool:
                        result.outcomes.extend(pool.map(self.retract, retracting))
            self.ledger.record_run(self.clock(), Counter(outcome.state for outcome in result.outcomes))
        except LedgerError as error:
            result.ledger_error = str(error)
        for outcome in result.outcomes:
            if outcome.ledger_error and result.ledger_error is None:
                result.ledger_error = outcome.ledger_error
        return result

    def _held(self, work: Plan, now: datetime) -> list[Outcome]:
        """The due deliveries a pause holds (the claim, in its own transaction, holds them too)."""
        pause = self.ledger.pause_in_force(now)
        if pause is None:
            return []
        pending = {item.id for item in self.ledger.all(states=["pending"])}
        return [
            Outcome(due.post.id, due.network, Result.PAUSED, message=paused_message(pause, self.zone))
            for due in work.due
            if due.id in pending and pause.holds(alert=due.post.kind == "alert")
        ]

    def deliver(self, item: Delivery, due: Due) -> Outcome:
        """Send one claimed delivery and record what happened; never raises.

        When the ledger cannot be written, the outcome says so: a delivery whose request
        left stays `sending` in the ledger, and the next run turns it `unknown`.
        """
        from hospipost.ledger import LedgerError

        rendering = _rendering(item.network, due.post)
        try:
            if not self.ledger.request_started(item, self.clock()):
                return Outcome(
                    item.post_id, item.network, Result.SKIPPED, message="claim taken over by another publisher"
                )
        except LedgerError as error:
            return Outcome(
                item.post_id,
                item.network,
                Result.RETRY,
                ledger_error=str(error),
                message="Not sent: the ledger could not be written; the next run sends it.",
            )
        outcome = self._send(item, rendering)
        try:
            self._record(item, outcome, rendering, due)
        except LedgerError as error:
            outcome.ledger_error = str(error)
            outcome.message = _unrecorded(outcome)
        return outcome

    def _send(self, item: Delivery, rendering: Rendering) -> Outcome:
        """The network's answer, as an outcome not yet recorded (thread parts are recorded as they go)."""
        from hospipost.credentials import CredentialsError, redact
        from hospipost.ledger import LedgerError
        from hospipost.networks.base import STAGED, PermanentError, TransientError, UnknownOutcome

        last = len(rendering.parts) - 1
        secrets = set(self.secrets())
        published = [part_id for part_id in item.parts if not part_id.startswith(STAGED)]

        def part_sent(index: int, remote_id: str) -> None:
            published[index:] = [remote_id]  # every part, recorded with the delivery: what `retract` deletes
            if index < last:  # the last part is recorded with the delivery itself
                self.ledger.record_part(item, index, remote_id, self.clock())

        def part_staged(index: int, staged_id: str) -> None:  # prepared, not published: always recorded
            self.ledger.record_part(item, index, STAGED + staged_id, self.clock())

        try:
            adapter = self.adapters(item.network)
            sent = adapter.publish(rendering, item.id, list(item.parts), part_sent, part_staged)
        except (CredentialsError, PermanentError) as error:
            return Outcome(item.post_id, item.network, Result.FAILED, message=redact(str(error), secrets))
        except TransientError as error:
            return Outcome(
                item.post_id, item.network, Result.RETRY, message=redact(str(error), secrets), retry_at=error.retry_at
            )
        except UnknownOutcome as error:
            return Outcome(item.post_id, item.network, Result.UNKNOWN, message=redact(str(error), secrets))
        except LedgerError as error:  # a thread part went out and could not be recorded
            return Outcome(
                item.post_id,
                item.network,
                Result.UNKNOWN,
                ledger_error=str(error),
                message="A part was published but the ledger could not record it: check the "
                "network, then `hospipost reconcile`.",
            )
        except Exception as error:  # a bug must not lose the delivery: the request may have left
            message = (
                f"Internal error ({type(error).__name__}: {error}); check the network, then `hospipost reconcile`."
            )
            return Outcome(item.post_id, item.network, Result.UNKNOWN, message=redact(message, secrets))
        parts = published or None  # the ids as post_part gave them (and part_sent reported), first part first
        return Outcome(item.post_id, item.network, Result.SENT, url=sent.url, remote_id=sent.remote_id, parts=parts)

    def _record(self, item: Delivery, outcome: Outcome, rendering: Rendering, due: Due) -> None:
        now = self.clock()
        if outcome.state == Result.SENT:
            hashed = content_hash(rendering)
            detail = {**due.checks, "content": sent_content(rendering)}
            self.ledger.mark_sent(item, now, outcome.remote_id or "", outcome.url, hashed, detail, outcome.parts)
        elif outcome.state == Result.RETRY:
            self._retry(item, outcome, now)
        elif outcome.state == Result.FAILED:
            self.ledger.mark_failed(item, now, outcome.message or "")
        else:
            self.ledger.mark_unknown(item, now, outcome.message or "")

    def _retry(self, item: Delivery, outcome: Outcome, now: datetime) -> None:
        """Schedule the next attempt (capped exponential backoff, or the network's own time),
        or give up after MAX_ATTEMPTS."""
        if item.attempts >= MAX_ATTEMPTS:
            outcome.state = Result.FAILED
            outcome.message = f"Gave up after {item.attempts} attempts: {outcome.message}"
            outcome.retry_at = None
            self.ledger.mark_failed(item, now, outcome.message)
            return
        from hospipost.networks.base import MAX_WAIT  # one cap for every wait: backoff and a network's own

        backoff = min(timedelta(minutes=2 ** (item.attempts - 1)), MAX_WAIT)
        outcome.retry_at = min(max(now + backoff, outcome.retry_at or now), now + MAX_WAIT)
        self.ledger.mark_retry(item, now, outcome.message or "", outcome.retry_at)

    def retract(self, item: Retraction) -> Outcome:
        """Delete one claimed retraction's remaining parts (last first, each recorded as it goes)
        and record how it ended; never raises. Deleting is safe to repeat, so nothing is unknown."""
        from hospipost.credentials import CredentialsError, redact
        from hospipost.ledger import LedgerError
        from hospipost.networks.base import PermanentError, TransientError, UnknownOutcome

        label = network_label(item.network)
        deleted = f"deleted: {_plural(len(item.parts), 'part')}, the last first" if len(item.parts) > 1 else "deleted"
        outcome = Outcome(item.post_id, item.network, Result.RETRACTED, url=item.url, message=deleted, action="retract")
        secrets = set(self.secrets())
        partly = False  # the parts the ledger knew are gone, not the ones it never recorded
        try:
            if not item.parts:
                where = f" (recorded by hand: {item.url})" if item.url else ""
                raise PermanentError(f"the ledger holds no id of this post on {label}{where}: delete it there by hand")
            remaining = item.remaining
            if remaining:
                adapter = self._retracting_adapter(item.network, label)
                adapter.retract(
                    remaining, lambda index, part_id: self.ledger.record_deleted(item, part_id, self.clock())
                )
            if not item.complete:
                partly = True
                raise PermanentError(
                    f"deleted the {_plural(len(item.parts), 'part')} the ledger knew, but this thread was sent before"
                    f" hospipost recorded its last part: open {item.url or 'the account'} and delete what remains by hand"
                )
        except (CredentialsError, PermanentError) as error:
            outcome.state, outcome.message = Result.FAILED, redact(str(error), secrets)
        except (TransientError, UnknownOutcome) as error:
            outcome.state, outcome.message = Result.RETRY, redact(str(error), secrets)
            outcome.retry_at = getattr(error, "retry_at", None)
        except LedgerError as error:  # a part was deleted and could not be recorded: deleting again is safe
            outcome.state, outcome.ledger_error = Result.RETRY, str(error)
            outcome.message = "A part was deleted but the ledger could not record it; the next run deletes the rest."
        except Exception as error:  # a bug: a human looks
            outcome.state = Result.FAILED
            outcome.message = redact(f"Internal error ({type(error).__name__}: {error}).", secrets)
        if outcome.state == Result.FAILED:
            outcome.message = _by_hand_hint(outcome.message or "", item, label, partly)
        elif outcome.state == Result.RETRY:
            outcome.message = f"Not deleted yet from {label}. {outcome.message}"
        try:
            self._record_retraction(item, outcome, self.clock())
        except LedgerError as error:
            outcome.ledger_error = str(error)
        return outcome

    def _retracting_adapter(self, network: str, label: str) -> Network:
        from hospipost.networks.base import PermanentError

        try:
            return self.adapters(network)
        except KeyError:  # its section was removed from config.yaml since it was published
            raise PermanentError(
                f"{label} is not in config.yaml any more: add its section back (it may stay disabled) so that"
                " hospipost can delete the post, or delete it there by hand"
            ) from None

    def _record_retraction(self, item: Retraction, outcome: Outcome, now: datetime) -> None:
        if outcome.state == Result.RETRACTED:
            self.ledger.mark_retracted(item, now)
        elif outcome.state == Result.RETRY and item.attempts < MAX_ATTEMPTS:
            from hospipost.networks.base import MAX_WAIT

            backoff = min(timedelta(minutes=2 ** (item.attempts - 1)), MAX_WAIT)
            outcome.retry_at = min(max(now + backoff, outcome.retry_at or now), now + MAX_WAIT)
            self.ledger.mark_retract_retry(item, now, outcome.message or "", outcome.retry_at)
        else:
            if outcome.state == Result.RETRY:
                outcome.state, outcome.retry_at = Result.FAILED, None
                label = network_label(item.network)
                said = (outcome.message or "").removeprefix(f"Not deleted yet from {label}. ")
                outcome.message = _by_hand_hint(f"Gave up after {item.attempts} attempts: {said}", item, label)
            self.ledger.mark_retract_failed(item, now, outcome.message or "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _by_hand_hint(message: str, item: Retraction, label: str, partly: bool = False) -> str:
    """A failed retraction's message, ending with how to record a deletion done by hand."""
    command = f"`hospipost retract {item.post_id} --network {item.network} --by-hand --reason …`"
    message = f"{'Partly' if partly else 'Not'} deleted from {label}. {message}".replace(
        "`hospipost retract --by-hand`", command
    )
    if command in message:
        return message
    return f"{message.rstrip('.')}; once it is gone, record it with {command}."


def without_retracted(work: Plan, retracted: dict[str, set[str]]) -> Plan:
    """The plan without what `retract` withdrew: a retracted post is never published again there."""
    from hospipost.ledger import EVERY_NETWORK

    if not retracted:
        return work

    def out(post_id: str, network: str) -> bool:
        return bool(retracted.get(post_id, set()) & {network, EVERY_NETWORK})

    return Plan(
        [due for due in work.due if not out(due.post.id, due.network)],
        [(due, why) for due, why in work.missed if not out(due.post.id, due.network)],
        [(post, why) for post, why in work.blocked if EVERY_NETWORK not in retracted.get(post.id, set())],
    )


def _rendering(network: str, post: Post) -> Rendering:
    from hospipost.networks import network_class

    return network_class(network).render(post)


def _unrecorded(outcome: Outcome) -> str:
    """What to say when the network answered but the ledger could not record it."""
    if outcome.state == Result.SENT:
        return (
            f"Published ({outcome.url or outcome.remote_id}) but the ledger could not record it: "
            f"after the ledger is repaired, run `hospipost reconcile` with --sent."
        )
    return f"{outcome.message} The ledger could not record this; the next run will say it is of unknown outcome."


def describe_payloads(due: Due, adapter: Network, limits: Limits) -> dict[str, Any]:
    """What --dry-run shows for one delivery: the payload and each part's length."""
    rendering = type(adapter).render(due.post)
    return {
        "post": due.post.id,
        "network": due.network,
        "at": due.occurrence.at.isoformat(),
        "parts": [
            {"text": part, "length": limits.count(part), "limit": limits.max_length, "unit": limits.length_unit}
            for part in rendering.parts
        ],
        "media": [_media_preview(item) for item in rendering.media],
        "requests": adapter.payload(rendering, due.id),
    }


def _media_preview(item: Media) -> dict[str, Any]:
    """A media file as the dry run shows it: image or video, size, alt text (and captions)."""
    from hospipost.media import VIDEO_TYPES, media_info

    info = media_info(item.path)
    preview = {
        "file": item.file,
        "kind": "video" if info.mime in VIDEO_TYPES else "image",
        "alt": item.alt,
        "bytes": None if info.problem else info.size,
    }
    return {**preview, "captions": item.captions} if item.captions else preview


@dataclass
class RunResult:
    """What one publish run did, or (dry run) would do.

    ``outcomes`` holds every delivery sent, retried, failed, of unknown outcome, missed or
    blocked (a dry run records nothing: its misses and blocks are what a run would record);
    ``previews`` what each network would receive (dry run only); ``ledger_error`` why the
    run stopped early when the ledger could not be written.
    """

    outcomes: list[Outcome] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)
    ledger_error: str | None = None
    idle: bool = False  # nothing was due: the ledger was not even read

    @property
    def ok(self) -> bool:
        return self.ledger_error is None and all(outcome.ok for outcome in self.outcomes)


def run(
    config: Config,
    posts: list[Post],
    open_ledger: Callable[[], Ledger | None],
    clock: Callable[[], datetime],
    *,
    dry_run: bool = False,
    network: str | None = None,
    until: datetime | None = None,
    adapters: AdapterFactory | None = None,
    credentials: Credentials | None = None,
    retract_post: str | None = None,
) -> RunResult:
    """One publish run, the same for `publish`, `publish --dry-run`, `retract` and every daemon
    sweep: plan what is due at ``clock()`` (and, for a dry run, up to ``until``), then send it
    once per network, carry out the retractions that are due (only those of ``retract_post``,
    when given: `hospipost retract`), record every outcome and tell a human what needs one (notify).

    The ledger is opened only when something is due (a publication, or a retraction: a cheap
    read says). A dry run reads it (None: nothing was ever published here) and writes nothing.
    CredentialsError, before anything is claimed, when the credentials file is unsafe.
    """
    now = clock()
    due = candidates(posts, config, now)
    coming = upcoming(posts, config, now, until) if until is not None else []
    if not due and not coming and (dry_run or (retract_post is None and not _retractions_waiting(config))):
        return RunResult(idle=True)
    ledger = open_ledger()
    if dry_run:
        history = ledger.all() if ledger else []
        work = _plan_all(due, coming, config, now, network, sent_posts(lambda: history))
        work = without_retracted(work, ledger.retracted_posts() if ledger else {})
        return _preview(work, config, _handled(work, history, ledger), ledger.pause_in_force(now) if ledger else None)
    assert ledger is not None, "a publish run needs a ledger"
    work = _plan_all(due, coming, config, now, network, sent_posts(lambda: ledger.all(states=["sent"])))
    from hospipost.credentials import Credentials
    from hospipost.notify import notify

    credentials = credentials or Credentials()
    credentials.verify()  # an unsafe credentials file stops the run before any claim
    publisher = Publisher(
        ledger,
        adapters or adapter_factory(config, credentials),
        clock,
        secrets=lambda: credentials.configured(config),
        zone=config.timezone,
    )
    result = publisher.send(work, retract_post)
    notify(result.outcomes, config)
    return result


def _retractions_waiting(config: Config) -> bool:
    """Whether the ledger has a retraction to carry out, when nothing is due to publish: one read;
    a ledger missing or unreadable here says no (the next run with something due reports it)."""
    from hospipost.ledgerpeek import retractions_waiting

    waiting = retractions_waiting(config.state_url)  # SQLite: without loading SQLAlchemy (cron, every minute)
    if waiting is not None:
        return waiting
    from hospipost.ledger import LedgerError, open_for_reading

    try:
        ledger = open_for_reading(config, absent_ok=True)
    except LedgerError:
        return False
    if ledger is None:
        return False
    try:
        return ledger.retractions_to_do()
    except LedgerError:
        return False
    finally:
        ledger.close()


def paused_message(pause: Pause, zone: tzinfo) -> str:
    """Why a delivery is held, and what happens next (times in ``zone``)."""
    until = f" until {pause.until.astimezone(zone):%Y-%m-%d %H:%M}" if pause.until else ""
    return (
        f"Held by the pause of {pause.since.astimezone(zone):%Y-%m-%d %H:%M}{until} ({pause.by}: {pause.reason});"
        " it goes out after `hospipost resume` if it is not too late by then."
    )


def _plan_all(
    due: list[Occurrence],
    coming: list[Occurrence],
    config: Config,
    now: datetime,
    network: str | None,
    published: Callable[[Post], bool],
) -> Plan:
    """What is due now (misses included) and, for a preview, what comes later."""
    work = plan(due, config, now, network, published=published)
    if coming:
        work.extend(plan(coming, config, now, network, check_lateness=False, published=published))
    return work


def sent_posts(history: Callable[[], Iterable[Delivery]]) -> Callable[[Post], bool]:
    """Whether the ledger records a post as sent (to any network), for the checks;
    ``history`` is read on the first question only."""
    sent: set[str] | None = None

    def published(post: Post) -> bool:
        nonlocal sent
        if sent is None:
            sent = {item.post_id for item in history() if item.state == "sent"}
        return post.id in sent

    return published


def _handled(work: Plan, history: list[Delivery], ledger: Ledger | None) -> set[str]:
    """Deliveries a publish run would not send: known to the ledger (sent, failed, unknown…),
    or due before the ledger was started afresh."""
    handled = {item.id for item in history if item.state != "pending"}
    sends_from = ledger.sends_from() if ledger else None
    if sends_from is not None:
        handled |= {due.id for due in work.due if due.occurrence.at < sends_from}
    return handled


def _preview(work: Plan, config: Config, known: set[str], pause: Pause | None = None) -> RunResult:
    """A dry run: what each network would receive, without a credential or a write; what a
    pause holds is listed as held instead."""
    from hospipost.credentials import Credentials

    held = {due.id for due in work.due if pause is not None and pause.holds(alert=due.post.kind == "alert")}
    shown = [due for due in work.due if due.id not in known and due.id not in held]
    make = adapter_factory(config, Credentials(environ={}))  # a dry run never reads a credential
    adapters = {name: make(name) for name in {due.network for due in shown}}
    limits = {
        name: type(adapter).effective_limits(adapter.settings, adapter.cache_dir) for name, adapter in adapters.items()
    }
    result = RunResult(previews=[describe_payloads(due, adapters[due.network], limits[due.network]) for due in shown])
    result.outcomes = [Outcome(post.id, "-", Result.BLOCKED, message=reason) for post, reason in work.blocked]
    result.outcomes += [
        Outcome(due.post.id, due.network, Result.MISSED, message=reason)
        for due, reason in work.missed
        if due.id not in known
    ]
    if pause is not None:
        message = paused_message(pause, config.timezone)
        result.outcomes += [
            Outcome(due.post.id, due.network, Result.PAUSED, message=message)
            for due in work.due
            if due.id in held and due.id not in known
        ]
    return result
