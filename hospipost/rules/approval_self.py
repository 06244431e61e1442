"""approval-self: a post is not approved by its own author (names compared by ``_people``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._people import same_person
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

_SEVERAL = re.compile(r"\s*(?:[,;/&+]|\bet\b|\band\b)\s*", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _self_approved(author: str, approved_by: str) -> bool:
    approvers = [name for name in _SEVERAL.split(approved_by) if name.strip()]
    return bool(approvers) and all(same_person(author, approver) for approver in approvers)


@rule("approval-self", Severity.ERROR)
def approval_self(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post approved by its own author.

    Checks:
      `approved_by` must designate someone other than `author`. Names are compared
      ignoring case, accents, spaces, dots, underscores, hyphens and an e-mail domain
      ("C. Dupuis", "c.dupuis", "c_dupuis", "C.DUPUIS@chu-angers.fr" are one person),
      the order of first and last name ("Dupuis Claire" = "claire.dupuis") and an
      initial for the first name ("c.dupuis" = "Claire Dupuis"). When `approved_by`
      lists several people ("a.renier, c.dupuis"), one of them other than the author is
      enough. Each approval recorded by `hospipost approve` (`approvals:`) must be by
      someone other than the author, whatever their role.

    Why:
      An approval is a second pair of eyes: "Users cannot approve their own posts"
      (Hootsuite's approval workflow). A self-approved post bypasses the validation
      circuit of the hospital's editorial charter.

    Fix:
      Ask a colleague to review the post (`hospipost approve ID --as NAME`, or their name
      in `approved_by`).

    Examples:
      flagged:  author: c.dupuis, approved_by: "C. Dupuis"
      passes:   author: c.dupuis, approved_by: a.renier
    """
    if not post.author:
        return
    for index, approval in enumerate(post.approvals):
        if _self_approved(post.author, approval.by):
            role = f" as {approval.role}" if approval.role else ""
            yield Problem(
                f"approved{role} by its own author ({approval.by!r} is {post.author!r}): ask someone else",
                f"approvals[{index}]" if approval.recorded else "approved_by",
            )
