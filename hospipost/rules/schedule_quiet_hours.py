"""schedule-quiet-hours: a non-alert post scheduled at night, inside the config's quiet hours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._cron import cron_times
from hospipost.rules.contracts import Problem, Severity, rule
from hospipost.timeutil import in_window

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("schedule-quiet-hours", Severity.WARNING)
def schedule_quiet_hours(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A non-alert post scheduled at night, inside the config's quiet hours.

    Checks:
      When `compliance.quiet_hours` is set in config.yaml (e.g. start 21:00, end 07:30,
      a window that may wrap past midnight; start included, end excluded), a post whose
      local time falls inside it is flagged, unless it is `kind: alert`. For a recurring
      post, the hours and minutes of its cron expression are checked (e.g. "0 22 * * MON").

    Why:
      A post at night reaches few readers, and a hospital account posting at 2 a.m.
      worries more than it informs; nobody is on duty to answer comments. Alerts are
      exempt: they go out when the danger is.

    Fix:
      Pick a daytime slot (those of `slots:` in config.yaml), or change `kind:` to alert
      if it is one.

    Examples:
      flagged:  kind: news, at: 2026-12-01 22:30 (quiet hours 21:00-07:30)
      passes:   kind: news, at: 2026-12-01 10:00; kind: alert, at: 2026-12-01 22:30
    """
    quiet = ctx.config.compliance.quiet_hours
    if quiet is None or post.kind == "alert":
        return
    start, end = quiet
    if post.every:
        window = f"{start:%H:%M}-{end:%H:%M}"
        times = [t for t in cron_times(post.every) if in_window(t, start, end)]
        if times:
            shown = ", ".join(f"{t:%H:%M}" for t in times[:3]) + (" …" if len(times) > 3 else "")
            yield Problem(f"recurring post at {shown}, inside the quiet hours {window}", "every")
        return
    if post.at is None:
        return
    local = post.at_wall or ctx.local(post.at)  # the wall time as written, else converted
    if in_window(local.time().replace(second=0, microsecond=0), start, end):
        yield Problem(f"scheduled at {local:%H:%M}, inside the quiet hours {start:%H:%M}-{end:%H:%M}", "at")
