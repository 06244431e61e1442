"""The times of day a simple cron expression fires at (for rules that check them)."""

from __future__ import annotations

from datetime import time


def cron_values(field: str, low: int, high: int) -> set[int] | None:
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


def cron_times(every: str) -> list[time]:
    """The times of day a cron expression fires at (empty when the fields are not simple)."""
    fields = every.split()
    if len(fields) != 5:
        return []
    minutes, hours = cron_values(fields[0], 0, 59), cron_values(fields[1], 0, 23)
    if not minutes or not hours:
        return []
    return [time(h, m) for h in sorted(hours) for m in sorted(minutes)]
