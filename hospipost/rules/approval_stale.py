"""approval-stale: a post changed after it was approved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.approval import describe_parts, stale_approvals
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("approval-stale", Severity.ERROR, ignorable=False)
def approval_stale(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post whose content changed after it was approved.

    Checks:
      `hospipost approve` records the hash of what the post publishes: its texts
      (text, variants, thread), its media files' bytes, alt texts and captions files,
      its networks, its time or recurrence, its language and its kind. When the post
      as it is now no longer has that hash, the approval is of something else: the
      rule says which parts changed since and who must approve again. Reformatting
      the YAML (key order, quotes, comments, a value moved into `defaults:`) changes
      nothing. An `ignore:` entry cannot silence it.

    Why:
      An approval vouches for one content: a post changed after its review has not
      been reviewed. The validation circuit of the hospital's editorial charter (see
      approval-required) is meant for what is actually published, not for an earlier
      draft. As an error, it keeps the post from being published.

    Fix:
      Have the post approved again (`hospipost approve ID`) once the change is
      reviewed, or undo the change.

    Examples:
      flagged:  approvals: [{by: a.renier, hash: sha256:…}] then the text is edited
      passes:   the same post, only its YAML reformatted
    """
    settings = ctx.config.approvals
    for stale in stale_approvals(post, ctx.config, ctx.cache):
        approval = stale.approval
        again = approval.by
        if settings is not None and approval.role in settings.roles:
            again = f"{approval.role} ({', '.join(settings.roles[approval.role])})"
        role = f" as {approval.role}" if approval.role else ""
        yield Problem(
            f"{describe_parts(stale.changed)} changed since {approval.by} approved it{role}: "
            f"{again} must approve it again (`hospipost approve {post.id}`)",
            stale.field,
        )
