"""Per-post metrics: what each network says of the posts hospipost published (`hospipost stats`).

`fetch` reads the figures of every post sent within ``stats.since`` from each network that gives
them, networks in parallel and each in batches as large as its API allows, and keeps them in the
ledger as dated snapshots. A rate limit or a missing permission stops that network only. Figures
have hospipost's names (FIGURES) so that networks can be summed, and each network's own word for
display; a figure a network does not give (Mastodon and Bluesky give no views) is absent, never 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hospipost.networks import network_class, network_label

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.credentials import Credentials
    from hospipost.ledger import Delivery, Ledger, Snapshot
    from hospipost.posts import Post
    from hospipost.publisher import AdapterFactory

log = logging.getLogger(__name__)

FIGURES = {  # hospipost's name of each figure → how the team's tables head it
    "views": "Views",  # times the post was shown (impressions, views)
    "reach": "Reach",  # people it was shown to (unique views, accounts reached)
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "quotes": "Quotes",
    "saves": "Saves",
    "bookmarks": "Bookmarks",
    "clicks": "Clicks",
}
INTERACTIONS = ("likes", "comments", "shares", "quotes", "saves", "bookmarks")
"""What people did with a post, comparable across networks (clicks are left out: few networks count them)."""


@dataclass
class NetworkReading:
    """What one `stats fetch` got from one network."""

    network: str
    asked: int = 0  # published posts whose figures were asked for
    read: int = 0
    unread: int = 0  # posts the network gave no figures of: deleted there since, or not a kind it counts
    problem: str | None = None  # what stopped the reading (a rate limit, a missing permission), one line
    skipped: str | None = None  # why nothing was asked (X not allowed to bill, a network without figures)
    seconds: float = 0.0


@dataclass
class FetchResult:
    taken_at: datetime
    readings: list[NetworkReading] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(reading.problem is None for reading in self.readings)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.taken_at.isoformat(), "networks": {r.network: asdict(r) for r in self.readings}}


def fetch(
    config: Config,
    ledger: Ledger,
    now: datetime,
    *,
    since: timedelta | None = None,
    networks: Iterable[str] | None = None,
    credentials: Credentials | None = None,
    adapters: AdapterFactory | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FetchResult:
    """Read and keep the figures of every post sent since ``now - since`` (``stats.since``), on
    ``networks`` (every enabled one); posts never read, then those read longest ago, come first."""
    from hospipost.credentials import Credentials
    from hospipost.publisher import adapter_factory

    factory = adapters or adapter_factory(config, credentials or Credentials())
    result = FetchResult(now)
    work = _published(config, ledger, now - (since or config.stats.since), networks)
    if not work:
        ledger.record_stats_fetch(result.as_dict())
        return result
    with ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="stats") as pool:
        futures = [pool.submit(_read, config, name, items, factory, clock or _now) for name, items in work.items()]
        for future in as_completed(futures):
            reading, snapshots = future.result()
            ledger.record_snapshots(snapshots)  # as each network ends: a later failure loses nothing
            result.readings.append(reading)
    result.readings.sort(key=lambda reading: list(work).index(reading.network))
    ledger.record_stats_fetch(result.as_dict())
    return result


def _published(
    config: Config, ledger: Ledger, since: datetime, only: Iterable[str] | None
) -> dict[str, list[Delivery]]:
    from hospipost.ledger import DeliveryState

    wanted = set(only) if only is not None else set(config.enabled_networks())
    last_read = {snapshot.delivery_id: snapshot.taken_at for snapshot in ledger.snapshots(latest=True)}
    sent = [
        item
        for item in ledger.all(states=[DeliveryState.SENT])
        if item.network in wanted and item.remote_id and item.sent_at and item.sent_at >= since and not item.retraction
    ]
    sent.sort(key=lambda item: (item.id in last_read, last_read.get(item.id) or since, item.id))
    work: dict[str, list[Delivery]] = {}
    for item in sent:
        work.setdefault(item.network, []).append(item)
    return dict(sorted(work.items()))


def _read(
    config: Config, network: str, items: list[Delivery], factory: AdapterFactory, clock: Callable[[], datetime]
) -> tuple[NetworkReading, list[Snapshot]]:
    """One network's figures; never raises (a problem is reported in the reading)."""
    import time

    from hospipost.credentials import CredentialsError
    from hospipost.ledger import Snapshot
    from hospipost.networks.base import DeliveryError

    reading, snapshots = NetworkReading(network, asked=len(items)), []
    label = network_label(network)
    try:
        adapter = factory(network)
    except CredentialsError as error:
        reading.problem = str(error)
        return reading, []
    if not adapter.metric_words:
        reading.skipped = f"{label} gives no per-post figures to applications"
        return reading, []
    if adapter.metrics_billed and not getattr(config.stats, network, False):
        reading.skipped = f"{label} bills every read, so its figures are fetched only with `stats: {{{network}: true}}` in config.yaml"
        return reading, []
    by_id = {item.remote_id: item for item in items if item.remote_id}
    started, asked = time.monotonic(), 0
    try:
        for found in adapter.metrics(list(by_id)):
            asked = min(asked + adapter.metrics_batch, len(by_id))
            taken = clock()
            for remote_id, figures in found.items():
                if (item := by_id.get(remote_id)) is not None:
                    kept = {name: int(value) for name, value in figures.items() if name in adapter.metric_words}
                    snapshots.append(Snapshot(item.id, item.post_id, network, taken, kept))
    except (CredentialsError, DeliveryError) as error:
        reading.problem = str(error)
    except Exception as error:  # a bug in one adapter must not stop the others
        log.exception("reading the figures from %s failed", label)
        reading.problem = f"Internal error while reading the figures from {label} ({type(error).__name__})."
    reading.read, reading.unread = len(snapshots), asked - len(snapshots)
    reading.seconds = round(time.monotonic() - started, 3)
    return reading, snapshots


def _now() -> datetime:
    from hospipost.timeutil import utcnow

    return utcnow()


# -- what `stats` shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class PostFigures:
    """The latest figures of one sent delivery, with what the team knows of its post."""

    post_id: str
    network: str
    queue: str
    kind: str  # "" when the post is no longer in the queue files
    text: str
    sent_at: datetime
    url: str | None
    figures: dict[str, int]
    taken_at: datetime

    @property
    def interactions(self) -> int:
        return sum(self.figures.get(name, 0) for name in INTERACTIONS)

    @classmethod
    def of(cls, item: Delivery, post: Post | None, snapshot: Snapshot) -> PostFigures:
        """A sent delivery's figures as ``snapshot`` gives them; ``post`` None: no longer in the queue files."""
        kind, text = (post.kind, post.text_for(item.network)) if post else ("", "")
        sent_at = item.sent_at or snapshot.taken_at
        return cls(
            item.post_id,
            item.network,
            item.queue,
            kind,
            text,
            sent_at,
            item.remote_url,
            snapshot.figures,
            snapshot.taken_at,
        )


def most_interactions_first(rows: list[PostFigures]) -> None:
    """Sort rows by interactions, then views, then the time they were sent."""
    rows.sort(key=lambda row: (-row.interactions, -row.figures.get("views", 0), row.sent_at))


@dataclass
class Total:
    """Figures summed over a group of posts (a network, a kind, a queue)."""

    name: str
    posts: int = 0
    figures: dict[str, int] = field(default_factory=dict)
    giving: dict[str, int] = field(default_factory=dict)  # how many posts gave each figure

    def add(self, row: PostFigures) -> None:
        self.posts += 1
        for name, value in row.figures.items():
            self.figures[name] = self.figures.get(name, 0) + value
            self.giving[name] = self.giving.get(name, 0) + 1

    @property
    def interactions(self) -> int:
        return sum(self.figures.get(name, 0) for name in INTERACTIONS)

    def per_post(self, name: str) -> float | None:
        """The mean of a figure over the posts that gave it; None when none did."""
        return self.figures[name] / self.giving[name] if self.giving.get(name) else None


def latest_figures(ledger: Ledger, posts: Iterable[Post], since: datetime | None = None) -> list[PostFigures]:
    """The latest snapshot of every delivery sent since ``since``, most interactions first."""
    from hospipost.ledger import DeliveryState

    by_post = {post.id: post for post in posts}
    latest = {snapshot.delivery_id: snapshot for snapshot in ledger.snapshots(latest=True)}
    rows = []
    for item in ledger.all(states=[DeliveryState.SENT]):
        snapshot = latest.get(item.id)
        if snapshot is None or item.sent_at is None or (since is not None and item.sent_at < since):
            continue
        rows.append(PostFigures.of(item, by_post.get(item.post_id), snapshot))
    most_interactions_first(rows)
    return rows


def totals(rows: Iterable[PostFigures], by: str) -> list[Total]:
    """The rows summed by network, kind or queue, most interactions first."""
    groups: dict[str, Total] = {}
    for row in rows:
        name = getattr(row, by) or "(no longer in the queues)"
        groups.setdefault(name, Total(name)).add(row)
    return sorted(groups.values(), key=lambda total: (-total.interactions, total.name))


def in_own_words(network: str, figures: dict[str, int], none: str = "no figures") -> str:
    """Figures as the network names them, in FIGURES order: "1 204 views · 37 reactions"."""
    words = network_class(network).metric_words
    shown = [f"{count_text(figures[name])} {words[name]}" for name in FIGURES if name in figures and name in words]
    return " · ".join(shown) or none


def missing_figures(networks: Iterable[str]) -> list[str]:
    """For each network, the figures people expect and it does not give: "Mastodon gives no views"."""
    notes = []
    for network in sorted(set(networks)):
        words = network_class(network).metric_words
        lacking = [name for name in ("views", "reach") if name not in words]
        if words and lacking:
            notes.append(f"{network_label(network)} gives no {' and no '.join(lacking)}")
    return notes


def count_text(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # a narrow no-break space, as French typography groups digits
