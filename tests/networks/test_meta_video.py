"""Videos on Instagram (reels) and Threads against the local server imitating Meta's containers
(tests/fakes/meta_server.py): Meta fetches each video from its public address, processes it
(IN_PROGRESS, then FINISHED or ERROR), and the staged container is published once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hospipost.networks.base import PermanentError, Rendering, Sent, TransientError
from hospipost.networks.instagram import Instagram
from hospipost.networks.threads import Threads
from tests.fakes.meta_server import TOKEN, MetaServer, clip, image, make_adapter
from tests.networks.kit import Parts, jpeg_with_exif

CAPTION = "Visite virtuelle de la maternité du CHU. #Maternité"
USER = "17841400000000001"
ALT = "Visite guidée de la maternité"


@pytest.fixture
def instagram(meta: MetaServer) -> Instagram:
    return make_adapter(Instagram, meta)


@pytest.fixture
def threads(meta: MetaServer) -> Threads:
    return make_adapter(Threads, meta)


def publish(
    adapter: Any, parts: list[str], media: list[Any], done: list[str] | None = None
) -> tuple[Sent, Parts, list[tuple[int, str]]]:
    sent_parts, staged = Parts(), Parts()
    rendering = Rendering(adapter.name, parts, media)
    sent = adapter.publish(rendering, f"p1:{adapter.name}:once", done or [], sent_parts, staged)
    return sent, sent_parts, staged.calls


def reel(tmp_path: Path, **shape: Any) -> Any:
    """A video Instagram takes as a reel: at least 3 seconds."""
    return clip(tmp_path, captions="visite.vtt", **{"seconds": 3.0, **shape})


def no_token(meta: MetaServer, *texts: str) -> None:
    for request in meta.requests:
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
        assert "access_token" not in request.query and "access_token" not in request.form
    assert all(TOKEN not in text for text in texts)


# --- Instagram reels ------------------------------------------------------------------------


def test_a_reel_is_fetched_by_meta_processed_then_published_once(
    meta: MetaServer, instagram: Instagram, tmp_path: Path
) -> None:
    video = reel(tmp_path)
    meta.in_progress_polls = 2  # Meta processes the video for a while
    sent, parts, staged = publish(instagram, [CAPTION], [video])
    assert meta.shape() == [
        "GET content_publishing_limit",
        "POST media",
        "GET <id>",
        "GET <id>",
        "GET <id>",
        "POST media_publish",
        "GET <id>",
    ]
    create = meta.created()[0]
    assert create.path == f"/v27.0/{USER}/media"
    assert create.form == {
        "media_type": "REELS",
        "video_url": f"{meta.url}/public/media_visite.mp4",
        "caption": CAPTION,
        "share_to_feed": "true",
    }  # no alt_text (Instagram takes none on reels), no captions file
    [container] = meta.containers.values()
    assert container.fetched == video.path.read_bytes()  # Meta fetched exactly the file
    polls = meta.requests[2:5]
    assert {r.path for r in polls} == {f"/v27.0/{container.id}"}
    assert all(r.query == {"fields": "status_code,status"} for r in polls)
    assert instagram.sleeps == [instagram.video_poll_every] * 2
    assert meta.seen("POST", "media_publish")[0].form == {"creation_id": container.id}
    media_id = meta.published[0]["id"]
    assert sent == Sent(media_id, f"https://www.example.com/p/{media_id}/")
    assert parts.calls == [(0, media_id)] and staged == [(0, container.id)]
    assert instagram.public_media.files == [("media/visite.mp4", video.path, "video/mp4")]
    assert instagram.public_media.calls == []  # handed as a file, never as bytes read whole
    no_token(meta)


def test_a_reel_meta_cannot_process_is_permanent_with_its_reason(
    meta: MetaServer, instagram: Instagram, tmp_path: Path
) -> None:
    meta.in_progress_polls, meta.finals = 1, ["ERROR"]
    meta.reasons = ["Error: Video format is not supported. Please check spec for supported CodecId (2207026)"]
    with pytest.raises(PermanentError) as caught:
        publish(instagram, [CAPTION], [reel(tmp_path)])
    message = str(caught.value)
    assert "Instagram could not prepare the post (Error: Video format is not supported" in message
    assert "2207026" in message and "nothing was published" in message
    assert "the video must be MP4 or MOV" in message and "export media/visite.mp4 again that way" in message
    assert meta.seen("POST", "media_publish") == [] and meta.published == []


def test_a_reel_still_processing_is_transient_and_the_retry_publishes_that_container(
    meta: MetaServer, instagram: Instagram, tmp_path: Path
) -> None:
    video = reel(tmp_path)
    meta.in_progress_polls = 1000
    instagram.video_poll_for = 30
    with pytest.raises(TransientError) as caught:
        publish(instagram, [CAPTION], [video])
    assert str(caught.value) == (
        "Instagram was still processing the video media/visite.mp4 after 30 s; nothing was published,"
        " hospipost will try again later."
    )
    assert instagram.sleeps == [10.0, 10.0, 10.0] and meta.published == []
    [container] = meta.containers.values()
    container.polls_left = 0  # Meta has finished meanwhile
    sent, _, staged = publish(instagram, [CAPTION], [video], done=[f"staged:{container.id}"])
    assert len(meta.created()) == 1 and staged == [] and container.status == "PUBLISHED"
    assert sent.remote_id == meta.published[0]["id"] and len(meta.published) == 1


@pytest.mark.parametrize(
    ("shape", "problem"),
    [
        ({"seconds": 2.0}, "lasts 2 s and Instagram needs at least 3 s"),
        ({"seconds": 3.0, "width": 320, "height": 30}, "has the shape 10.67:1 and Instagram shows videos from 0.01:1"),
    ],
)
def test_a_video_instagram_would_refuse_is_refused_before_any_request(
    meta: MetaServer, instagram: Instagram, tmp_path: Path, shape: dict[str, float], problem: str
) -> None:
    with pytest.raises(PermanentError, match=problem):
        publish(instagram, [CAPTION], [clip(tmp_path, **shape)])
    assert meta.requests == [] and instagram.public_media.files == []


def test_a_video_over_the_size_limit_is_refused_before_any_request(
    meta: MetaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    video = reel(tmp_path)
    size = video.path.stat().st_size
    assert Instagram.limits.video is not None
    smaller = replace(Instagram.limits, video=replace(Instagram.limits.video, max_bytes=size - 1))
    monkeypatch.setattr(Instagram, "limits", smaller)  # a real 300 MB file would be slow to make
    adapter = make_adapter(Instagram, meta)
    with pytest.raises(PermanentError, match="(?i)the video media/visite.mp4 weighs"):
        publish(adapter, [CAPTION], [video])
    assert meta.requests == []


def test_a_video_beside_an_image_is_refused_before_any_request(
    meta: MetaServer, instagram: Instagram, tmp_path: Path
) -> None:
    media = [reel(tmp_path), image(tmp_path, "hall.jpg", jpeg_with_exif())]
    with pytest.raises(PermanentError, match="one video per post, without images"):
        publish(instagram, [CAPTION], media)
    assert meta.requests == []


def test_the_dry_run_of_a_reel_shows_its_container_and_size(instagram: Instagram, tmp_path: Path) -> None:
    video = reel(tmp_path)
    requests = instagram.payload(Rendering("instagram", [CAPTION], [video]))
    base = f"{instagram.api_base}/v27.0/{USER}"
    assert [(r["method"], r["url"]) for r in requests] == [
        ("GET", f"{base}/content_publishing_limit"),
        ("POST", f"{base}/media"),
        ("GET", f"{instagram.api_base}/v27.0/<container id>"),
        ("POST", f"{base}/media_publish"),
    ]
    assert requests[1]["data"] == {
        "media_type": "REELS",
        "video_url": f"<public address of media/visite.mp4 ({video.path.stat().st_size} bytes)>",
        "caption": CAPTION,
        "share_to_feed": "true",
    }
    assert requests[2]["params"] == {"fields": "status_code,status"}
    assert TOKEN not in str(requests)


# --- Threads videos -------------------------------------------------------------------------


def test_a_threads_video_carries_its_alt_text_and_the_thread_replies_to_it(
    meta: MetaServer, threads: Threads, tmp_path: Path
) -> None:
    video = clip(tmp_path, captions="visite.vtt", seconds=2.0, width=90, height=160)
    meta.in_progress_polls = 3
    sent, parts, staged = publish(threads, ["Visite de la maternité 1/2", "Inscriptions à l'accueil 2/2"], [video])
    first, second = meta.created()
    assert first.path == f"/v1.0/{USER}/threads"
    assert first.form == {
        "media_type": "VIDEO",
        "video_url": f"{meta.url}/public/media_visite.mp4",
        "text": "Visite de la maternité 1/2",
        "alt_text": ALT,
    }  # no captions file: Threads takes none
    [video_container, text_container] = meta.containers.values()
    assert video_container.fetched == video.path.read_bytes()
    assert second.form == {
        "media_type": "TEXT",
        "text": "Inscriptions à l'accueil 2/2",
        "reply_to_id": meta.published[0]["id"],
    }
    polls = meta.seen("GET", video_container.id)
    assert len(polls) == 4 and polls[0].query == {"fields": "status,error_message"}
    assert threads.sleeps == [threads.video_poll_every] * 3 + [threads.poll_every] * 3  # a text: shorter waits
    assert [r.form["creation_id"] for r in meta.seen("POST", "threads_publish")] == [
        video_container.id,
        text_container.id,
    ]
    assert parts.calls == [(0, meta.published[0]["id"]), (1, meta.published[1]["id"])]
    assert staged == [(0, video_container.id), (1, text_container.id)] and sent.remote_id == meta.published[0]["id"]
    no_token(meta)


def test_a_threads_video_meta_cannot_process_is_permanent_with_its_reason(
    meta: MetaServer, threads: Threads, tmp_path: Path
) -> None:
    meta.finals, meta.reasons = ["ERROR"], ["FAILED_PROCESSING_VIDEO"]
    with pytest.raises(PermanentError, match=r"Threads could not prepare the post \(FAILED_PROCESSING_VIDEO\)"):
        publish(threads, ["Visite de la maternité"], [clip(tmp_path)])
    assert meta.seen("POST", "threads_publish") == []


def test_a_threads_video_still_processing_is_transient(meta: MetaServer, threads: Threads, tmp_path: Path) -> None:
    meta.in_progress_polls = 1000
    with pytest.raises(TransientError, match=r"Threads was still processing the video media/visite.mp4 after 300 s"):
        publish(threads, ["Visite de la maternité"], [clip(tmp_path)])
    assert len(threads.sleeps) == 30 and meta.published == []


def test_a_video_threads_would_refuse_is_refused_before_any_request(
    meta: MetaServer, threads: Threads, tmp_path: Path
) -> None:
    with pytest.raises(PermanentError, match="has the shape 10.67:1 and Threads shows videos from 0.01:1 to 10.00:1"):
        publish(threads, ["Visite"], [clip(tmp_path, width=320, height=30)])
    assert meta.requests == []


def test_the_dry_run_of_a_threads_video(threads: Threads, tmp_path: Path) -> None:
    video = clip(tmp_path)
    requests = threads.payload(Rendering("threads", ["Visite", "Suite"], [video]))
    assert requests[1]["data"] == {
        "media_type": "VIDEO",
        "video_url": f"<public address of media/visite.mp4 ({video.path.stat().st_size} bytes)>",
        "text": "Visite",
        "alt_text": ALT,
    }
    assert requests[5]["data"] == {"media_type": "TEXT", "text": "Suite", "reply_to_id": "<id of part 1>"}


def test_neither_network_takes_a_captions_file() -> None:
    for network in (Instagram, Threads):
        limits = network.limits.video
        assert limits is not None and limits.captions is False
        assert limits.types == frozenset({"video/mp4", "video/quicktime"})
    assert Instagram.limits.video and (Instagram.limits.video.min_seconds, Instagram.limits.video.max_seconds) == (
        3,
        900,
    )
    assert Instagram.limits.video.max_bytes == 300 * 1024 * 1024
    assert Threads.limits.video and (Threads.limits.video.max_seconds, Threads.limits.video.max_bytes) == (300, 1 << 30)


# --- hospipost check judges videos with these limits ------------------------------------------


def test_check_judges_a_video_for_instagram_and_threads(config: Any) -> None:
    from tests.fakes.video import make_video
    from tests.helpers import findings, post_with

    make_video(config.resolve("media") / "visite.mp4", seconds=2.0, width=160, height=90)
    (config.resolve("media") / "visite.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue.\n")
    item = {"file": "media/visite.mp4", "alt": ALT, "captions": "media/visite.vtt"}
    post = post_with(networks=["instagram", "threads"], media=[item])
    found = {(f.rule, f.network, f.message) for f in findings(config, post)}
    media = {(network, message) for rule, network, message in found if rule == "network-media"}
    assert media == {("instagram", "media[0] 'media/visite.mp4' lasts 2 s and Instagram needs at least 3 s.")}
    captions = {(network, message) for rule, network, message in found if rule == "a11y-video-captions"}
    assert {network for network, _ in captions} == {"instagram", "threads"}
    assert all("takes no captions file: burn the captions" in message for _, message in captions)
