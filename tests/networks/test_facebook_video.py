"""Facebook Page videos against a local server that behaves like the Graph API's video endpoints:
the whole file or Meta's chunked upload, the processing states, the captions, the dry run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import PermanentError, Rendering, TransientError, UnknownOutcome
from hospipost.networks.facebook import Facebook
from hospipost.networks.facebook_video import PAGE_VIDEO, fb_locale
from hospipost.networks.srt import as_srt
from hospipost.posts import Media
from tests.fakes.facebook_video_server import PAGE, PROCESSING_FAILED, TOKEN, GraphVideos, running
from tests.fakes.video import make_video
from tests.networks.kit import Parts

TEXT = "Journée portes ouvertes de la maternité du CHU : visite guidée en vidéo, samedi de 10 h à 16 h."
VTT = (
    "WEBVTT\n\nNOTE written by the communication team\n\n"
    "intro\n00:00.000 --> 00:01.000 align:center\n<v Sage-femme>Bienvenue à la maternité.\n\n"
    "00:00:01.000 --> 00:00:02.000\nLa visite commence ici.\n"
)
SRT = "1\n00:00:00,000 --> 00:00:01,000\nBienvenue à la maternité.\n\n2\n00:00:01,000 --> 00:00:02,000\nLa visite commence ici.\n"


@pytest.fixture
def graph() -> Iterator[GraphVideos]:
    with running() as server:
        yield server


def adapter(server: GraphVideos, **attributes: Any) -> Facebook:
    settings = {"enabled": True, "page_id": PAGE, "token_env": "FB_TOKEN", "graph_version": "v27.0"}
    settings |= {"api_base": server.url, "timeout": 5}
    fb = Facebook(NetworkSettings("facebook", True, settings, 1), Credentials(environ={"FB_TOKEN": TOKEN}))
    fb.sleeps = []  # type: ignore[attr-defined]
    fb.sleep = fb.sleeps.append  # type: ignore[attr-defined,assignment]
    for name, value in attributes.items():
        setattr(fb, name, value)
    return fb


def clip(tmp_path: Path, captions: str | None = None, **size: Any) -> Media:
    path = make_video(tmp_path / "media" / "maternite.mp4", seconds=2, **size)
    captions_path = None
    if captions is not None:
        captions_path = tmp_path / "media" / ("maternite.vtt" if captions.startswith("WEBVTT") else "maternite.srt")
        captions_path.write_text(captions, encoding="utf-8")
    return Media(
        file="media/maternite.mp4",
        path=path,
        alt="Une sage-femme fait visiter une salle de naissance",
        people=False,
        consent=None,
        line=1,
        captions=f"media/{captions_path.name}" if captions_path else None,
        captions_path=captions_path,
    )


def rendering(media: Media) -> Rendering:
    return Rendering("facebook", [TEXT], [media], "fr")


def test_a_small_video_is_one_request_then_polled_until_ready(tmp_path: Path, graph: GraphVideos) -> None:
    media, parts, staged = clip(tmp_path), Parts(), Parts()
    sent = adapter(graph).publish(rendering(media), "p1:facebook", [], parts, staged)
    (video,) = graph.published()
    assert graph.shape() == ["POST videos source", "GET <video> status"]
    upload = graph.requests[0]
    assert upload.path == f"/v27.0/{PAGE}/videos" and upload.form["description"] == TEXT
    assert upload.files["source"] == ("maternite.mp4", media.path.read_bytes())
    assert all(TOKEN not in request.path + str(request.query) for request in graph.requests)
    assert sent.remote_id == video.id and sent.url == f"https://www.facebook.com/{PAGE}/videos/{video.id}"
    assert staged.calls == [(0, video.id)] and parts.calls == [(0, video.id)]


def test_processing_that_takes_several_polls_waits_at_facebooks_pace(tmp_path: Path, graph: GraphVideos) -> None:
    graph.processing_polls = 3
    fb = adapter(graph)
    fb.publish(rendering(clip(tmp_path)), "p1:facebook", [], Parts())
    assert graph.shape() == ["POST videos source"] + ["GET <video> status"] * 4
    assert fb.sleeps == [5.0, 5.0, 5.0]  # type: ignore[attr-defined]
    assert len(graph.published()) == 1


def test_a_large_video_goes_in_the_byte_ranges_facebook_asks_for(tmp_path: Path, graph: GraphVideos) -> None:
    media = clip(tmp_path)
    size = media.path.stat().st_size
    graph.chunk = 4000
    adapter(graph, simple_upload_max=1000).publish(rendering(media), "p1:facebook", [], Parts())
    ranges = [f"POST videos transfer {start}-{min(size, start + 4000)}" for start in range(0, size, 4000)]
    assert graph.shape() == ["POST videos start", *ranges, "POST videos finish", "GET <video> status"]
    assert graph.requests[0].form["file_size"] == str(size)
    session = graph.requests[0].form.get("upload_session_id")
    assert session is None and len({r.form["upload_session_id"] for r in graph.requests[1:-1]}) == 1
    (video,) = graph.published()
    assert bytes(video.data) == media.path.read_bytes() and video.description == TEXT
    assert graph.requests[-2].form["description"] == TEXT  # the text goes with finish, the publishing request


def test_processing_failure_is_permanent_with_metas_reason(tmp_path: Path, graph: GraphVideos) -> None:
    graph.processing_polls, graph.final = 1, "error"
    with pytest.raises(PermanentError) as raised:
        adapter(graph).publish(rendering(clip(tmp_path)), "p1:facebook", [], Parts())
    message = str(raised.value)
    assert message.startswith("Facebook could not process the video media/maternite.mp4 (")
    assert PROCESSING_FAILED.rstrip(".") in message and "re-export the video" in message


def test_processing_that_never_ends_is_transient_then_the_retry_waits_for_the_same_video(
    tmp_path: Path, graph: GraphVideos
) -> None:
    graph.processing_polls = 1000
    staged = Parts()
    fb = adapter(graph, processing_limit=12)
    with pytest.raises(TransientError, match=r"^Facebook was still processing the video media/maternite.mp4 after"):
        fb.publish(rendering(clip(tmp_path)), "p1:facebook", [], Parts(), staged)
    (video,) = graph.published()
    assert staged.calls == [(0, video.id)]
    video.polls_left = 1  # Facebook finishes meanwhile
    before = len(graph.requests)
    sent = fb.publish(rendering(clip(tmp_path)), "p1:facebook", [f"staged:{video.id}"], Parts())
    assert sent.remote_id == video.id and len(graph.published()) == 1  # published once
    assert graph.shape()[before:] == ["GET <video> status", "GET <video> status"]


@pytest.mark.parametrize(
    ("hang", "simple_max", "outcome", "published"),
    [
        ("POST videos source", None, UnknownOutcome, 1),  # the publishing request may have been processed
        ("POST videos finish", 1000, UnknownOutcome, 1),
        ("POST videos transfer", 1000, TransientError, 0),  # an upload: nothing is on the Page yet
        ("POST videos start", 1000, TransientError, 0),
    ],
)
def test_only_the_publishing_request_can_end_unknown(
    tmp_path: Path, graph: GraphVideos, hang: str, simple_max: int | None, outcome: type, published: int
) -> None:
    graph.hang[hang] = 1.5
    fb = adapter(graph, **({"simple_upload_max": simple_max} if simple_max else {}))
    fb.settings.options["timeout"] = 0.5
    with pytest.raises(outcome):
        fb.publish(rendering(clip(tmp_path)), "p1:facebook", [], Parts())
    assert len(graph.published()) == published


@pytest.mark.parametrize(
    ("size", "limits", "fragment"),
    [
        ({"width": 320, "height": 90}, PAGE_VIDEO, "has the shape 3.56:1 and Facebook shows videos from 9:16 to 16:9"),
        ({}, replace(PAGE_VIDEO, max_bytes=1000), "and Facebook takes at most 0 MB"),
    ],
)
def test_a_video_facebook_would_refuse_is_refused_before_any_request(
    tmp_path: Path, graph: GraphVideos, monkeypatch: pytest.MonkeyPatch, size: dict, limits: Any, fragment: str
) -> None:
    monkeypatch.setattr(Facebook, "limits", replace(Facebook.limits, video=limits))
    with pytest.raises(PermanentError, match="re-export it, then publish again") as raised:
        adapter(graph).publish(rendering(clip(tmp_path, **size)), "p1:facebook", [], Parts())
    assert fragment in str(raised.value)
    assert graph.requests == []


@pytest.mark.parametrize("captions", [VTT, SRT])
def test_captions_go_to_the_video_as_srt_once_it_is_ready(tmp_path: Path, graph: GraphVideos, captions: str) -> None:
    adapter(graph).publish(rendering(clip(tmp_path, captions)), "p1:facebook", [], Parts())
    assert graph.shape() == ["POST videos source", "GET <video> status", "POST captions"]
    (video,) = graph.published()
    assert video.captions == [("maternite.fr_FR.srt", SRT.encode(), "fr_FR")]


def test_a_refused_captions_file_is_logged_and_the_post_reported_online(
    tmp_path: Path, graph: GraphVideos, caplog: pytest.LogCaptureFixture
) -> None:
    graph.captions_fail = True
    with caplog.at_level(logging.WARNING):
        sent = adapter(graph).publish(rendering(clip(tmp_path, VTT)), "p1:facebook", [], Parts())
    assert sent.remote_id == graph.published()[0].id
    assert "published the video media/maternite.mp4 without its captions" in caplog.text
    assert "Invalid caption file" in caplog.text and TOKEN not in caplog.text


def test_the_dry_run_shows_the_video_requests(tmp_path: Path, graph: GraphVideos) -> None:
    media = clip(tmp_path, VTT)
    size, base = media.path.stat().st_size, f"{graph.url}/v27.0"
    source = {"file": "media/maternite.mp4", "name": "maternite.mp4", "bytes": size}
    status = {"method": "GET", "url": f"{base}/<video id>", "params": {"fields": "status"}, "until": "ready"}
    captions = {
        "method": "POST",
        "url": f"{base}/<video id>/captions",
        "data": {"default_locale": "fr_FR"},
        "files": {"captions_file": {"file": "media/maternite.vtt", "name": "maternite.fr_FR.srt", "format": "SRT"}},
    }
    videos = f"{base}/{PAGE}/videos"
    simple = {"method": "POST", "url": videos, "data": {"description": TEXT}, "files": {"source": source}}
    assert adapter(graph).payload(rendering(media)) == [simple, status, captions]
    chunked = adapter(graph, simple_upload_max=1000).payload(rendering(media))
    assert [request["data"].get("upload_phase") for request in chunked[:3]] == ["start", "transfer", "finish"]
    assert chunked[0]["data"]["file_size"] == str(size) and chunked[2]["data"]["description"] == TEXT
    assert TOKEN not in str(chunked) and graph.requests == []


@pytest.mark.parametrize(
    ("language", "locale"), [("fr", "fr_FR"), ("fr-CA", "fr_CA"), ("en", "en_US"), ("br", "br_BR"), ("", "fr_FR")]
)
def test_facebook_locales(language: str, locale: str) -> None:
    assert fb_locale(language) == locale


def test_srt_conversion_keeps_hours_and_drops_cue_settings() -> None:
    vtt = b"\xef\xbb\xbfWEBVTT\r\n\r\n01:02:03.004 --> 01:02:04.500 line:0\r\n<c.loud>Attention</c>\r\n"
    assert as_srt(vtt) == b"1\n01:02:03,004 --> 01:02:04,500\nAttention\n"
