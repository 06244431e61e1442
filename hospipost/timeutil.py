"""Local times in the config's zone: parsing, and the two DST traps (gaps and folds)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
_HAS_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_HH_MM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class TimeValueError(ValueError):
    """A value that is not a time this tool understands; the message is for the user."""


# Far enough for any real post, near enough that day arithmetic and zone conversions
# around a date (DST checks, recurrences, windows) never leave datetime's range.
MIN_YEAR, MAX_YEAR = 1970, 9000
MAX_RELATIVE = timedelta(days=366 * 100)


def parse_datetime(value: object, tz: ZoneInfo, *, end_of_day: bool = False) -> tuple[datetime, datetime | None]:
    """Like _parse_datetime, refusing years outside MIN_YEAR..MAX_YEAR."""
    moment, wall = _parse_datetime(value, tz, end_of_day=end_of_day)
    if not MIN_YEAR <= (wall or moment).year <= MAX_YEAR:
        raise TimeValueError(f"{value!s} is out of range: write a date between {MIN_YEAR} and {MAX_YEAR}")
    return moment, wall


def _parse_datetime(value: object, tz: ZoneInfo, *, end_of_day: bool = False) -> tuple[datetime, datetime | None]:
    """Return (aware datetime, naive local wall time or None when an offset was given).

    Accepts a YAML datetime, a date (midnight, or 23:59:59 with ``end_of_day``), or a
    string "YYYY-MM-DD HH:MM" (local) or ISO 8601 with an offset.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value, None
        return value.replace(tzinfo=tz), value
    if isinstance(value, date):
        wall = datetime.combine(value, time(23, 59, 59) if end_of_day else time(0, 0))
        return wall.replace(tzinfo=tz), wall
    if not isinstance(value, str):
        raise TimeValueError(f"expected a date and time such as 2027-07-19 09:00, got {value!r}")
    text = value.strip()
    if len(text) > 10:  # not a bare date: the fast ISO parser first ("2027-07-19 09:00", offsets)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (moment, None) if moment.tzinfo else (moment.replace(tzinfo=tz), moment)
    if _HAS_OFFSET.search(text):
        raise TimeValueError(f"{value!r} is not a valid ISO 8601 date and time")
    for fmt in _LOCAL_FORMATS:
        try:
            wall = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return wall.replace(tzinfo=tz), wall
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise TimeValueError(
            f"{value!r} is not a date and time; write 2027-07-19 09:00 (local) or 2027-07-19T09:00+02:00"
        ) from None
    return _parse_datetime(day, tz, end_of_day=end_of_day)


_RELATIVE = re.compile(r"^\+\s*(\d+)\s*(m|min|h|d)$")


def parse_relative(value: str) -> timedelta:
    """ "+90m", "+6h", "+3d": a duration from now."""
    match = _RELATIVE.match(value.strip())
    if not match:
        raise TimeValueError(f"{value!r} is not a relative time; write +90m, +6h or +3d")
    unit = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}[match[2]]
    if len(match[1]) > 9 or timedelta(**{unit: int(match[1])}) > MAX_RELATIVE:
        raise TimeValueError(f"{value!r} is too far ahead; the limit is {MAX_RELATIVE.days} days")
    return timedelta(**{unit: int(match[1])})


def dst_problem(wall: datetime, tz: ZoneInfo) -> str | None:
    """'nonexistent' when the wall time falls in a spring-forward gap, 'ambiguous' in a fold."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "ambiguous" if round_trip == wall else "nonexistent"


def parse_hh_mm(value: object) -> time:
    """Parse "HH:MM" (24-hour clock)."""
    match = _HH_MM.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        raise TimeValueError(f'expected a time such as "09:00", got {value!r}')
    return time(int(match[1]), int(match[2]))


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_window(moment: time, start: time, end: time) -> bool:
    """Whether a time of day lies in [start, end), a window that may wrap past midnight."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


ONE_DAY = timedelta(days=1)
