"""Mastodon videos, through the real Mastodon.py against a local server behaving like an instance
(tests/fakes/mastodon_server.py), with small real H.264 videos made by the tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.mastodon import Mastodon
from hospipost.posts import Media
from tests.fakes.mastodon_server import NOT_PROCESSED, PROCESSING_ERROR, TOKEN, MastodonServer, running
from tests.fakes.video import make_video
from tests.helpers import findings, make_config, post_with
from tests.networks.kit import Parts

KEY = "visite-pediatrie:mastodon:once"
TEXT = "Visite du nouveau service de pédiatrie du CHU d'Angers, en une minute."
ALT = "Vidéo : une infirmière fait visiter les chambres du service de pédiatrie."


@pytest.fixture
def server() -> Iterator[MastodonServer]:
    with running() as state:
        yield state


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def adapter(server: MastodonServer, cache_dir: Path | None = None) -> Mastodon:
    options = {"enabled": True, "instance": "https://social.example.org", "api_base": server.url, "timeout": 5}
    options["token_env"] = "HOSPIPOST_MASTODON_TOKEN"
    credentials = Credentials(environ={"HOSPIPOST_MASTODON_TOKEN": TOKEN})
    made = Mastodon(NetworkSettings("mastodon", True, options, 1), credentials, cache_dir)
    made.sleep = FakeSleep()
    return made


def clip(tmp_path: Path, name: str = "visite.mp4", captions: bool = False, **size: Any) -> Media:
    path = make_video(tmp_path / "media" / name, **({"seconds": 1.0, "width": 320, "height": 240} | size))
    vtt = None
    if captions:
        vtt = path.with_suffix(".vtt")
        vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue en pédiatrie.\n", encoding="utf-8")
    return Media(
        f"media/{name}", path, ALT, False, None, 1, captions=f"media/{vtt.name}" if vtt else None, captions_path=vtt
    )


def padded(path: Path, megabytes: float) -> Path:
    """The video grown by a ``free`` box (valid MP4 padding that players skip) to weigh more."""
    size = int(megabytes * 2**20)
    with open(path, "ab") as handle:
        handle.write(size.to_bytes(4, "big") + b"free" + bytes(size - 8))
    return path


def rendering(media: Media, *parts: str) -> Rendering:
    return Rendering("mastodon", list(parts) or [TEXT], [media], "fr")


def sleeps(made: Mastodon) -> list[float]:
    assert isinstance(made.sleep, FakeSleep)
    return made.sleep.calls


# ---------------------------------------------------------------------- publishing


def test_a_video_post_is_uploaded_processed_and_published_once(tmp_path: Path, server: MastodonServer) -> None:
    video = clip(tmp_path)
    made, parts = adapter(server), Parts()

    sent = made.publish(rendering(video, TEXT, "Suite du fil"), KEY, [], parts)

    upload, first_poll, second_poll, first, second = server.requests
    media_id = next(iter(server.media))
    assert server.calls() == [
        ("POST", "/api/v2/media"),
        ("GET", f"/api/v1/media/{media_id}"),
        ("GET", f"/api/v1/media/{media_id}"),
        ("POST", "/api/v1/statuses"),
        ("POST", "/api/v1/statuses"),
    ]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in server.requests)
    assert upload.form == {"description": [ALT]}  # the alt text; no focus, no thumbnail, no captions
    assert upload.files == {"file": ("visite.mp4", "video/mp4", video.path.read_bytes())}
    assert upload.length > video.path.stat().st_size  # one multipart body, the whole file in it
    assert "Idempotency-Key" not in upload.headers
    assert server.media[media_id].history == ["queued", "complete"]  # 206, then 200 with its url
    assert sleeps(made) == [1.0, 2.0]
    assert first.form["media_ids[]"] == [media_id] and first.headers["Idempotency-Key"] == f"{KEY}#0"
    assert "media_ids[]" not in second.form  # the video goes with the first part only
    status_id = server.statuses[0]["id"]
    assert sent == Sent(status_id, f"{server.url}/@chu/{status_id}")
    assert parts.calls == [(0, status_id), (1, server.statuses[1]["id"])]
    assert server.statuses[0]["media_attachments"][0]["description"] == ALT

    again = made.publish(rendering(video, TEXT, "Suite du fil"), KEY, [s["id"] for s in server.statuses], Parts())

    assert again.remote_id == status_id and len(server.requests) == 5  # published once: nothing sent again


def test_processing_that_takes_several_polls_waits_at_the_adapter_pace(tmp_path: Path, server: MastodonServer) -> None:
    server.video_polls = 5
    made = adapter(server)

    made.publish(rendering(clip(tmp_path)), KEY, [], Parts())

    (attachment,) = server.media.values()
    assert attachment.history == ["queued", "in_progress", "in_progress", "in_progress", "in_progress", "complete"]
    assert sleeps(made) == [1.0, 2.0, 3.0, 5.0, 5.0, 5.0]
    assert [method for method, _ in server.calls()] == ["POST", *["GET"] * 6, "POST"]
    assert server.requests[-1].form["media_ids[]"] == [attachment.id]


def test_a_video_the_instance_cannot_process_is_permanent_and_publishes_nothing(
    tmp_path: Path, server: MastodonServer
) -> None:
    server.video_polls, server.video_final = 2, "failed"

    with pytest.raises(PermanentError) as caught:
        adapter(server).publish(rendering(clip(tmp_path)), KEY, [], Parts())

    assert str(caught.value) == (
        f"The Mastodon instance could not process the video media/visite.mp4 (HTTP 422: {PROCESSING_ERROR});"
        " nothing was published: replace or re-export it, then publish again."
    )
    assert server.statuses == [] and ("POST", "/api/v1/statuses") not in server.calls()


def test_processing_that_never_ends_is_transient_within_the_video_wait(tmp_path: Path, server: MastodonServer) -> None:
    server.video_polls = 10**6
    made = adapter(server)

    with pytest.raises(TransientError) as caught:
        made.publish(rendering(clip(tmp_path)), KEY, [], Parts())

    assert str(caught.value) == (
        "The Mastodon instance was still processing the video media/visite.mp4 after 296 s; nothing was published,"
        " hospipost will try again later."
    )
    assert sum(sleeps(made)) == 296 <= made.max_video_wait
    assert server.statuses == [] and ("POST", "/api/v1/statuses") not in server.calls()


@pytest.mark.parametrize(
    ("route", "status", "body", "expected"),
    [
        ("POST /api/v2/media", 503, {"error": "Service Unavailable"}, (TransientError, "uploading the video")),
        ("GET /api/v1/media", 502, {"error": "Bad Gateway"}, (TransientError, "process the video media/visite.mp4")),
        ("GET /api/v1/media", 404, {"error": "Record not found"}, (TransientError, "lost the video media/visite.mp4")),
        ("POST /api/v1/statuses", 422, {"error": NOT_PROCESSED}, (TransientError, "processing a media file")),
    ],
)
def test_failures_before_the_status_are_never_unknown(
    tmp_path: Path, server: MastodonServer, route: str, status: int, body: dict[str, Any], expected: tuple
) -> None:
    server.fail(route, status, body)
    with pytest.raises(expected[0], match=expected[1]) as caught:
        adapter(server).publish(rendering(clip(tmp_path)), KEY, [], Parts())
    assert not isinstance(caught.value, UnknownOutcome) and server.statuses == []


def test_a_video_over_the_instance_frame_size_is_refused_by_it_with_its_reason(
    tmp_path: Path, server: MastodonServer
) -> None:
    server.video_matrix_limit = 160 * 90  # what ffprobe measures, which hospipost does not check
    with pytest.raises(
        PermanentError, match=r"rejected uploading the video media/visite.mp4 \(HTTP 422: 320x240 videos"
    ):
        adapter(server).publish(rendering(clip(tmp_path)), KEY, [], Parts())
    assert server.calls() == [("POST", "/api/v2/media")]


# ---------------------------------------------------------------------- limits, before any request


def test_a_video_over_five_minutes_is_refused_before_any_request(tmp_path: Path, server: MastodonServer) -> None:
    long = clip(tmp_path, "long.mp4", seconds=301, width=160, height=90, fps=1)
    with pytest.raises(PermanentError) as caught:
        adapter(server).publish(rendering(long), KEY, [], Parts())
    assert str(caught.value) == (
        "The video media/long.mp4 lasts 5 min 01 s and the Mastodon instance takes at most 5 min: re-export it,"
        " then publish again."
    )
    assert server.requests == []


def test_the_instance_video_limits_are_learnt_and_applied_before_any_request(
    tmp_path: Path, server: MastodonServer
) -> None:
    server.video_size_limit, server.supported_mime_types = 2**20, ("image/png", "video/mp4")
    cache = tmp_path / "cache"
    assert adapter(server, cache).verify().startswith("@chu on social.example.org")
    learnt = json.loads((cache / "mastodon-limits.json").read_text(encoding="utf-8"))["https://social.example.org"]
    assert (learnt["video_bytes"], learnt["video_types"]) == (2**20, ["video/mp4"])
    server.requests.clear()
    heavy = clip(tmp_path, "heavy.mp4")
    padded(heavy.path, 1.5)

    with pytest.raises(PermanentError) as caught:
        adapter(server, cache).publish(rendering(heavy), KEY, [], Parts())
    assert str(caught.value) == (
        "The video media/heavy.mp4 weighs 1.5 MB and the Mastodon instance takes at most 1 MB: re-export it, then"
        " publish again."
    )
    with pytest.raises(PermanentError, match=r"media/visite.mov is MOV and the Mastodon instance takes MP4 videos"):
        adapter(server, cache).publish(rendering(clip(tmp_path, "visite.mov")), KEY, [], Parts())
    assert server.requests == []

    server.supported_mime_types = ("image/png",)  # an instance taking no video at all
    adapter(server, cache).verify()
    with pytest.raises(PermanentError, match="does not publish videos to the Mastodon instance"):
        adapter(server, cache).publish(rendering(clip(tmp_path)), KEY, [], Parts())
    assert server.calls() == [("GET", "/api/v2/instance/"), ("GET", "/api/v1/accounts/verify_credentials")]


def test_check_judges_videos_by_the_limits_the_instance_stated(tmp_path: Path, server: MastodonServer) -> None:
    config = make_config(tmp_path / "site")
    padded(make_video(config.resolve("media") / "visite.mp4"), 1.5)
    post = post_with(networks=["mastodon"], media=[{"file": "media/visite.mp4", "alt": ALT}])
    assert [f for f in findings(config, post, rule="network-media") if f.network == "mastodon"] == []

    server.video_size_limit = 2**20
    adapter(server, config.cache_dir).verify()

    assert [f.message for f in findings(config, post, rule="network-media") if f.network == "mastodon"] == [
        "media[0] 'media/visite.mp4' weighs 1.5 MB and Mastodon takes at most 1 MB."
    ]


# ---------------------------------------------------------------------- captions and the dry run


def test_mastodon_takes_no_captions_file_so_check_asks_to_burn_them_in(tmp_path: Path, server: MastodonServer) -> None:
    assert Mastodon.limits.video is not None and not Mastodon.limits.video.captions
    config = make_config(tmp_path / "site")
    video = clip(config.resolve("."), captions=True)
    item = {"file": video.file, "alt": ALT, "captions": video.captions}
    flagged = findings(config, post_with(networks=["mastodon"], media=[item]), rule="a11y-video-captions")
    assert [(f.network, f.message) for f in flagged] == [
        (
            "mastodon",
            "Mastodon takes no captions file: burn the captions of 'media/visite.mp4' into the video it receives.",
        )
    ]

    adapter(server).publish(rendering(video), KEY, [], Parts())

    upload = server.requests[0]
    assert set(upload.form) == {"description"} and set(upload.files) == {"file"}  # no captions sent
    assert all(b"WEBVTT" not in r.files.get("file", ("", "", b""))[2] for r in server.requests)


def test_the_dry_run_shows_the_video_requests_and_matches_what_publish_sends(
    tmp_path: Path, server: MastodonServer
) -> None:
    video = clip(tmp_path)
    offline = adapter(server)
    offline.credentials = Credentials(environ={})  # reading the token would raise

    payload = offline.payload(rendering(video, TEXT, "Suite du fil"), KEY)

    size = video.path.stat().st_size
    assert payload == [
        {
            "method": "POST",
            "url": f"{server.url}/api/v2/media",
            "file": "media/visite.mp4",
            "multipart": {"description": ALT, "file": {"name": "visite.mp4", "bytes": size, "type": "video/mp4"}},
            "then": f"when it answers 202: GET {server.url}/api/v1/media/<media id 1> while 206 (processing), until 200",
        },
        {
            "method": "POST",
            "url": f"{server.url}/api/v1/statuses",
            "headers": {"Idempotency-Key": f"{KEY}#0"},
            "data": {
                "status": TEXT,
                "sensitive": "0",
                "visibility": "public",
                "language": "fr",
                "media_ids[]": ["<media id 1>"],
            },
        },
        {
            "method": "POST",
            "url": f"{server.url}/api/v1/statuses",
            "headers": {"Idempotency-Key": f"{KEY}#1"},
            "data": {
                "status": "Suite du fil",
                "in_reply_to_id": "<id of part 1>",
                "sensitive": "0",
                "visibility": "public",
                "language": "fr",
            },
        },
    ]
    assert server.requests == [] and TOKEN not in json.dumps(payload)

    adapter(server).publish(rendering(video, TEXT, "Suite du fil"), KEY, [], Parts())

    posts = [r for r in server.requests if r.method == "POST"]
    assert [(p["method"], f"{server.url}{r.path}") for p, r in zip(payload, posts, strict=True)] == [
        (p["method"], p["url"]) for p in payload
    ]
    upload_file = posts[0].files["file"]
    assert payload[0]["multipart"]["file"] == {
        "name": upload_file[0],
        "bytes": len(upload_file[2]),
        "type": upload_file[1],
    }
    media_id = next(iter(server.media))
    assert posts[1].form["media_ids[]"] == [media_id]
    assert posts[2].form["in_reply_to_id"] == [server.statuses[0]["id"]]
