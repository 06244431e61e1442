"""X's weighted length (twitter-text v3). Placeholder replaced by the conformance-tested counter."""

from __future__ import annotations


def weighted_length(text: str) -> int:
    raise NotImplementedError
