"""Waiting while a network processes an upload: polls at the pace asked, gives up as transient."""

from __future__ import annotations

import pytest

from hospipost.networks.base import TransientError
from hospipost.networks.processing import wait_until_processed


def test_it_asks_again_at_the_pace_the_network_asks_until_done() -> None:
    answers, slept = [5.0, 0.2, None], []
    wait_until_processed(lambda: answers.pop(0), what="the video v.mp4", who="X", limit=60, sleep=slept.append)
    assert slept == [5.0, 1.0] and answers == []  # never faster than once a second


def test_past_the_limit_it_is_transient_and_says_what_was_being_processed() -> None:
    slept: list[float] = []
    with pytest.raises(TransientError, match=r"^X was still processing the video v.mp4 after 20 s; nothing was"):
        wait_until_processed(lambda: 10.0, what="the video v.mp4", who="X", limit=25, sleep=slept.append)
    assert slept == [10.0, 10.0]
