"""a11y-video-captions: a video names its captions file, and networks without one are named."""

from __future__ import annotations

import dataclasses

import pytest

from hospipost.config import Config
from hospipost.networks.facebook import Facebook
from hospipost.networks.video import VideoLimits
from hospipost.networks.x import X
from tests.fakes.video import make_video
from tests.helpers import findings, post_with

RULE = "a11y-video-captions"


@pytest.fixture
def clip(config: Config) -> str:
    make_video(config.resolve("media") / "visite.mp4")
    (config.resolve("media") / "visite.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue.\n")
    return "media/visite.mp4"


def flagged(config: Config, clip: str, **item: str) -> list[tuple[str | None, str]]:
    post = post_with(
        networks=["x", "facebook"], media=[{"file": clip, "alt": "Visite du service de pédiatrie.", **item}]
    )
    return [(f.network, f.message) for f in findings(config, post, rule=RULE)]


def test_a_video_without_captions_is_flagged_once(config: Config, clip: str) -> None:
    assert flagged(config, clip) == [
        (
            None,
            "media[0] 'media/visite.mp4' is a video without captions (`captions:`): people who cannot hear it, or"
            " watch without sound, miss what is said.",
        )
    ]


def test_captions_pass_where_the_network_shows_them_and_are_burnt_in_elsewhere(
    config: Config, clip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(X, "limits", dataclasses.replace(X.limits, video=VideoLimits(10**9, 140.0, captions=False)))
    monkeypatch.setattr(
        Facebook, "limits", dataclasses.replace(Facebook.limits, video=VideoLimits(10**9, 140.0, captions=True))
    )
    assert flagged(config, clip, captions="media/visite.vtt") == [
        ("x", "X takes no captions file: burn the captions of 'media/visite.mp4' into the video it receives.")
    ]


def test_images_are_not_concerned(config: Config) -> None:
    assert findings(config, post_with(), rule=RULE) == []


def test_the_rule_is_a_warning(config: Config, clip: str) -> None:
    post = post_with(media=[{"file": clip, "alt": "Visite du service de pédiatrie."}])
    assert {f.severity.value for f in findings(config, post, rule=RULE)} == {"warning"}
