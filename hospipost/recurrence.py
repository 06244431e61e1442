"""Occurrences: when a post is due. A one-off post has one; a recurring post (`every:`, a
cron expression in the config's local time, until `until:`) has one per firing.

Each occurrence is its own delivery in the ledger (key ``once`` for a one-off post, the
UTC instant for a recurring one), so moving a one-off post after it was sent never sends
it again, and a weekly post is sent once a week. Firings are computed by APScheduler's
CronTrigger in the local zone, so "every Monday at 09:00" stays at 09:00 across DST
changes; a firing that falls in a DST gap or fold follows APScheduler's rules (tested).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from hospipost.posts import Post

ONCE = "once"
MAX_OCCURRENCES = 10_000  # a guard against a cron firing every minute over years


@dataclass(frozen=True)
class Occurrence:
    """One due time of a post."""

    post: Post
    at: datetime
    key: str = ONCE


@lru_cache(maxsize=1024)
def cron_trigger(expression: str) -> Any:
    """APScheduler's CronTrigger for a 5-field crontab expression, on wall-clock time.

    The trigger runs in UTC, a zone without DST, so its firings are local wall-clock
    times; ``occurrences`` maps them to instants in the real zone. ValueError if invalid.
    """
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(_aps_weekdays(expression), timezone=UTC)


def _aps_weekdays(expression: str) -> str:
    """The expression with its numeric weekdays in APScheduler's numbering.

    In crontab 0 (and 7) is Sunday and 1 Monday; APScheduler 3 reads 0 as Monday. So
    "0 9 * * 1" would fire on Tuesdays: numbers are rewritten as an explicit list in
    APScheduler's numbering; names (MON, mon-fri) already mean the same in both.
    """
    fields = expression.split()
    if len(fields) != 5 or not any(ch.isdigit() for ch in fields[4]):
        return expression
    return " ".join([*fields[:4], ",".join(_weekday_token(token) for token in fields[4].split(","))])


def _weekday_token(token: str) -> str:
    body, _, step = token.partition("/")
    if body != "*" and not body.replace("-", "").isdigit():
        return token  # names, and anything invalid: APScheduler judges it
    if not step.isdigit() and step:
        return token
    if body == "*":
        low, high = 0, 6
    else:
        first, _, last = body.partition("-")
        low, high = int(first), int(last or (6 if step else first))
    days = range(low, high + 1, int(step or 1))
    if low > high or high > 7 or not days:
        return token
    return ",".join(sorted({str((day - 1) % 7) for day in days}, key=int))


def occurrence_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def occurrences(post: Post, start: datetime, end: datetime, zone: str) -> Iterator[Occurrence]:
    """The post's occurrences with start <= at <= end, in time order.

    A recurring post fires at local wall-clock times: a time that does not exist (the
    spring DST gap) fires when the clock has moved on, e.g. 02:30 → 03:30; a time that
    comes twice (the autumn fold) fires once, the first time.
    """
    if post.every is None:
        if post.at is not None and start <= post.at <= end:
            yield Occurrence(post, post.at, ONCE)
        return
    tz = ZoneInfo(zone)
    first = max(start, post.at) if post.at else start
    last = min(end, post.until) if post.until else end
    trigger = cron_trigger(post.every)
    wall = _as_wall(first, tz) - timedelta(hours=3)  # DST shifts move an instant by an hour at most
    previous = None
    for _ in range(MAX_OCCURRENCES):
        wall = trigger.get_next_fire_time(None, wall)
        if wall is None:
            return
        moment = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: first of a fold, gap → later
        if moment > last and wall > _as_wall(last, tz) + timedelta(hours=3):
            return
        if first <= moment <= last and (previous is None or moment > previous):
            previous = moment
            yield Occurrence(post, moment, occurrence_key(moment))
        wall += timedelta(seconds=1)


def _as_wall(moment: datetime, tz: ZoneInfo) -> datetime:
    """The local wall-clock time of an instant, labelled UTC (what the trigger works on)."""
    return moment.astimezone(tz).replace(tzinfo=UTC)


def next_occurrences(post: Post, after: datetime, zone: str, count: int = 3) -> list[Occurrence]:
    """The next few occurrences strictly after ``after`` (for queue list and status)."""
    found = []
    horizon = after + timedelta(days=3660)
    for occurrence in occurrences(post, after + timedelta(microseconds=1), horizon, zone):
        found.append(occurrence)
        if len(found) == count:
            break
    return found
