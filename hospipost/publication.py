"""Where a post stands in its publication, from the posts and the ledger: what `queue list`
and `queue show` say ("sent", "sent 2/3, 1 failed", "scheduled", "past, not published",
"retracted"…).

The ledger is opened read-only, once per command; without a ledger (nothing published
yet from this folder) the answer comes from the post alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Delivery
    from hospipost.posts import Post

DRAFT = "draft"
SCHEDULED = "scheduled"
PAST_NOT_PUBLISHED = "past, not published"
SHOWN_STATES = ("failed", "unknown", "sending", "pending")


def publication_state(post: Post, now: datetime, deliveries: Iterable[Delivery] = ()) -> str:
    """A short phrase for the post at ``now``, given its deliveries in the ledger."""
    if post.draft:
        return DRAFT
    deliveries = list(deliveries)
    retracted = retraction_state(deliveries)
    if retracted is not None:
        return retracted
    if post.every is not None:
        if post.until is not None and post.until < now:
            return "ended" if deliveries else PAST_NOT_PUBLISHED
        sent = sum(1 for item in deliveries if item.state == "sent")
        return SCHEDULED + (f", {sent} sent so far" if sent else "")
    if not deliveries:
        return PAST_NOT_PUBLISHED if post.at is not None and post.at <= now else SCHEDULED
    states = Counter(str(item.state) for item in deliveries)
    if states["sent"] == len(post.networks):
        return "sent"
    words = [f"sent {states['sent']}/{len(post.networks)}"] if states["sent"] else []
    words += [
        f"{states[state]} {'retrying' if state == 'pending' else state}" for state in SHOWN_STATES if states[state]
    ]
    return ", ".join(words)


RETRACTION_WORDS = (
    ("retracted", "retracted"),
    ("requested", "retracting"),
    ("deleting", "retracting"),
    ("failed", "retraction failed"),
)


def retraction_state(deliveries: list[Delivery]) -> str | None:
    """A retracted post's state: "retracted" when `hospipost retract` deleted it everywhere it was sent (and withdrew
    the rest), else where it stands ("retracted on x; still sent on facebook"); None when the
    post was never retracted."""
    if not any(item.retraction for item in deliveries):
        return None
    if all(item.retraction == "retracted" or item.state == "withdrawn" for item in deliveries):
        return "retracted"
    words: dict[str, list[str]] = {}
    for state, word in RETRACTION_WORDS:
        words.setdefault(word, []).extend(sorted({i.network for i in deliveries if i.retraction == state}))
    still = sorted({item.network for item in deliveries if item.state == "sent" and not item.retraction})
    phrases = [f"{word} on {', '.join(networks)}" for word, networks in words.items() if networks]
    return "; ".join(phrases + ([f"still sent on {', '.join(still)}"] if still else []))


def ledger_deliveries(config: Config, *, absent_ok: bool = False) -> dict[str, list[Delivery]]:
    """Every delivery in the ledger, by post id (empty when nothing was ever published).

    An unreadable ledger raises LedgerError (one line, exit 2): never a guess from the posts alone;
    ``absent_ok``: see `open_for_reading`.
    """
    from hospipost.ledger import open_for_reading

    ledger = open_for_reading(config, absent_ok=absent_ok)
    if ledger is None:
        return {}
    try:
        by_post: dict[str, list[Delivery]] = {}
        for item in ledger.all():
            by_post.setdefault(item.post_id, []).append(item)
        return by_post
    finally:
        ledger.close()


def next_time(post: Post, config: Config, now: datetime) -> datetime | None:
    """When the post goes out next (its time, or a recurring post's next occurrence)."""
    if post.every is None:
        return post.at
    from hospipost.recurrence import next_occurrences

    found = next_occurrences(post, now, config.timezone_name, 1)
    return found[0].at if found else None
