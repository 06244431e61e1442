"""Waiting while a network processes an upload (a video, a large image, a Meta container)."""

from __future__ import annotations

import time
from collections.abc import Callable

from hospipost.networks.failures import TransientError

MIN_POLL = 1.0  # seconds between two questions, whatever the network suggests


def wait_until_processed(
    ready: Callable[[], float | None],
    *,
    what: str,
    who: str,
    limit: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Ask ``ready()`` until the network has processed ``what``: it returns None when done, or
    the seconds to wait before asking again (it raises PermanentError when processing failed).
    Past ``limit`` seconds of waiting: TransientError, nothing published, the next run asks again."""
    waited = 0.0
    while (delay := ready()) is not None:
        delay = max(MIN_POLL, delay)
        if waited + delay > limit:
            raise TransientError(
                f"{who} was still processing {what} after {waited:g} s; nothing was published, hospipost will try"
                " again later"
            )
        sleep(delay)
        waited += delay
