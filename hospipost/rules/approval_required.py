"""approval-required: every post is approved by someone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("approval-required", Severity.ERROR)
def approval_required(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post that nobody has approved (no `approved_by`).

    Checks:
      Every post needs `approved_by:`, the person who reviewed it before publication
      (set in the post or in the queue's `defaults:`). A post without it can be queued
      and checked (`queue add` accepts it) but is not published.

    Why:
      Hospitals' editorial charters (AP-HM, CH Périgueux) set a validation circuit
      before anything is published in the institution's name; the scheduling tools
      used by communication teams (Hootsuite, Sprout Social) have an approval step for
      the same reason. For health content a medical validator is advisable.

    Fix:
      Ask a reviewer (the communication lead, and a doctor for health advice) and add
      `approved_by: a.renier`.

    Examples:
      flagged:  author: c.dupuis (no approved_by)
      passes:   author: c.dupuis, approved_by: a.renier
    """
    if not (post.approved_by or "").strip():
        yield Problem("no `approved_by:`: the post has not been approved", None)
