"""Scheduling: posts left in the past, posts at night, local times that DST makes wrong."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hospipost.rules.contracts import Problem, Severity, rule
from hospipost.timeutil import dst_problem, in_window

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


@rule(
    "schedule-past",
    Severity.WARNING,
    fix="Give the post a new `at:` in the future, or delete it if it is no longer relevant.",
)
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


def _cron_values(field: str, low: int, high: int) -> set[int] | None:
    """The values of a simple cron field (*, */n, a-b, a-b/n, lists); None if not understood."""
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, _, b = part.partition("-")
            if not (a.isdigit() and b.isdigit()):
                return None
            first, last = int(a), int(b)
        elif part.isdigit():
            first = last = int(part)
            if step != 1:
                last = high
        else:
            return None
        if first < low or last > high or first > last:
            return None
        values.update(range(first, last + 1, step))
    return values


def _cron_times(every: str) -> list[time]:
    """The times of day a cron expression fires at (empty when the fields are not simple)."""
    fields = every.split()
    if len(fields) != 5:
        return []
    minutes, hours = _cron_values(fields[0], 0, 59), _cron_values(fields[1], 0, 23)
    if not minutes or not hours:
        return []
    return [time(h, m) for h in sorted(hours) for m in sorted(minutes)]


@rule(
    "schedule-quiet-hours",
    Severity.WARNING,
    fix="Move the post to a daytime slot (the config's `slots:`), or make it an alert if it truly cannot wait.",
)
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
        times = [t for t in _cron_times(post.every) if in_window(t, start, end)]
        if times:
            shown = ", ".join(f"{t:%H:%M}" for t in times[:3]) + (" …" if len(times) > 3 else "")
            yield Problem(f"recurring post at {shown}, inside the quiet hours {window}", "every")
        return
    if post.at is None:
        return
    local = post.at_wall or ctx.local(post.at)  # the wall time as written, else converted
    if in_window(local.time().replace(second=0, microsecond=0), start, end):
        yield Problem(f"scheduled at {local:%H:%M}, inside the quiet hours {start:%H:%M}-{end:%H:%M}", "at")


@rule(
    "schedule-dst",
    Severity.ERROR,
    fix="Pick a time outside 02:00-03:00 on DST change days, or write the UTC offset (2026-10-25T02:30+02:00).",
)
def schedule_dst(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A local time that does not exist, or happens twice, because of a DST change.

    Checks:
      The `at:` of a post, as written in local time (without an offset), in the
      config's time zone. On the spring change day the clocks skip an hour (in
      Europe/Paris, 2027-03-28 02:30 does not exist: 02:00 becomes 03:00); on the autumn
      change day an hour happens twice (2026-10-25 02:30 is both 02:30+02:00 and
      02:30+01:00). A time written with an offset (2026-10-25T02:30+01:00) is exact and
      never flagged.

    Why:
      A nonexistent time is silently moved by the scheduler, an ambiguous one is read as
      the first of the two: either way the post goes out at a time nobody chose, in the
      middle of the night. Better an error at check time than a surprise at 2 a.m.

    Fix:
      Choose another time (the change happens at night, when posts should not go out
      anyway), or write the offset you mean: 2026-10-25T02:30+02:00 (summer time, the
      first 02:30) or 2026-10-25T02:30+01:00 (winter time, the second).

    Examples:
      flagged:  at: 2027-03-28 02:30 (does not exist in Europe/Paris)
      flagged:  at: 2026-10-25 02:30 (happens twice in Europe/Paris)
      passes:   at: 2027-03-28 03:30; at: 2026-10-25T02:30+01:00
    """
    wall = post.at_wall
    if wall is None or not _changes_offset(wall.date(), ctx.config.timezone_name):
        return
    tz = ctx.config.timezone
    problem = dst_problem(wall, tz)
    if problem is None:
        return
    shown = wall.strftime("%Y-%m-%d %H:%M")
    zone = ctx.config.timezone_name
    first = wall.replace(tzinfo=tz, fold=0)  # read with the offset in force before the change
    second = wall.replace(tzinfo=tz, fold=1)  # read with the offset in force after it
    before, after = first.utcoffset(), second.utcoffset()
    assert before is not None and after is not None
    instants = sorted([first.astimezone(UTC), second.astimezone(UTC)])
    change = _change_instant(instants[0], instants[1], tz)
    jump = f"{(change + before).replace(tzinfo=None):%H:%M} to {(change + after).replace(tzinfo=None):%H:%M}"
    if problem == "nonexistent":
        # The scheduler would publish at the instant "wall with the old offset", which the
        # clocks show as wall + the shift: that is the time to write if it was meant.
        shown_instead = (wall + (after - before)).strftime("%H:%M")
        yield Problem(
            f"{shown} does not exist in {zone} (the clocks go forward from {jump} that night): "
            f"write {shown_instead} or another time",
            "at",
        )
    else:
        yield Problem(
            f"{shown} happens twice in {zone} (the clocks go back from {jump} that night): write "
            f"{wall:%Y-%m-%dT%H:%M}{_offset(first)} for the first or {wall:%Y-%m-%dT%H:%M}{_offset(second)} "
            "for the second, or pick another time",
            "at",
        )


@lru_cache(maxsize=4096)
def _changes_offset(day: date, zone: str) -> bool:
    """Whether the zone's UTC offset changes during that local day (a DST change day).

    No zone changes its offset on the first or the last day of the calendar (year 1,
    9999-12-31), where the next midnight cannot even be written: those days are not."""
    if day in (date.min, date.max):
        return False
    start = datetime.combine(day, time(0, 0), ZoneInfo(zone))
    return start.utcoffset() != (start + timedelta(days=1)).utcoffset()  # wall-clock arithmetic: next midnight


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _change_instant(low: datetime, high: datetime, tz: tzinfo) -> datetime:
    """The UTC instant, to the minute, at which the zone's offset changes between low and high."""
    target = high.astimezone(tz).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(second=0, microsecond=0)
