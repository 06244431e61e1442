"""Where a post stands in its publication: the one place the CLI asks.

Until the ledger exists the answer comes from the post alone. The ledger will turn
"past, not published" into what really happened (sent, failed, unknown, per network),
and "scheduled" into "sent" for a post already published.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospipost.posts import Post

DRAFT = "draft"
SCHEDULED = "scheduled"
PAST_NOT_PUBLISHED = "past, not published"


def publication_state(post: "Post", now: datetime) -> str:
    """"draft", "scheduled" or "past, not published" for ``post`` at ``now``."""
    if post.draft:
        return DRAFT
    if post.every is not None:  # a recurring post stays scheduled until its end date
        return PAST_NOT_PUBLISHED if post.until is not None and post.until < now else SCHEDULED
    if post.at is not None and post.at <= now:
        return PAST_NOT_PUBLISHED
    return SCHEDULED
