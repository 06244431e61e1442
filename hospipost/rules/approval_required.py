"""approval-required: every post is approved by someone (by each required role, when config.yaml has approvals:)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.approval import counts_for, describe_roles, missing_roles
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("approval-required", Severity.ERROR)
def approval_required(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post that nobody has approved (no `approved_by`), or not every role it needs.

    Checks:
      Every post needs `approved_by:`, the person who reviewed it before publication
      (set in the post or in the queue's `defaults:`), or an approval recorded by
      `hospipost approve` (`approvals:`). A post without it can be queued and checked
      (`queue add` accepts it) but is not published. When config.yaml has `approvals:`,
      the post needs an approval recorded by `hospipost approve` from each role its kind
      requires (`approvals.required`; one of them for `one_of:`, one approver of any
      role for a kind not listed), by a person that `approvals.roles` names in that role.

    Why:
      Hospitals' editorial charters (AP-HM, CH Périgueux) set a validation circuit
      before anything is published in the institution's name; the scheduling tools
      used by communication teams (Hootsuite, Sprout Social) have an approval step for
      the same reason. For health content a medical validator is advisable.

    Fix:
      Ask a reviewer (the communication lead, and a doctor for health advice) to run
      `hospipost approve ID`, or add `approved_by: a.renier` when config.yaml has no
      `approvals:`.

    Examples:
      flagged:  author: c.dupuis (no approved_by)
      flagged:  kind: innovation approved by communication only, when innovation
                requires [communication, medical]
      passes:   author: c.dupuis, approved_by: a.renier
    """
    settings = ctx.config.approvals
    if settings is None:
        if not post.approvals:
            yield Problem("no `approved_by:`: the post has not been approved", None)
        return
    field = "approvals" if "approvals" in post.lines else None
    for approval in post.approvals:
        if approval.recorded and not counts_for(approval, settings):
            where = f"role {approval.role!r}" if approval.role else "no role"
            yield Problem(
                f"the approval by {approval.by} ({where}) does not count: config.yaml's approvals.roles "
                f"does not name them in that role",
                field,
            )
    roles, any_one = missing_roles(post, settings)
    if roles:
        bare = (
            " (`approved_by:` is not enough when config.yaml has approvals:)"
            if any(not a.recorded for a in post.approvals)
            else ""
        )
        yield Problem(
            f"waits for the approval of {describe_roles(roles, settings, any_one)}{bare}: "
            f"`hospipost approve {post.id}`",
            field,
        )
