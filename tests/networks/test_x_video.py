"""X videos against a local server that behaves like X (tests/fakes/x_server.py): the chunked
tweet_video upload, its asynchronous processing, alt text, subtitles, then the post; with small
real H.264 videos made by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.x import X
from hospipost.posts import Media
from tests.fakes.video import make_video
from tests.fakes.x_server import FakeX, running
from tests.networks.kit import Parts

CREDENTIALS = {
    "HOSPIPOST_X_API_KEY": "SECRET-X-KEY-123",
    "HOSPIPOST_X_API_SECRET": "SECRET-X-APISECRET-456",
    "HOSPIPOST_X_ACCESS_TOKEN": "SECRET-X-TOKEN-789",
    "HOSPIPOST_X_ACCESS_TOKEN_SECRET": "SECRET-X-TOKENSECRET-000",
}
ALT = "Visite du service de pédiatrie : une infirmière accueille un enfant et ses parents."
VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue en pédiatrie.\n".encode()
SRT = b"1\n00:00:00,000 --> 00:00:01,000\nWelcome to paediatrics.\n"
CHUNK = 1024  # small appends, so that a small real video needs several


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with running(CREDENTIALS["HOSPIPOST_X_API_KEY"]) as server:
        yield server


def make_x(api_base: str = "https://api.x.com") -> X:
    options = {key: spec.default for key, spec in X.all_config_keys().items()} | {"api_base": api_base, "timeout": 5}
    adapter = X(NetworkSettings("x", True, options, 1), Credentials(CREDENTIALS))
    adapter.chunk_bytes = CHUNK
    adapter.sleeps = []  # type: ignore[attr-defined]
    adapter.sleep = adapter.sleeps.append  # type: ignore[attr-defined]
    return adapter


def video(tmp_path: Path, name: str = "visite.mp4", captions: bytes | None = None, **shape: float) -> Media:
    path = make_video(tmp_path / name, **({"seconds": 1.0, "width": 320, "height": 240} | shape))  # type: ignore[arg-type]
    captions_name = None
    if captions is not None:
        captions_name = f"visite.{'vtt' if captions.startswith(b'WEBVTT') else 'srt'}"
        (tmp_path / captions_name).write_bytes(captions)
    return Media(
        file=f"media/{name}",
        path=path,
        alt=ALT,
        people=False,
        consent=None,
        line=1,
        captions=f"media/{captions_name}" if captions_name else None,
        captions_path=tmp_path / captions_name if captions_name else None,
    )


def upload_steps(media_id: str, size: int) -> list[tuple[str, str]]:
    appends = [("POST", f"/2/media/upload/{media_id}/append")] * -(-size // CHUNK)
    return [("POST", "/2/media/upload/initialize"), *appends, ("POST", f"/2/media/upload/{media_id}/finalize")]


def status(media_id: str) -> tuple[str, str]:
    return ("GET", f"/2/media/upload?media_id={media_id}&command=STATUS")


# ---------------------------------------------------------------------- publishing


def test_a_video_post_is_uploaded_in_order_processed_then_published_once(fake: FakeX, tmp_path: Path) -> None:
    clip = video(tmp_path)
    data = clip.path.read_bytes()
    fake.process("pending", "in_progress", "in_progress", "succeeded", check_after=3)
    adapter, parts = make_x(fake.url), Parts()

    sent = adapter.publish(Rendering("x", ["Visite de la pédiatrie", "suite"], [clip]), "d-1", [], parts)

    [video_id] = fake.uploads
    [first, second] = fake.tweets
    assert sent == Sent(first["id"], f"https://x.com/i/web/status/{first['id']}")
    assert parts.calls == [(0, first["id"]), (1, second["id"])]
    assert fake.steps() == [
        *upload_steps(video_id, len(data)),
        status(video_id),
        status(video_id),
        status(video_id),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
        ("POST", "/2/tweets"),
    ]
    assert len(data) > 2 * CHUNK  # several appends
    assert fake.requests[0].body == {
        "media_type": "video/mp4",
        "total_bytes": len(data),
        "media_category": "tweet_video",
    }
    appends = [request.body for request in fake.requests if request.path.endswith("/append")]
    assert [append["segment_index"] for append in appends] == [str(n) for n in range(len(appends))]
    assert [len(append["media"]) for append in appends[:-1]] == [CHUNK] * (len(appends) - 1)
    assert fake.uploads[video_id].data == data  # the file, streamed whole and in order
    assert adapter.sleeps == [3.0, 3.0, 3.0]  # type: ignore[attr-defined]
    assert fake.uploads[video_id].alt == ALT
    assert first == {"id": first["id"], "text": "Visite de la pédiatrie", "media": {"media_ids": [video_id]}}
    assert second == {"id": second["id"], "text": "suite", "reply": {"in_reply_to_tweet_id": first["id"]}}
    assert all(request.authorization.startswith("OAuth ") for request in fake.requests)


def test_a_mov_video_that_needs_no_processing_is_posted_at_once(fake: FakeX, tmp_path: Path) -> None:
    clip = video(tmp_path, "visite.mov", seconds=2.0, width=160, height=90)
    adapter = make_x(fake.url)

    adapter.publish(Rendering("x", ["Visite"], [clip]), "d-1", [], Parts())

    assert fake.requests[0].body["media_type"] == "video/quicktime"
    assert not any("STATUS" in path for _, path in fake.steps()) and adapter.sleeps == []  # type: ignore[attr-defined]
    assert len(fake.tweets) == 1


def test_a_failed_processing_is_permanent_with_x_reason_and_posts_nothing(fake: FakeX, tmp_path: Path) -> None:
    fake.process("pending", "in_progress", "failed", reason="Video duration is too short")

    with pytest.raises(PermanentError) as raised:
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path)]), "d-1", [], Parts())

    assert str(raised.value) == (
        "X could not process the video media/visite.mp4 (Video duration is too short); nothing was published:"
        " replace the file, then publish again."
    )
    assert fake.tweets == [] and fake.steps()[-1] == status(next(iter(fake.uploads)))


def test_a_processing_that_never_ends_is_transient_and_bounded(fake: FakeX, tmp_path: Path) -> None:
    fake.process("pending", "in_progress", check_after=45)
    adapter = make_x(fake.url)

    with pytest.raises(TransientError) as raised:
        adapter.publish(Rendering("x", ["Visite"], [video(tmp_path)]), "d-1", [], Parts())

    assert str(raised.value) == (
        "X was still processing the video media/visite.mp4 after 585 s; nothing was published, hospipost will try"
        " again later."
    )
    assert adapter.sleeps == [45.0] * 13 and sum(adapter.sleeps) <= adapter.max_video_wait  # type: ignore[attr-defined]
    assert fake.tweets == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/2/media/upload/initialize", 503),
        ("GET", "/2/media/upload", 503),
        ("POST", "/2/media/metadata", 429),
    ],
)
def test_a_failing_upload_or_status_request_is_transient_never_unknown(
    fake: FakeX, tmp_path: Path, method: str, path: str, status: int
) -> None:
    fake.process("pending", "succeeded")
    fake.faults[(method, path)] = (status, {"title": "Service Unavailable", "type": "about:blank", "status": status})

    with pytest.raises(TransientError, match="while uploading the video media/visite.mp4"):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path)]), "d-1", [], Parts())

    assert fake.tweets == []


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ({"seconds": 141.0, "fps": 1, "width": 160, "height": 90}, "lasts 2 min 21 s and X takes at most 2 min 20 s"),
        ({"seconds": 1.0, "width": 320, "height": 96}, "has the shape 3.33:1 and X shows videos from 0.33:1 to 3:1"),
        ({"seconds": 0.2, "fps": 10}, "lasts 0.2 s and X needs at least 0.5 s"),
    ],
)
def test_a_video_over_x_limits_is_refused_before_any_request(
    fake: FakeX, tmp_path: Path, shape: dict[str, float], words: str
) -> None:
    clip = video(tmp_path, **shape)

    with pytest.raises(PermanentError, match=words):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [clip]), "d-1", [], Parts())

    assert fake.requests == []


def test_a_video_over_512_mb_is_refused_before_any_request(
    fake: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = video(tmp_path)
    real_stat = Path.stat

    def stat(path: Path, **kwargs: bool):  # type: ignore[no-untyped-def]
        result = real_stat(path, **kwargs)
        if path == clip.path:
            return type("Big", (), {"st_size": 512 * 1_048_576 + 1, "st_mode": result.st_mode})()
        return result

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(PermanentError, match="weighs 512 MB and X takes at most 512 MB"):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [clip]), "d-1", [], Parts())
    assert fake.requests == []


def test_a_video_beside_an_image_is_refused_before_any_request(fake: FakeX, tmp_path: Path) -> None:
    from tests.networks.kit import tiny_png

    (tmp_path / "a.png").write_bytes(tiny_png())
    picture = Media(file="media/a.png", path=tmp_path / "a.png", alt="a", people=False, consent=None, line=1)
    with pytest.raises(PermanentError, match="one video per post, without images"):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path), picture]), "d-1", [], Parts())
    assert fake.requests == []


# ---------------------------------------------------------------------- captions


@pytest.mark.parametrize(
    ("captions", "language", "kind", "track"),
    [
        (VTT, "fr", "text/vtt", {"language_code": "FR", "display_name": "Français"}),
        (SRT, "en-GB", "text/srt", {"language_code": "EN", "display_name": "English"}),
    ],
)
def test_captions_are_uploaded_as_subtitles_and_attached_before_the_post(
    fake: FakeX, tmp_path: Path, captions: bytes, language: str, kind: str, track: dict[str, str]
) -> None:
    clip = video(tmp_path, captions=captions)
    fake.process("pending", "succeeded")

    make_x(fake.url).publish(Rendering("x", ["Visite"], [clip], language), "d-1", [], Parts())

    video_id, captions_id = fake.uploads
    assert fake.steps() == [
        *upload_steps(video_id, clip.path.stat().st_size),
        status(video_id),
        ("POST", "/2/media/metadata"),
        *upload_steps(captions_id, len(captions)),
        ("POST", "/2/media/subtitles"),
        ("POST", "/2/tweets"),
    ]
    init = next(
        r.body for r in fake.requests if r.path == "/2/media/upload/initialize" and r.body["media_type"] == kind
    )
    assert init == {"media_type": kind, "total_bytes": len(captions), "media_category": "subtitles"}
    assert fake.uploads[captions_id].data == captions and fake.uploads[captions_id].alt is None
    assert fake.requests[-2].body == {
        "id": video_id,
        "media_category": "TweetVideo",
        "subtitles": {"id": captions_id, **track},
    }
    assert fake.uploads[video_id].subtitles == [{"id": captions_id, **track}]
    assert fake.tweets[0]["media"] == {"media_ids": [video_id]}


def test_captions_in_a_language_x_cannot_name_are_refused_and_nothing_is_posted(fake: FakeX, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="two-letter code and this post is in gsw"):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path, captions=VTT)], "gsw"), "d", [], Parts())
    assert fake.tweets == []


def test_a_refused_subtitles_request_is_permanent_and_posts_nothing(fake: FakeX, tmp_path: Path) -> None:
    fake.faults[("POST", "/2/media/subtitles")] = (400, {"errors": [{"message": "Invalid language code"}]})
    with pytest.raises(PermanentError) as raised:
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path, captions=VTT)]), "d", [], Parts())
    assert "Invalid language code" in str(raised.value)
    assert "attaching the captions media/visite.vtt to the video" in str(raised.value)
    assert fake.tweets == []


def test_a_video_that_fails_processing_sends_no_captions(fake: FakeX, tmp_path: Path) -> None:
    fake.process("failed", reason="Unsupported video")
    with pytest.raises(PermanentError, match="Unsupported video"):
        make_x(fake.url).publish(Rendering("x", ["Visite"], [video(tmp_path, captions=VTT)]), "d", [], Parts())
    assert fake.tweets == [] and len(fake.uploads) == 1


def test_only_the_post_itself_can_end_unknown(fake: FakeX, tmp_path: Path) -> None:
    """The video went through; the post's answer never came in time: unknown, as for any post."""
    fake.slow["/2/tweets"] = 1.5
    adapter = make_x(fake.url)
    adapter.settings.options["timeout"] = 0.5

    with pytest.raises(UnknownOutcome, match="did not answer within 0.5 s"):
        adapter.publish(Rendering("x", ["Visite"], [video(tmp_path)]), "d-1", [], Parts())


# ---------------------------------------------------------------------- dry run


def test_the_dry_run_shows_every_video_request_with_sizes_and_no_secret(tmp_path: Path) -> None:
    clip = video(tmp_path, captions=VTT)
    size = clip.path.stat().st_size
    adapter = make_x("http://127.0.0.1:9")
    adapter.chunk_bytes = size // 2 + 1  # two appends: the second one shorter
    base = "http://127.0.0.1:9/2/media"

    steps = adapter.payload(Rendering("x", ["Visite", "suite"], [clip]))

    file, captions = "media/visite.mp4", "media/visite.vtt"
    assert steps == [
        {
            "method": "POST",
            "url": f"{base}/upload/initialize",
            "file": file,
            "json": {"media_type": "video/mp4", "total_bytes": size, "media_category": "tweet_video"},
        },
        {
            "method": "POST",
            "url": f"{base}/upload/<media id 1>/append",
            "file": file,
            "multipart": {"media": f"<{size // 2 + 1} bytes of {file}>", "segment_index": 0},
        },
        {
            "method": "POST",
            "url": f"{base}/upload/<media id 1>/append",
            "file": file,
            "multipart": {"media": f"<{size - size // 2 - 1} bytes of {file}>", "segment_index": 1},
        },
        {"method": "POST", "url": f"{base}/upload/<media id 1>/finalize", "file": file},
        {
            "method": "GET",
            "url": f"{base}/upload",
            "file": file,
            "params": {"media_id": "<media id 1>", "command": "STATUS"},
            "until": "processing_info.state is succeeded, every check_after_secs",
        },
        {
            "method": "POST",
            "url": f"{base}/metadata",
            "file": file,
            "json": {"id": "<media id 1>", "metadata": {"alt_text": {"text": ALT}}},
        },
        {
            "method": "POST",
            "url": f"{base}/upload/initialize",
            "file": captions,
            "json": {"media_type": "text/vtt", "total_bytes": len(VTT), "media_category": "subtitles"},
        },
        {
            "method": "POST",
            "url": f"{base}/upload/<captions id>/append",
            "file": captions,
            "multipart": {"media": f"<{len(VTT)} bytes of {captions}>", "segment_index": 0},
        },
        {"method": "POST", "url": f"{base}/upload/<captions id>/finalize", "file": captions},
        {
            "method": "POST",
            "url": f"{base}/subtitles",
            "file": captions,
            "json": {
                "id": "<media id 1>",
                "media_category": "TweetVideo",
                "subtitles": {"id": "<captions id>", "language_code": "FR", "display_name": "Français"},
            },
        },
        {
            "method": "POST",
            "url": "http://127.0.0.1:9/2/tweets",
            "json": {"text": "Visite", "media": {"media_ids": ["<media id 1>"]}},
        },
        {
            "method": "POST",
            "url": "http://127.0.0.1:9/2/tweets",
            "json": {"text": "suite", "reply": {"in_reply_to_tweet_id": "<id of part 1>"}},
        },
    ]
    assert not any(secret in str(steps) for secret in CREDENTIALS.values())


def test_x_declares_its_video_limits() -> None:
    limits = X.limits.video
    assert limits is not None
    assert (limits.max_bytes, limits.min_seconds, limits.max_seconds) == (512 * 1_048_576, 0.5, 140.0)
    assert limits.types == frozenset({"video/mp4", "video/quicktime"}) and limits.captions
    assert limits.aspects == pytest.approx((1 / 3, 3.0))
