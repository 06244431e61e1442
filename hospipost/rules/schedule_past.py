"""schedule-past: a post dated in the past that was never published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 90:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


@rule("schedule-past", Severity.WARNING)
def schedule_past(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post dated in the past that was never published.

    Checks:
      A one-off post whose `at:` is before now and that the ledger has no record of
      publishing (on any network). Recurring posts (`every:`) are not checked while they
      run; one whose `until:` has passed without a single publication is. Within the
      late window (`late_window` in config.yaml, 6 h by default; an alert until its
      `valid_until`) the next `publish` run still sends it, late; after that it is
      reported as missed and is never sent automatically. The message says which.

    Why:
      A forgotten post in the queue is either a typo in its date (2026 for 2027) or news
      that is no longer news; publishing it late, or never, should be a decision.

    Fix:
      Set a new `at:` in the future, publish it by hand, or remove it from the queue.

    Examples:
      flagged (now 2026-11-23):  at: 2026-11-20 10:00, never published
      passes:                    at: 2026-12-01 10:00
    """
    now = ctx.now
    if post.every:
        if post.until is not None and post.until < now and not ctx.published(post):
            until = ctx.local(post.until).strftime("%Y-%m-%d")
            yield Problem(f"recurring post ended on {until} and was never published", "until")
        return
    if post.at is None or post.at >= now or ctx.published(post):
        return
    at = ctx.local(post.at).strftime("%Y-%m-%d %H:%M")
    if post.kind == "alert" and post.valid_until is not None:
        still_due = now <= post.valid_until
    else:
        still_due = now - post.at <= ctx.config.late_window
    if still_due:
        yield Problem(f"scheduled at {at}, {_ago(now - post.at)} ago, and not published yet: it will go out late", "at")
    else:
        yield Problem(
            f"scheduled at {at}, {_ago(now - post.at)} ago, and never published: it will not go out automatically", "at"
        )
