"""alert-expiry: an alert without an expiry (`valid_until`), or scheduled at or after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("alert-expiry", Severity.ERROR)
def alert_expiry(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An alert without an expiry (`valid_until`), or scheduled at or after it.

    Checks:
      A post with `kind: alert` must have `valid_until:`, the time after which it is
      never published (the publisher refuses it then, whatever the late window). Its
      `at:` must be before `valid_until`: an alert scheduled at or after its expiry can
      never go out.

    Why:
      An alert is true for one episode: the Météo-France vigilance map is updated at
      least at 6h and 16h, Canicule info service is opened per episode. An alert
      published late, after the episode, misinforms and wears out the public's
      attention for the next one.

    Fix:
      Add `valid_until: 2027-07-21 19:00` (local time), the end of the episode or of the
      vigilance level the alert is about; check that `at:` comes before it.

    Examples:
      flagged:  kind: alert, at: 2027-07-19 09:00, no valid_until
      flagged:  at: 2027-07-19 09:00, valid_until: 2027-07-18 19:00
      passes:   at: 2027-07-19 09:00, valid_until: 2027-07-21 19:00
    """
    if post.kind != "alert":
        return
    if post.valid_until is None:
        yield Problem("alert without `valid_until:` (when it stops being published)", None)
    elif post.at is not None and post.at >= post.valid_until:
        at = ctx.local(post.at).strftime("%Y-%m-%d %H:%M")
        until = ctx.local(post.valid_until).strftime("%Y-%m-%d %H:%M")
        yield Problem(
            f"alert scheduled at {at}, at or after its valid_until {until}: it can never be published", "valid_until"
        )
