"""pii-video-location: a video that records where it was filmed is flagged, MP4 and MOV alike."""

from __future__ import annotations

import pytest

from hospipost.config import Config
from tests.fakes.video import make_video
from tests.helpers import findings, post_with

RULE = "pii-video-location"
ANGERS = "+47.4784-000.5632/"


def flagged(config: Config, name: str, location: str) -> list[str]:
    make_video(config.resolve("media") / name, location=location)
    post = post_with(media=[{"file": f"media/{name}", "alt": "Visite du service de pédiatrie."}])
    return [f.message for f in findings(config, post, rule=RULE)]


@pytest.mark.parametrize("name", ["visite.mov", "visite.mp4"])
def test_a_video_filmed_with_its_position_is_flagged(config: Config, name: str) -> None:
    assert flagged(config, name, ANGERS) == [
        f"media[0] 'media/{name}' records where it was filmed (a GPS position in its metadata):"
        " export it again without metadata."
    ]


@pytest.mark.parametrize("name", ["visite.mov", "visite.mp4"])
def test_a_video_without_position_passes(config: Config, name: str) -> None:
    assert flagged(config, name, "") == []


def test_it_is_an_error_that_cannot_be_missed(config: Config) -> None:
    make_video(config.resolve("media") / "v.mov", location=ANGERS)
    post = post_with(media=[{"file": "media/v.mov", "alt": "Visite du service."}])
    assert {f.severity.value for f in findings(config, post, rule=RULE)} == {"error"}
