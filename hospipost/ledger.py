"""The delivery ledger: what was sent where, exactly once (SQLite or PostgreSQL).

One row per delivery: a (post, network, occurrence) triple. A one-off post has a single
occurrence, ``once``, so moving its time after it was sent never sends it again; each
occurrence of a recurring post is its own delivery. States::

    pending ──claim──> sending ──> sent
       ^                  │──────> failed     (permanent: needs a human)
       └── retry later ───┤──────> unknown    (the request may have left: needs reconcile)

A claim is one conditional UPDATE (state still ``pending``, due, no other owner) in its
own committed transaction, taken before any network call: SQLite serialises writers on
the database lock (``BEGIN IMMEDIATE``), PostgreSQL picks rows with
``FOR UPDATE SKIP LOCKED``. ``request_started_at`` is committed just before the request
leaves, so a delivery whose owner died is re-queued when the request had not left, and
``unknown`` when it may have: never sent twice, never silently dropped.
An append-only ``events`` table keeps the history. The schema is versioned in
``hospipost_meta`` and migrated on open.

`hospipost retract` withdraws a post (``retracted_posts``: never claimed there again; what was
not sent yet becomes ``withdrawn``) and gives each sent delivery a retraction, claimed like a
publication and safe to repeat::

    requested ──claim──> deleting ──> retracted    (every part deleted, last first, each recorded)
        ^                    │──────> failed       (permanent: needs a human; `retract` asks again)
        └─ retry later / claimant gone ─┘

`hospipost stats fetch` adds dated snapshots of each sent delivery's figures
(``metric_snapshots``, append-only), never changing a delivery.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from hospipost.errors import HospipostError

SCHEMA_VERSION = 4


class DeliveryState(StrEnum):
    """A delivery's state; stored (and shown in JSON) as its string value."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    WITHDRAWN = "withdrawn"  # never sent: its post was retracted first (`hospipost retract`)


class RetractionState(StrEnum):
    """A retraction's state (one per sent delivery): requested ──claim──> deleting ──> retracted | failed;
    a transient failure puts it back to requested, with a time for the next attempt."""

    REQUESTED = "requested"
    DELETING = "deleting"
    RETRACTED = "retracted"
    FAILED = "failed"


STATES = tuple(DeliveryState)
ONCE = "once"
EVERY_NETWORK = "*"
LEDGER_ID = "ledger_id"
SENDS_FROM = "sends_from"
PAUSE = "pause"
STATS_FETCH = "stats_fetch"  # the last `stats fetch`: per network, what it read and what stopped it
STATS_CLAIM = "stats_claim"  # when a daemon last took the scheduled fetch (see claim_stats_fetch)
MARKER_NAME = "hospipost.ledger-id"

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes stored as naive UTC, read back as aware UTC, on every database."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the ledger stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("post_id", sa.String(120), nullable=False, index=True),
    sa.Column("queue", sa.String(120), nullable=False),
    sa.Column("network", sa.String(20), nullable=False),
    sa.Column("occurrence", sa.String(40), nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("lease_owner", sa.String(255)),
    sa.Column("lease_expires_at", UTCDateTime),
    sa.Column("request_started_at", UTCDateTime),
    sa.Column("remote_id", sa.String(255)),
    sa.Column("remote_url", sa.Text),
    sa.Column("sent_hash", sa.String(64)),
    sa.Column("parts", sa.Text),  # JSON list: ids of the thread parts already published, to resume after them
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Index("ix_deliveries_state_next", "state", "next_attempt_at"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("delivery_id", sa.String(255), index=True),
    sa.Column("post_id", sa.String(120), index=True),
    sa.Column("network", sa.String(20)),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("detail", sa.Text),
)

daemons = sa.Table(
    "daemons",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),  # host:pid, the owner of its claims
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("stopped_at", UTCDateTime),
    sa.Column("problems", sa.Text),  # JSON list: unreadable queue files, broken config
)

retracted_posts = sa.Table(  # what `hospipost retract` withdrew: never published again there
    "retracted_posts",
    metadata,
    sa.Column("post_id", sa.String(120), primary_key=True),
    sa.Column("network", sa.String(20), primary_key=True),  # EVERY_NETWORK: all of them
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_by", sa.String(255), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
)

retractions = sa.Table(  # one per sent delivery to delete: its parts deleted, claimed like a publication
    "retractions",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),  # the delivery's id
    sa.Column("post_id", sa.String(120), nullable=False, index=True),
    sa.Column("network", sa.String(20), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_by", sa.String(255), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("by_hand", sa.Boolean, nullable=False, default=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("lease_owner", sa.String(255)),
    sa.Column("lease_expires_at", UTCDateTime),
    sa.Column("deleted", sa.Text),  # JSON list: the ids of the parts already deleted
    sa.Column("last_error", sa.Text),
    sa.Column("retracted_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

metric_snapshots = sa.Table(  # one reading of one sent delivery's figures (`hospipost stats fetch`)
    "metric_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(255), nullable=False, index=True),
    sa.Column("post_id", sa.String(120), nullable=False),
    sa.Column("network", sa.String(20), nullable=False),
    sa.Column("taken_at", UTCDateTime, nullable=False, index=True),
    sa.Column("figures", sa.Text, nullable=False),  # JSON object: figure name (metrics.FIGURES) → count
)

meta = sa.Table(
    "hospipost_meta",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class Delivery:
    id: str
    post_id: str
    queue: str
    network: str
    occurrence: str
    due_at: datetime
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    remote_id: str | None
    remote_url: str | None
    sent_hash: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    request_started_at: datetime | None = None
    lease_expires_at: datetime | None = None
    parts: tuple[str, ...] = ()
    retraction: str | None = None  # the state of its retraction (RetractionState), when `retract` asked for one

    @classmethod
    def from_row(cls, row: Any) -> Delivery:
        values: dict[str, Any] = {name: getattr(row, name, None) for name in cls.__dataclass_fields__}
        values["parts"] = tuple(json.loads(row.parts)) if row.parts else ()
        values["state"] = DeliveryState(row.state)
        return cls(**values)


@dataclass(frozen=True)
class Snapshot:
    """A delivery's figures as its network gave them at ``taken_at``; a figure the network does not give is absent."""

    delivery_id: str
    post_id: str
    network: str
    taken_at: datetime
    figures: dict[str, int]

    @classmethod
    def from_row(cls, row: Any) -> Snapshot:
        return cls(row.delivery_id, row.post_id, row.network, row.taken_at, json.loads(row.figures))


@dataclass(frozen=True)
class Retraction:
    """The deletion of one sent delivery from its network (``hospipost retract``).

    ``parts`` are the network's ids of every part the ledger knows, first part first; ``complete``
    is False when the delivery was sent before hospipost recorded every part of a thread (its last
    part is then unknown); ``url`` is the first part's public address.
    """

    id: str
    post_id: str
    network: str
    state: RetractionState
    reason: str
    requested_by: str
    requested_at: datetime
    by_hand: bool
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    deleted: tuple[str, ...]
    last_error: str | None
    retracted_at: datetime | None
    updated_at: datetime
    parts: tuple[str, ...] = ()
    complete: bool = True
    url: str | None = None

    @classmethod
    def from_row(
        cls, row: Any, parts: tuple[str, ...] = (), complete: bool = True, url: str | None = None
    ) -> Retraction:
        values = {name: getattr(row, name) for name in cls.__dataclass_fields__ if hasattr(row, name)}
        values["deleted"] = tuple(json.loads(row.deleted)) if row.deleted else ()
        values["state"] = RetractionState(row.state)
        values["by_hand"] = bool(row.by_hand)
        return cls(**values, parts=parts, complete=complete, url=url)

    @property
    def remaining(self) -> list[str]:
        """The known parts not deleted yet, first part first."""
        return [part for part in self.parts if part not in self.deleted]


@dataclass(frozen=True)
class DueDelivery:
    """A delivery that should exist: from the posts, before the ledger knows of it."""

    post_id: str
    queue: str
    network: str
    occurrence: str
    due_at: datetime

    @property
    def id(self) -> str:
        return delivery_id(self.post_id, self.network, self.occurrence)


@dataclass(frozen=True)
class Pause:
    """Publishing stopped by a person (a crisis, a tragedy): since when, by whom, why, until when,
    and whether alerts are held too (by default they still go out)."""

    since: datetime
    by: str
    reason: str
    until: datetime | None = None
    alerts_too: bool = False

    def holds(self, alert: bool) -> bool:
        return self.alerts_too or not alert

    def in_force(self, now: datetime) -> bool:
        return self.until is None or now < self.until

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "by": self.by,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until else None,
            "alerts_too": self.alerts_too,
        }

    @classmethod
    def from_json(cls, text: str) -> Pause:
        data = json.loads(text)
        until = datetime.fromisoformat(data["until"]) if data.get("until") else None
        return cls(datetime.fromisoformat(data["since"]), data["by"], data["reason"], until, data["alerts_too"])


def delivery_id(post_id: str, network: str, occurrence: str = ONCE) -> str:
    return f"{post_id}:{network}:{occurrence}"


def process_owner() -> str:
    """Who claims: host and pid, so a dead local owner can be recognised at once."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LedgerError(HospipostError):
    """The ledger cannot be opened, read or written; one line that says what to do (exit 2)."""


class NoLedger(LedgerError):
    """There is no ledger yet: nothing was ever published with this SQLite file."""


class LedgerNotHere(LedgerError):
    """The marker says this folder published, but its ledger is missing or empty here
    (lost, or simply on another machine: a fresh clone of the posts)."""


class Ledger:
    """The ledger on one database; safe to share between processes and machines."""

    def __init__(self, engine: Engine, actor: str | None = None) -> None:
        self.engine = engine
        self.actor = actor or process_owner()
        self._retraction_tables = False  # known to exist (a ledger read before migrating has none)
        self._snapshot_table = False

    def _has_retractions(self, connection: Connection) -> bool:
        """Whether the retraction tables exist: a ledger of schema 2 opened read-only has none yet."""
        if not self._retraction_tables:
            self._retraction_tables = sa.inspect(connection).has_table("retractions")
        return self._retraction_tables

    def _has_snapshots(self, connection: Connection) -> bool:
        """Whether the snapshot table exists: a ledger of schema 3 opened read-only has none yet."""
        if not self._snapshot_table:
            self._snapshot_table = sa.inspect(connection).has_table("metric_snapshots")
        return self._snapshot_table

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # -- opening and migrations ------------------------------------------------

    @classmethod
    def open(cls, url: str, *, create: bool = True, migrate: bool = True, actor: str | None = None) -> Ledger:
        """Open (and create or migrate) the ledger at a sqlite:/// or postgresql:// URL.

        With ``migrate=False`` nothing is written (for --dry-run and read-only views).
        """
        ledger = cls(_engine(url, create), actor)
        if migrate:
            ledger.migrate()
        else:
            with ledger._read() as connection:
                if not ledger.is_postgresql:
                    connection.exec_driver_sql(
                        "SELECT count(*) FROM sqlite_master"
                    )  # an empty or foreign file fails here
        return ledger

    @classmethod
    def open_existing(cls, url: str) -> Ledger | None:
        """The ledger, for reading only, or None when nothing was ever published; writes nothing."""
        try:
            return cls.open(url, create=False, migrate=False)
        except NoLedger:
            return None

    @classmethod
    def open_for_publishing(cls, config: Any, actor: str | None = None) -> Ledger:
        """The ledger, for anything that sends: refuses a missing, emptied or foreign ledger.

        A brand-new folder (no marker, no ledger) gets both; call this before claiming anything.
        """
        marker = read_marker(config)
        if marker is not None:
            check_identity(config, marker)
        ledger = cls.open(config.state_url, actor=actor)
        if marker is None:
            write_marker(config, ledger.identity() or "")
        return ledger

    def identity(self) -> str | None:
        """The id written when this ledger was created (None for an empty database)."""
        with self._read() as connection:
            if not sa.inspect(connection).has_table("hospipost_meta"):
                return None
            row = connection.execute(sa.select(meta.c.value).where(meta.c.key == LEDGER_ID)).first()
        return row.value if row else ""  # a ledger older than ledger ids

    def sends_from(self) -> datetime | None:
        """Set by `ledger reset --start-afresh`: nothing due earlier is sent automatically."""
        with self._read() as connection:
            row = connection.execute(sa.select(meta.c.value).where(meta.c.key == SENDS_FROM)).first()
        return datetime.fromisoformat(row.value) if row else None

    def start_afresh(self, now: datetime) -> str:
        """A new identity; deliveries due before ``now`` will never be sent automatically."""
        new_id = uuid.uuid4().hex
        with self.write() as connection:
            _set_meta(connection, LEDGER_ID, new_id)
            _set_meta(connection, SENDS_FROM, now.astimezone(UTC).isoformat())
        return new_id

    def migrate(self) -> None:
        with self.write() as connection:
            if self.is_postgresql:  # several processes may open a new ledger at once
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7201)"))
            version = _schema_version(connection)
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"the ledger has schema version {version}, newer than this hospipost ({SCHEMA_VERSION}); upgrade hospipost"
                )
            if version == 0:
                metadata.create_all(connection)
            for step in range(max(version, 1), SCHEMA_VERSION):
                MIGRATIONS[step](connection)
            _set_meta(connection, "schema_version", str(SCHEMA_VERSION))
            if not connection.execute(sa.select(meta.c.key).where(meta.c.key == LEDGER_ID)).first():
                _set_meta(connection, LEDGER_ID, uuid.uuid4().hex)  # new, or made before ledgers had an id

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of failing)."""
        with database_errors(self.engine.url, writing=True), self.engine.connect() as connection:
            connection.execution_options(hospipost_write=True)
            with connection.begin():
                yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read-only connection; any database fault becomes one LedgerError line."""
        with database_errors(self.engine.url, writing=False), self.engine.connect() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    # -- recording -------------------------------------------------------------

    def ensure(self, due: Iterable[DueDelivery], now: datetime) -> None:
        """Create the rows of deliveries that became due (existing rows are left alone)."""
        rows = [
            {
                "id": item.id,
                "post_id": item.post_id,
                "queue": item.queue,
                "network": item.network,
                "occurrence": item.occurrence,
                "due_at": item.due_at,
                "state": DeliveryState.PENDING,
                "attempts": 0,
                "last_error": None,
                "created_at": now,
                "updated_at": now,
            }
            for item in due
        ]
        if not rows:
            return
        sends_from = self.sends_from()
        for row in rows:
            if sends_from is not None and cast(datetime, row["due_at"]) < sends_from:
                row.update(
                    state=DeliveryState.FAILED,
                    last_error=(
                        f"Due before the ledger was started afresh ({sends_from:%Y-%m-%d %H:%M} UTC): not sent automatically; "
                        "check the account, publish by hand if needed, then `hospipost reconcile`."
                    ),
                )
        with self.write() as connection:
            known = {
                r.id
                for r in connection.execute(
                    sa.select(deliveries.c.id).where(deliveries.c.id.in_([r["id"] for r in rows]))
                )
            }
            fresh = [row for row in rows if row["id"] not in known]
            if fresh:
                connection.execute(_insert_ignore(self.engine), fresh)

    def claim(
        self, ids: Iterable[str], now: datetime, lease: timedelta, alerts: frozenset[str] = frozenset()
    ) -> list[Delivery]:
        """Atomically take the deliveries among ``ids`` that are pending and due; return them.

        A pause is read in the same transaction: a delivery it holds (``alerts``: the ids of
        alerts, which a pause lets through unless it holds them too) is never claimed, even
        when the pause was decided elsewhere a moment ago.
        """
        ids = list(ids)
        if not ids:
            return []
        with self.write() as connection:
            pause = _pause_in_force(connection, now)
            if pause is not None:
                ids = [item_id for item_id in ids if not pause.holds(alert=item_id in alerts)]
            claimable = sa.and_(
                deliveries.c.id.in_(ids),
                deliveries.c.state == DeliveryState.PENDING,
                sa.or_(deliveries.c.next_attempt_at.is_(None), deliveries.c.next_attempt_at <= now),
                ~_retracted_here(),  # read in this transaction: a retraction decided a moment ago holds it
            )
            claimable = self._unlocked(deliveries, claimable)
            update = (
                deliveries.update()
                .where(claimable)
                .values(
                    state=DeliveryState.SENDING,
                    lease_owner=self.actor,
                    lease_expires_at=now + lease,
                    request_started_at=None,
                    attempts=deliveries.c.attempts + 1,
                    updated_at=now,
                )
                .returning(*deliveries.c)
            )
            claimed = [Delivery.from_row(row) for row in connection.execute(update)]
            for item in claimed:
                self._event(connection, now, "claimed", item, {"attempt": item.attempts})
        return claimed

    def _unlocked(self, table: sa.Table, claimable: Any) -> Any:
        """The rows of ``table`` matching ``claimable`` that no other claimant holds (PostgreSQL's
        FOR UPDATE SKIP LOCKED; SQLite serialises writers, so the condition itself)."""
        if not self.is_postgresql:
            return claimable
        locked = sa.select(table.c.id).where(claimable).with_for_update(skip_locked=True)
        return table.c.id.in_(locked.scalar_subquery())

    def request_started(self, item: Delivery, now: datetime) -> bool:
        """Committed right before the request leaves: from now on, a crash means `unknown`.

        A fence: False when this claim was taken away meanwhile (a peer judged this process
        dead), and then the request must not be sent.
        """
        with self.write() as connection:
            result = connection.execute(
                deliveries.update()
                .where(
                    deliveries.c.id == item.id,
                    deliveries.c.state == DeliveryState.SENDING,
                    deliveries.c.lease_owner == self.actor,
                )
                .values(request_started_at=now, updated_at=now)
            )
            if result.rowcount:
                self._event(connection, now, "request", item, None)
            return result.rowcount > 0

    def record_part(self, item: Delivery, index: int, remote_id: str, now: datetime) -> None:
        """A thread part went out: remember it, so a retry resumes after it."""
        with self.write() as connection:
            row = connection.execute(sa.select(deliveries.c.parts).where(deliveries.c.id == item.id)).first()
            parts = json.loads(row.parts) if row and row.parts else []
            parts[index:] = [remote_id]
            connection.execute(
                deliveries.update().where(deliveries.c.id == item.id).values(parts=json.dumps(parts), updated_at=now)
            )
            self._event(connection, now, "part", item, {"part": index, "remote_id": remote_id})

    def mark_sent(
        self,
        item: Delivery,
        now: datetime,
        remote_id: str,
        url: str | None,
        sent_hash: str,
        detail: dict | None = None,
        parts: list[str] | None = None,
    ) -> None:
        """Sent; ``parts`` are the network's ids of every part, first part first (what `retract` deletes):
        the event says so, which tells them from the progress list of a delivery sent before."""
        every_part = {"parts": parts} if parts else {}
        self._transition(
            item,
            now,
            DeliveryState.SENT,
            "sent",
            detail={"url": url, "remote_id": remote_id, "hash": sent_hash, **(detail or {}), **every_part},
            remote_id=remote_id,
            remote_url=url,
            sent_hash=sent_hash,
            sent_at=now,
            last_error=None,
            next_attempt_at=None,
            **({"parts": json.dumps(parts)} if parts else {}),
        )

    def mark_retry(self, item: Delivery, now: datetime, error: str, retry_at: datetime) -> None:
        self._transition(
            item,
            now,
            DeliveryState.PENDING,
            "retry",
            detail={"error": error, "retry_at": retry_at.isoformat()},
            last_error=error,
            next_attempt_at=retry_at,
            request_started_at=None,
        )

    def mark_failed(self, item: Delivery, now: datetime, error: str) -> None:
        self._transition(item, now, DeliveryState.FAILED, "failed", detail={"error": error}, last_error=error)

    def mark_unknown(self, item: Delivery, now: datetime, error: str) -> None:
        self._transition(item, now, DeliveryState.UNKNOWN, "unknown", detail={"error": error}, last_error=error)

    def _transition(
        self, item: Delivery, now: datetime, state: str, kind: str, detail: dict | None = None, **values: Any
    ) -> None:
        with self.write() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id)
                .values(
                    state=state,
                    updated_at=now,
                    lease_owner=None if state != DeliveryState.SENDING else item.lease_owner,
                    lease_expires_at=None if state != DeliveryState.SENDING else item.lease_expires_at,
                    **values,
                )
            )
            self._event(connection, now, kind, item, detail)

    def record_missed(self, due: DueDelivery, now: datetime, reason: str) -> bool:
        """Record a delivery that is too late to publish automatically (once)."""
        with self.write() as connection:
            inserted = connection.execute(
                _insert_ignore(self.engine).returning(deliveries.c.id),
                {
                    "id": due.id,
                    "post_id": due.post_id,
                    "queue": due.queue,
                    "network": due.network,
                    "occurrence": due.occurrence,
                    "due_at": due.due_at,
                    "state": DeliveryState.FAILED,
                    "attempts": 0,
                    "last_error": reason,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            recorded = (
                inserted.first() is not None
                or connection.execute(
                    # a delivery still retrying when its time ran out
                    deliveries.update()
                    .where(deliveries.c.id == due.id, deliveries.c.state == DeliveryState.PENDING)
                    .values(state=DeliveryState.FAILED, last_error=reason, updated_at=now, next_attempt_at=None)
                ).rowcount
                > 0
            )
            if recorded:
                self._event(connection, now, "missed", due, {"error": reason})
            return recorded

    def recover(self, now: datetime, owner_alive: Callable[[str], bool]) -> list[Delivery]:
        """Resolve `sending` rows whose owner is gone: re-queue, or `unknown` if the request left."""
        with self.write() as connection:
            rows = [
                Delivery.from_row(r)
                for r in connection.execute(sa.select(deliveries).where(deliveries.c.state == DeliveryState.SENDING))
            ]
        recovered = []
        for item in rows:
            expired = item.lease_expires_at is not None and item.lease_expires_at <= now
            if not expired and owner_alive(item.lease_owner or ""):
                continue
            if item.request_started_at is None:
                self._guarded(item, now, DeliveryState.PENDING, "requeued", {"owner": item.lease_owner})
            else:
                message = f"the process {item.lease_owner} stopped while the request was under way: check the network, then `hospipost reconcile`"
                self._guarded(item, now, DeliveryState.UNKNOWN, "unknown", {"error": message}, last_error=message)
            recovered.append(item)
        return recovered

    def _guarded(self, item: Delivery, now: datetime, state: str, kind: str, detail: dict, **values: Any) -> None:
        """A transition that happens only if nobody else moved the row meanwhile."""
        with self.write() as connection:
            result = connection.execute(
                deliveries.update()
                .where(
                    deliveries.c.id == item.id,
                    deliveries.c.state == DeliveryState.SENDING,
                    deliveries.c.lease_owner == item.lease_owner,
                )
                .values(
                    state=state,
                    updated_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                    request_started_at=None,
                    **values,
                )
            )
            if result.rowcount:
                self._event(connection, now, kind, item, detail)

    def reconcile(self, item: Delivery, now: datetime, sent_url: str | None, who: str) -> None:
        """A human's verdict on an `unknown` (or `failed`) delivery: sent with its URL, or not sent."""
        if sent_url is not None:
            self._transition(
                item,
                now,
                DeliveryState.SENT,
                "reconciled",
                detail={"verdict": "sent", "url": sent_url, "by": who},
                remote_url=sent_url,
                sent_at=now,
                last_error=None,
            )
        else:
            self._transition(
                item,
                now,
                DeliveryState.PENDING,
                "reconciled",
                detail={"verdict": "not sent", "by": who},
                last_error=None,
                next_attempt_at=None,
                request_started_at=None,
            )

    # -- retractions -------------------------------------------------------------

    def request_retraction(
        self, post_id: str, network: str | None, reason: str, by: str, now: datetime, by_hand: bool = False
    ) -> list[Retraction]:
        """Withdraw a post from one network (or every one): it is never published there again, each
        sent delivery gets a retraction (a failed one is asked again), and what was not sent yet is
        withdrawn. ``by_hand``: a person deleted it on the network; recorded as retracted at once.
        Returns the post's retractions on that network (or all of them)."""
        scope = network or EVERY_NETWORK
        with self.write() as connection:
            if not connection.execute(
                sa.select(retracted_posts.c.post_id).where(
                    retracted_posts.c.post_id == post_id, retracted_posts.c.network == scope
                )
            ).first():
                connection.execute(
                    retracted_posts.insert().values(
                        post_id=post_id, network=scope, reason=reason, requested_by=by, requested_at=now
                    )
                )
            where = [retractions.c.post_id == post_id] + ([retractions.c.network == network] if network else [])
            for row in connection.execute(
                sa.select(retractions).where(*where, retractions.c.state == RetractionState.FAILED)
            ).all():
                connection.execute(
                    retractions.update()
                    .where(retractions.c.id == row.id, retractions.c.state == RetractionState.FAILED)
                    .values(
                        state=RetractionState.REQUESTED,
                        reason=reason,
                        requested_by=by,
                        requested_at=now,
                        attempts=0,
                        next_attempt_at=None,
                        last_error=None,
                        updated_at=now,
                    )
                )
                self._event(connection, now, "retract-requested", row, {"reason": reason, "by": by, "again": True})
            self._apply_retractions(connection, now, post_id, reason, by)
            if by_hand:
                self._retracted_by_hand(connection, post_id, network, reason, by, now)
            return [Retraction.from_row(row) for row in connection.execute(sa.select(retractions).where(*where))]

    def _retracted_by_hand(
        self, connection: Connection, post_id: str, network: str | None, reason: str, by: str, now: datetime
    ) -> None:
        """A person deleted the post on the network: its retractions (and its deliveries of unknown
        outcome, which may have been online) are recorded as retracted."""
        where = [deliveries.c.post_id == post_id] + ([deliveries.c.network == network] if network else [])
        unknown = connection.execute(
            sa.select(deliveries).where(*where, deliveries.c.state == DeliveryState.UNKNOWN)
        ).all()
        if unknown:
            connection.execute(
                _insert_ignore(self.engine, retractions),
                [_retraction_row(Delivery.from_row(row), reason, by, now) for row in unknown],
            )
        done = {"state": RetractionState.RETRACTED, "by_hand": True, "retracted_at": now, "last_error": None}
        rows = connection.execute(
            sa.select(retractions).where(
                retractions.c.post_id == post_id,
                *([retractions.c.network == network] if network else []),
                retractions.c.state != RetractionState.RETRACTED,
            )
        ).all()
        for row in rows:
            connection.execute(
                retractions.update()
                .where(retractions.c.id == row.id)
                .values(**done, lease_owner=None, lease_expires_at=None, next_attempt_at=None, updated_at=now)
            )
            self._event(connection, now, "retracted", row, {"by_hand": True, "by": by, "reason": reason})

    def _apply_retractions(
        self, connection: Connection, now: datetime, post_id: str | None = None, reason: str = "", by: str = ""
    ) -> int:
        """Give every sent delivery of a retracted post its retraction (one sent after the request
        too), and withdraw its deliveries not sent (pending, failed); how many rows changed."""
        query = sa.select(deliveries).where(_to_retract())
        if post_id is not None:
            query = query.where(deliveries.c.post_id == post_id)
        rows = [Delivery.from_row(row) for row in connection.execute(query)]
        if not rows:
            return 0
        scopes = {
            (row.post_id, row.network): row
            for row in connection.execute(
                sa.select(retracted_posts).where(retracted_posts.c.post_id.in_({item.post_id for item in rows}))
            )
        }
        changed = 0
        for item in rows:
            scope = scopes.get((item.post_id, item.network)) or scopes[(item.post_id, EVERY_NETWORK)]
            why, who = (reason, by) if post_id is not None and reason else (scope.reason, scope.requested_by)
            if item.state == DeliveryState.SENT:
                inserted = connection.execute(
                    _insert_ignore(self.engine, retractions).returning(retractions.c.id),
                    _retraction_row(item, why, who, now),
                ).first()
                if inserted is not None:
                    self._event(connection, now, "retract-requested", item, {"reason": why, "by": who})
                    changed += 1
            elif connection.execute(
                deliveries.update()
                .where(deliveries.c.id == item.id, deliveries.c.state == item.state)
                .values(state=DeliveryState.WITHDRAWN, next_attempt_at=None, updated_at=now)
            ).rowcount:
                self._event(connection, now, "withdrawn", item, {"reason": why, "by": who, "was": str(item.state)})
                changed += 1
        return changed

    def retractions_to_do(self) -> bool:
        """Whether a publish run has a retraction to carry out (or to create): a cheap read."""
        with self._read() as connection:
            if not self._has_retractions(connection):
                return False
            if connection.execute(sa.select(retracted_posts.c.post_id).limit(1)).first() is None:
                return False
            busy = [RetractionState.REQUESTED, RetractionState.DELETING]
            if connection.execute(sa.select(retractions.c.id).where(retractions.c.state.in_(busy)).limit(1)).first():
                return True
            return connection.execute(sa.select(deliveries.c.id).where(_to_retract()).limit(1)).first() is not None

    def claim_retractions(
        self, now: datetime, lease: timedelta, owner_alive: Callable[[str], bool], post_id: str | None = None
    ) -> list[Retraction]:
        """Take the retractions that are due (of one post), as a publication is claimed; first create
        those a retraction request implies, and put back those whose claimant is gone (deleting is
        safe to repeat: a part already gone counts as deleted)."""
        with self.write() as connection:
            self._apply_retractions(connection, now)
            stale = connection.execute(
                sa.select(retractions).where(retractions.c.state == RetractionState.DELETING)
            ).all()
            for row in stale:
                expired = row.lease_expires_at is not None and row.lease_expires_at <= now
                if not expired and owner_alive(row.lease_owner or ""):
                    continue
                connection.execute(
                    retractions.update()
                    .where(retractions.c.id == row.id, retractions.c.lease_owner == row.lease_owner)
                    .values(state=RetractionState.REQUESTED, lease_owner=None, lease_expires_at=None, updated_at=now)
                )
                self._event(connection, now, "retract-requeued", row, {"owner": row.lease_owner})
            claimable = sa.and_(
                retractions.c.state == RetractionState.REQUESTED,
                sa.or_(retractions.c.next_attempt_at.is_(None), retractions.c.next_attempt_at <= now),
                *([retractions.c.post_id == post_id] if post_id is not None else []),
            )
            claimable = self._unlocked(retractions, claimable)
            update = (
                retractions.update()
                .where(claimable)
                .values(
                    state=RetractionState.DELETING,
                    lease_owner=self.actor,
                    lease_expires_at=now + lease,
                    attempts=retractions.c.attempts + 1,
                    updated_at=now,
                )
                .returning(*retractions.c)
            )
            claimed = list(connection.execute(update))
            result = []
            for row in claimed:
                self._event(connection, now, "retract-claimed", row, {"attempt": row.attempts})
                result.append(Retraction.from_row(row, *_known_parts(connection, row.id)))
        return result

    def record_deleted(self, item: Retraction, part_id: str, now: datetime) -> None:
        """A part is gone from the network: remember it, so a retry deletes only what remains."""
        with self.write() as connection:
            row = connection.execute(sa.select(retractions.c.deleted).where(retractions.c.id == item.id)).first()
            deleted = json.loads(row.deleted) if row and row.deleted else []
            if part_id not in deleted:
                deleted.append(part_id)
            connection.execute(
                retractions.update()
                .where(retractions.c.id == item.id)
                .values(deleted=json.dumps(deleted), updated_at=now)
            )
            self._event(connection, now, "part-deleted", item, {"remote_id": part_id})

    def mark_retracted(self, item: Retraction, now: datetime) -> bool:
        return self._retraction_done(
            item,
            now,
            RetractionState.RETRACTED,
            "retracted",
            {"parts": len(item.parts)},
            retracted_at=now,
            last_error=None,
        )

    def mark_retract_retry(self, item: Retraction, now: datetime, error: str, retry_at: datetime) -> bool:
        detail = {"error": error, "retry_at": retry_at.isoformat()}
        return self._retraction_done(
            item, now, RetractionState.REQUESTED, "retract-retry", detail, last_error=error, next_attempt_at=retry_at
        )

    def mark_retract_failed(self, item: Retraction, now: datetime, error: str) -> bool:
        return self._retraction_done(
            item, now, RetractionState.FAILED, "retract-failed", {"error": error}, last_error=error
        )

    def _retraction_done(
        self, item: Retraction, now: datetime, state: str, kind: str, detail: dict, **values: Any
    ) -> bool:
        """The end of a claimed attempt; False when the claim was taken away meanwhile (by hand, or
        by a peer that judged this process dead), and then nothing is changed."""
        with self.write() as connection:
            result = connection.execute(
                retractions.update()
                .where(
                    retractions.c.id == item.id,
                    retractions.c.state == RetractionState.DELETING,
                    retractions.c.lease_owner == self.actor,
                )
                .values(state=state, lease_owner=None, lease_expires_at=None, updated_at=now, **values)
            )
            if result.rowcount:
                self._event(connection, now, kind, item, detail)
            return result.rowcount > 0

    def retractions(self, post_id: str | None = None) -> list[Retraction]:
        query = sa.select(retractions).order_by(retractions.c.requested_at, retractions.c.id)
        if post_id is not None:
            query = query.where(retractions.c.post_id == post_id)
        with self._read() as connection:
            if not self._has_retractions(connection):
                return []  # a ledger not migrated yet, read-only
            return [Retraction.from_row(row) for row in connection.execute(query)]

    def retracted_posts(self) -> dict[str, set[str]]:
        """The networks each retracted post was withdrawn from (EVERY_NETWORK: all of them)."""
        with self._read() as connection:
            if not self._has_retractions(connection):
                return {}
            found: dict[str, set[str]] = {}
            for row in connection.execute(sa.select(retracted_posts.c.post_id, retracted_posts.c.network)):
                found.setdefault(row.post_id, set()).add(row.network)
            return found

    def pause(self, pause: Pause) -> None:
        """Stop publishing (what ``pause.holds``) for every publisher of this ledger, at once."""
        with self.write() as connection:
            _set_meta(connection, PAUSE, json.dumps(pause.as_dict(), ensure_ascii=False))
            self._ledger_event(connection, pause.since, "paused", pause.as_dict())

    def resume(self, now: datetime) -> Pause | None:
        """End the pause; the one that was in force, or None."""
        with self.write() as connection:
            pause = _pause_in_force(connection, now)
            connection.execute(meta.delete().where(meta.c.key == PAUSE))
            if pause is not None:
                self._ledger_event(connection, now, "resumed", {"paused_since": pause.since.isoformat()})
        return pause

    def pause_in_force(self, now: datetime) -> Pause | None:
        with self._read() as connection:
            return _pause_in_force(connection, now)

    def _ledger_event(self, connection: Connection, now: datetime, kind: str, detail: dict[str, Any]) -> None:
        """An event of the whole ledger (no delivery): a pause, a resumption."""
        detail_text = json.dumps(detail, ensure_ascii=False)
        connection.execute(events.insert().values(at=now, kind=kind, actor=self.actor, detail=detail_text))

    # -- metrics -------------------------------------------------------------------

    def record_snapshots(self, snapshots: list[Snapshot]) -> None:
        if not snapshots:
            return
        rows = [
            {
                "delivery_id": item.delivery_id,
                "post_id": item.post_id,
                "network": item.network,
                "taken_at": item.taken_at,
                "figures": json.dumps(item.figures, sort_keys=True),
            }
            for item in snapshots
        ]
        with self.write() as connection:
            connection.execute(metric_snapshots.insert(), rows)

    def snapshots(
        self, *, delivery_id: str | None = None, since: datetime | None = None, latest: bool = False
    ) -> list[Snapshot]:
        """The snapshots (of one delivery, taken since a time), oldest first; ``latest``: only the last
        of each delivery."""
        table = metric_snapshots
        query = sa.select(table).order_by(table.c.taken_at, table.c.id)
        if delivery_id:
            query = query.where(table.c.delivery_id == delivery_id)
        if since:
            query = query.where(table.c.taken_at >= since)
        if latest:
            newest = sa.select(sa.func.max(table.c.id)).group_by(table.c.delivery_id)
            query = query.where(table.c.id.in_(newest.scalar_subquery()))
        with self._read() as connection:
            if not self._has_snapshots(connection):
                return []
            return [Snapshot.from_row(row) for row in connection.execute(query)]

    def record_stats_fetch(self, summary: dict[str, Any]) -> None:
        """What the last `stats fetch` read, per network (its time, counts and problems), for `stats` and `status`."""
        with self.write() as connection:
            _set_meta(connection, STATS_FETCH, json.dumps(summary, ensure_ascii=False))

    def last_stats_fetch(self) -> dict[str, Any] | None:
        with self._read() as connection:
            row = connection.execute(sa.select(meta.c.value).where(meta.c.key == STATS_FETCH)).first()
        return json.loads(row.value) if row else None

    def claim_stats_fetch(self, now: datetime, every: timedelta) -> bool:
        """Whether this process should fetch metrics now: the first of the daemons sharing the ledger to
        ask once ``every`` has passed since the last claim (one transaction: a compare-and-set)."""
        with self.write() as connection:
            if self.is_postgresql:
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7202)"))
            row = connection.execute(sa.select(meta.c.value).where(meta.c.key == STATS_CLAIM)).first()
            if row and now - datetime.fromisoformat(row.value) < every:
                return False
            _set_meta(connection, STATS_CLAIM, now.astimezone(UTC).isoformat())
        return True

    def record_run(self, now: datetime, counts: dict[str, int]) -> None:
        """Remember this publish run (one row per actor, overwritten: no growth when idle)."""
        value = json.dumps({"at": now.isoformat(), "counts": dict(counts)})
        with self.write() as connection:
            _set_meta(connection, f"last_run:{self.actor}", value)

    def last_runs(self) -> list[dict[str, Any]]:
        with self._read() as connection:
            rows = connection.execute(sa.select(meta).where(meta.c.key.like("last_run:%")))
            runs = [{"actor": row.key.split(":", 1)[1], **json.loads(row.value)} for row in rows]
        return sorted(runs, key=lambda run: run["at"], reverse=True)

    def heartbeat(
        self,
        now: datetime,
        started_at: datetime,
        problems: list[str],
        stopped: bool = False,
        kept: list[dict[str, Any]] | None = None,
    ) -> None:
        """A daemon says it is alive (or that it stopped), with the problems it sees and the
        deliveries it keeps due from the last good version of a broken queue file (``kept``)."""
        from hospipost import __version__

        host, _, pid = self.actor.rpartition(":")
        values = {
            "host": host,
            "pid": int(pid) if pid.isdigit() else 0,
            "version": __version__,
            "started_at": started_at,
            "last_seen": now,
            "stopped_at": now if stopped else None,
            "problems": json.dumps(problems, ensure_ascii=False),
        }
        with self.write() as connection:
            updated = connection.execute(daemons.update().where(daemons.c.name == self.actor).values(**values))
            if not updated.rowcount:
                connection.execute(daemons.insert().values(name=self.actor, **values))
            _set_meta(connection, f"kept:{self.actor}", json.dumps(kept or [], ensure_ascii=False))

    def daemon_list(self) -> list[dict[str, Any]]:
        """Every daemon that ever ran: its heartbeat, its problems and what it ``kept`` running."""
        with self._read() as connection:
            rows = connection.execute(sa.select(daemons).order_by(daemons.c.last_seen.desc())).all()
            kept = connection.execute(sa.select(meta).where(meta.c.key.like("kept:%"))).all()
        kept_by = {row.key.split(":", 1)[1]: json.loads(row.value) for row in kept}
        return [
            {**row._asdict(), "problems": json.loads(row.problems or "[]"), "kept": kept_by.get(row.name, [])}
            for row in rows
        ]

    def _event(self, connection: Connection, now: datetime, kind: str, item: Any, detail: dict | None) -> None:
        connection.execute(
            events.insert().values(
                at=now,
                delivery_id=item.id,
                post_id=item.post_id,
                network=item.network,
                kind=kind,
                actor=self.actor,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
        )

    # -- reading ---------------------------------------------------------------

    def get(self, item_id: str) -> Delivery | None:
        with self._read() as connection:
            row = connection.execute(sa.select(deliveries).where(deliveries.c.id == item_id)).first()
        return Delivery.from_row(row) if row else None

    def all(self, post_id: str | None = None, states: Iterable[str] | None = None) -> list[Delivery]:
        """The deliveries (of one post, in some states), each with the state of its retraction."""
        query = sa.select(deliveries).order_by(deliveries.c.due_at, deliveries.c.post_id, deliveries.c.network)
        if post_id:
            query = query.where(deliveries.c.post_id == post_id)
        if states:
            query = query.where(deliveries.c.state.in_(list(states)))
        with self._read() as connection:
            if self._has_retractions(connection):
                query = query.add_columns(retractions.c.state.label("retraction")).select_from(
                    deliveries.outerjoin(retractions, retractions.c.id == deliveries.c.id)
                )
            return [Delivery.from_row(row) for row in connection.execute(query)]

    def event_log(
        self, post_id: str | None = None, kinds: Iterable[str] | None = None, limit: int | None = None
    ) -> list[dict]:
        query = sa.select(events).order_by(events.c.id.desc())
        if post_id:
            query = query.where(events.c.post_id == post_id)
        if kinds:
            query = query.where(events.c.kind.in_(list(kinds)))
        if limit:
            query = query.limit(limit)
        with self._read() as connection:
            return [
                {**row._asdict(), "detail": json.loads(row.detail) if row.detail else {}}
                for row in connection.execute(query)
            ]


def _add_daemons(connection: Connection) -> None:
    daemons.create(connection, checkfirst=True)


def _add_retractions(connection: Connection) -> None:
    retracted_posts.create(connection, checkfirst=True)
    retractions.create(connection, checkfirst=True)


def _add_metric_snapshots(connection: Connection) -> None:
    metric_snapshots.create(connection, checkfirst=True)


MIGRATIONS: dict[int, Any] = {
    1: _add_daemons,
    2: _add_retractions,
    3: _add_metric_snapshots,
}  # step n: migrates schema version n to n + 1


def _retracted_here() -> Any:
    """A delivery whose post was retracted on its network (or on every network)."""
    return (
        sa.exists()
        .where(
            retracted_posts.c.post_id == deliveries.c.post_id,
            sa.or_(retracted_posts.c.network == EVERY_NETWORK, retracted_posts.c.network == deliveries.c.network),
        )
        .correlate(deliveries)
    )


def _schema_version(connection: Connection) -> int:
    if not sa.inspect(connection).has_table("hospipost_meta"):
        return 0
    row = connection.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row.value) if row else 0


def _pause_in_force(connection: Connection, now: datetime) -> Pause | None:
    row = connection.execute(sa.select(meta.c.value).where(meta.c.key == PAUSE)).first()
    pause = Pause.from_json(row.value) if row else None
    return pause if pause is not None and pause.in_force(now) else None


def _set_meta(connection: Connection, key: str, value: str) -> None:
    if connection.execute(sa.select(meta.c.key).where(meta.c.key == key)).first():
        connection.execute(meta.update().where(meta.c.key == key).values(value=value))
    else:
        connection.execute(meta.insert().values(key=key, value=value))


def _insert_ignore(engine: Engine, table: sa.Table = deliveries) -> Any:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        # Both dialects' insert() build an Insert with on_conflict_do_nothing(index_elements=...);
        # the stubs give them two distinct return classes, so the second import cannot match the first.
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(table).on_conflict_do_nothing(index_elements=["id"])


def _to_retract() -> Any:
    """The deliveries of a retracted post that a run still has to act on: sent without a retraction
    yet, or not sent (pending, failed) and so to withdraw."""
    no_retraction = ~sa.exists().where(retractions.c.id == deliveries.c.id).correlate(deliveries)
    return sa.and_(
        _retracted_here(),
        sa.or_(
            deliveries.c.state.in_([DeliveryState.PENDING, DeliveryState.FAILED]),
            sa.and_(deliveries.c.state == DeliveryState.SENT, no_retraction),
        ),
    )


def _retraction_row(item: Delivery, reason: str, by: str, now: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "post_id": item.post_id,
        "network": item.network,
        "state": RetractionState.REQUESTED,
        "reason": reason,
        "requested_by": by,
        "requested_at": now,
        "by_hand": False,
        "attempts": 0,
        "updated_at": now,
    }


STAGED_PREFIX = "staged:"  # networks.base.STAGED: a part prepared, never published


def _known_parts(connection: Connection, item_id: str) -> tuple[tuple[str, ...], bool, str | None]:
    """The network's ids of a sent delivery's parts (first part first), whether they are all of
    them, and the first part's URL. Since every part is recorded, the `sent` event lists them; a
    delivery sent before that kept its first part and the parts before the last one only."""
    row = connection.execute(sa.select(deliveries).where(deliveries.c.id == item_id)).first()
    if row is None:
        return (), False, None
    event = connection.execute(
        sa.select(events.c.kind, events.c.detail)
        .where(events.c.delivery_id == item_id, events.c.kind.in_(["sent", "reconciled"]))
        .order_by(events.c.id.desc())
        .limit(1)
    ).first()
    detail = json.loads(event.detail) if event is not None and event.detail else {}
    if event is not None and event.kind == "sent" and detail.get("parts"):
        return tuple(detail["parts"]), True, row.remote_url
    progress = [part for part in (json.loads(row.parts) if row.parts else []) if not part.startswith(STAGED_PREFIX)]
    known = ([row.remote_id] if row.remote_id and row.remote_id not in progress else []) + progress
    complete = bool(row.remote_id) and not progress and event is not None and event.kind == "sent"  # one part only
    return tuple(known), complete, row.remote_url


def _engine(url: str, create: bool) -> Engine:
    if url.startswith("sqlite:///"):
        return _sqlite_engine(url, create)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (sa.exc.ArgumentError, ModuleNotFoundError) as error:
        raise LedgerError(f"cannot use the ledger {redact_url(url)}: {error}") from None


def _sqlite_engine(url: str, create: bool) -> Engine:
    from pathlib import Path

    path = Path(url[len("sqlite:///") :])
    if not path.exists():
        if not create:
            raise NoLedger(f"no ledger at {path} yet: nothing was published from this folder")
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 60, "isolation_level": None})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA busy_timeout=60000")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the lock up front, so they queue instead of failing on upgrade;
        # readers use WAL snapshots and never block anyone.
        if connection.get_execution_options().get("hospipost_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def redact_url(url: str) -> str:
    """A database URL without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.split("@")[-1]


@contextmanager
def database_errors(url: Any, writing: bool) -> Iterator[None]:
    """Turn a database fault (corrupt file, read-only file, full disk, connection cut) into one LedgerError line."""
    import sqlite3

    try:
        yield
    except (sa.exc.SQLAlchemyError, sqlite3.Error) as error:
        raise LedgerError(_fault_message(str(url), error, writing)) from None


def _fault_message(url: str, error: Exception, writing: bool) -> str:
    text = _short(error)
    lowered = text.lower()
    if not url.startswith("sqlite:///"):
        action = "written" if writing else "read"
        return (
            f"The ledger {redact_url(url)} could not be {action} ({text}): check that the database is reachable, "
            "then run the command again; deliveries already sent stay recorded."
        )
    path = url[len("sqlite:///") :]
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (
            f"The ledger {path} is damaged ({text}): restore it from your backup "
            f"(or `sqlite3 {path} .recover`), then run the command again."
        )
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        blocking = _unwritable_file(path)
        fix = f"give it to the user that runs hospipost (`chown`, `chmod u+w {blocking}`) or remount the folder read-write"
        if blocking.endswith("-shm"):
            fix += ", or delete it while no hospipost command runs (SQLite rebuilds it)"
        return f"The ledger file {blocking} is read-only ({text}): {fix}, then run the command again."
    if "full" in lowered or "disk i/o" in lowered:
        return f"The ledger {path} could not be written ({text}): free space on its disk, then run the command again."
    return f"The ledger {path} could not be {'written' if writing else 'read'} ({text})."


def _unwritable_file(path: str) -> str:
    """Which of the database, its -wal or -shm file (or their folder) blocks writing."""
    for candidate in (path, f"{path}-wal", f"{path}-shm"):
        if os.path.exists(candidate) and not os.access(candidate, os.W_OK):
            return candidate
    folder = os.path.dirname(path) or "."
    return folder if not os.access(folder, os.W_OK) else path


def _short(error: Exception) -> str:
    return str(getattr(error, "orig", error)).splitlines()[0]


# -- the ledger's identity, kept beside config.yaml ------------------------------

MARKER_TEXT = """\
# The identity of this folder's hospipost ledger: commit this file with the posts.
# publish and the daemon refuse to run when the ledger is missing, emptied or another one,
# so that a lost ledger never re-sends everything. Restore the ledger from its backup, or
# start a new one deliberately with `hospipost ledger reset --start-afresh`.
{identity}
"""


def marker_path(config: Any) -> Any:
    return config.path.parent / MARKER_NAME


def read_marker(config: Any) -> str | None:
    """The ledger id recorded beside config.yaml, or None in a folder that never published."""
    path = marker_path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise LedgerError(f"{path}: cannot be read ({error}).") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise LedgerError(f"{path}: expected one ledger id; restore the file from git.")
    return lines[0]


def write_marker(config: Any, identity: str) -> None:
    path = marker_path(config)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(MARKER_TEXT.format(identity=identity), encoding="utf-8")
    os.replace(temporary, path)


def check_identity(config: Any, expected: str) -> None:
    """Refuse a ledger that is missing, empty or another one than the marker names."""
    url = config.state_url
    where = url[len("sqlite:///") :] if url.startswith("sqlite:///") else redact_url(url)
    restore = (
        f"restore it from your backup (state: {where} in {config.path.name}), or start a new one "
        f"deliberately with `hospipost ledger reset --start-afresh` (then only what is due from now on is sent)"
    )
    ledger = Ledger.open_existing(config.state_url)
    if ledger is None:
        raise LedgerNotHere(
            f"The ledger {where} is missing although {MARKER_NAME} says this folder published before: {restore}."
        )
    try:
        found = ledger.identity()
    finally:
        ledger.close()
    if found is None:
        raise LedgerNotHere(
            f"The ledger {where} is empty although {MARKER_NAME} says this folder published before: {restore}."
        )
    if found != expected:
        raise LedgerError(
            f"The ledger {where} is not the one {MARKER_NAME} names (another ledger, id {found[:8]}…): {restore}."
        )


def open_for_reading(config: Any, *, absent_ok: bool = False) -> Ledger | None:
    """The ONE read-only view of the ledger for every reading command (writes nothing).

    None when nothing was ever published from this folder; a LedgerError (one line, exit 2)
    when the ledger is damaged, unreachable, read-only where it matters, missing or another one.
    ``absent_ok``: a ledger that is missing or empty here is None too — for `check` and
    `queue`, which run in CI and in fresh clones of the posts, where no ledger is expected.
    """
    marker = read_marker(config)
    if marker is not None:
        try:
            check_identity(config, marker)
        except LedgerNotHere:
            if absent_ok:
                return None
            raise
    ledger = Ledger.open_existing(config.state_url)
    if ledger is not None and ledger.identity() is None:
        ledger.close()  # an empty database file: nothing was published into it
        return None
    return ledger


HEARTBEAT_TIMEOUT = timedelta(seconds=60)


def heartbeat_alive(daemon: dict[str, Any], now: datetime) -> bool:
    """Whether a daemon (a row of ``Ledger.daemon_list()``) still runs: not stopped, heard lately."""
    return daemon["stopped_at"] is None and now - daemon["last_seen"] < HEARTBEAT_TIMEOUT


def owner_alive_check(daemon_rows: list[dict[str, Any]], now: datetime) -> Callable[[str], bool]:
    """Whether the owner of a claim still runs: a process on this host is asked directly;
    a daemon elsewhere is judged by its heartbeat (``Ledger.daemon_list()``); anything else
    keeps its lease."""
    beats = {daemon["name"]: daemon for daemon in daemon_rows}

    def alive(owner: str) -> bool:
        host, _, pid = owner.rpartition(":")
        if host == socket.gethostname() and pid.isdigit():
            return _process_exists(int(pid))
        daemon = beats.get(owner)
        if daemon is None:
            return True
        return heartbeat_alive(daemon, now)

    return alive


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_claims(items: Iterable[Delivery], daemon_rows: list[dict[str, Any]], now: datetime) -> list[Delivery]:
    """The `sending` deliveries whose claimant is gone, judged as publish judges it (for `status`).

    ``daemon_rows`` is ``Ledger.daemon_list()``, already read by the caller.
    """
    alive = owner_alive_check(daemon_rows, now)
    return [
        item
        for item in items
        if item.state == DeliveryState.SENDING
        and ((item.lease_expires_at is not None and item.lease_expires_at <= now) or not alive(item.lease_owner or ""))
    ]
