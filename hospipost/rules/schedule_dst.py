"""schedule-dst: a local time that does not exist, or happens twice, because of a DST change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hospipost.rules.contracts import Problem, Severity, rule
from hospipost.timeutil import dst_problem

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("schedule-dst", Severity.ERROR)
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
