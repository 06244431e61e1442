"""LinkedIn videos (Videos API, then Posts API) against a local server that behaves like LinkedIn, with small
real videos made by the tests: parts as LinkedIn names them, ETags, captions, processing states, limits, dry run."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hospipost.config import Config, NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks import linkedin_media
from hospipost.networks.base import PermanentError, Rendering, TransientError, UnknownOutcome
from hospipost.networks.linkedin import LinkedIn
from hospipost.networks.linkedin_media import VIDEO
from hospipost.posts import Media
from tests.fakes.linkedin_server import TOKEN, LinkedInServer, running
from tests.fakes.video import make_video
from tests.helpers import findings, post_with
from tests.networks.kit import Parts

ORG = "urn:li:organization:123"
TEXT = "Canicule : le Dr Martin (urgences) rappelle les bons gestes. #Canicule"
SENT_TEXT = "Canicule : le Dr Martin \\(urgences\\) rappelle les bons gestes. {hashtag|\\#|Canicule}"
ALT = "Vidéo : le Dr Martin, urgentiste, montre comment se rafraîchir et quand appeler le 15"
VTT = "WEBVTT\n\n00:00.500 --> 00:02.000 align:start\n<v Dr Martin>Buvez de l'eau.</v>\n\n00:02.000 --> 00:03.000\nAppelez le 15.\n"
SRT = "1\n00:00:00,500 --> 00:00:02,000\nBuvez de l'eau.\n\n2\n00:00:02,000 --> 00:00:03,000\nAppelez le 15.\n"
DISTRIBUTION = {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []}


class Adapter(LinkedIn):
    """The adapter with its waits recorded instead of slept."""

    slept: list[float]


def make_adapter(api_base: str, environ: dict[str, str] | None = None) -> Adapter:
    settings = {"enabled": True, "organization": ORG, "token_env": "HOSPIPOST_LINKEDIN_TOKEN", "version": "202610"}
    settings |= {"token_expires": None, "api_base": api_base, "timeout": 7}
    credentials = Credentials(environ={"HOSPIPOST_LINKEDIN_TOKEN": TOKEN} if environ is None else environ)
    adapter = Adapter(NetworkSettings("linkedin", True, settings, 1), credentials)
    adapter.slept = []
    adapter.sleep = adapter.slept.append  # type: ignore[method-assign]
    return adapter


@pytest.fixture
def server() -> Iterator[LinkedInServer]:
    with running() as fake:
        yield fake


def video(tmp_path: Path, name: str = "canicule.mp4", captions: str | None = None, **measures: Any) -> Media:
    path = make_video(tmp_path / "media" / name, **{"seconds": 3.0, "width": 320, "height": 240, **measures})
    captions_path = None
    if captions is not None:
        captions_path = tmp_path / "media" / "canicule.vtt"
        captions_path.write_text(captions, encoding="utf-8")
    file = "media/canicule.vtt" if captions is not None else None
    return Media(f"media/{name}", path, ALT, False, None, 1, file, captions_path)


def publish(adapter: LinkedIn, media: Media, parts: Parts | None = None) -> str:
    return adapter.publish(Rendering("linkedin", [TEXT], [media]), "p1:linkedin", [], parts or Parts()).remote_id


def expected_post(urn: str) -> dict[str, Any]:
    return {
        "author": ORG,
        "commentary": SENT_TEXT,
        "visibility": "PUBLIC",
        "distribution": DISTRIBUTION,
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        "content": {"media": {"id": urn, "title": ALT, "altText": ALT}},
    }


def test_a_video_goes_up_in_the_parts_linkedin_names_then_is_published_once(
    server: LinkedInServer, tmp_path: Path
) -> None:
    adapter, clip, parts = make_adapter(server.url), video(tmp_path), Parts()
    size = clip.path.stat().st_size
    remote_id = publish(adapter, clip, parts)

    [upload] = server.uploads.values()
    count = len(upload.parts)
    assert count == -(-size // 1024) >= 3  # 1 KB parts at this server, 4 MB at LinkedIn
    assert server.steps() == ["initialize", *["part"] * count, "finalize", "status", "post"]
    initialize, *puts = server.requests[: 1 + count]
    assert initialize.json == {
        "initializeUploadRequest": {
            "owner": ORG,
            "fileSizeBytes": size,
            "uploadCaptions": False,
            "uploadThumbnail": False,
        }
    }
    assert [request.path for request in puts] == [
        f"/upload/{upload.urn.removeprefix('urn:li:video:D4E10AQ')}/part/{n}" for n in range(1, count + 1)
    ]
    assert [len(request.body) for request in puts] == [1024] * (count - 1) + [size - 1024 * (count - 1)]
    assert upload.data == clip.path.read_bytes()  # every byte once, in order
    for request in puts:  # the upload URLs are on the API host: the token goes with them
        assert request.headers["Content-Type"] == "application/octet-stream"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    finalize, status = server.requests[1 + count : 3 + count]
    etags = [upload.etag(n) for n in range(1, count + 1)]
    assert finalize.json == {
        "finalizeUploadRequest": {"video": upload.urn, "uploadToken": upload.token, "uploadedPartIds": etags}
    }
    assert status.method == "GET" and status.path == f"/rest/videos/{upload.urn}"
    for request in (initialize, finalize, status, server.requests[-1]):
        assert request.headers["LinkedIn-Version"] == "202610"
        assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert server.posts == [expected_post(upload.urn)]
    assert parts.calls == [(0, remote_id)] and remote_id.startswith("urn:li:share:")
    assert adapter.slept == []


def test_processing_that_takes_several_reads_is_waited_for(server: LinkedInServer, tmp_path: Path) -> None:
    server.processing_polls = 3
    adapter = make_adapter(server.url)
    publish(adapter, video(tmp_path))
    assert server.steps()[-6:] == ["finalize", "status", "status", "status", "status", "post"]
    assert adapter.slept == [5.0, 5.0, 5.0]
    assert len(server.posts) == 1


def test_a_video_linkedin_cannot_process_is_a_permanent_failure_with_its_reason(
    server: LinkedInServer, tmp_path: Path
) -> None:
    server.processing_polls, server.final = 1, "PROCESSING_FAILED"
    parts = Parts()
    with pytest.raises(PermanentError) as failure:
        publish(make_adapter(server.url), video(tmp_path), parts)
    assert str(failure.value) == (
        "LinkedIn could not process the video media/canicule.mp4 (Video codec not supported); nothing was published:"
        " re-export it as MP4 (H.264 and AAC), then publish again."
    )
    assert "post" not in server.steps() and parts.calls == []


def test_processing_that_never_ends_is_transient_and_publishes_nothing(
    server: LinkedInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert linkedin_media.PROCESSING_LIMIT == 15 * 60
    monkeypatch.setattr(linkedin_media, "PROCESSING_LIMIT", 60.0)  # 12 reads rather than 180
    server.final = "PROCESSING"
    adapter, parts = make_adapter(server.url), Parts()
    with pytest.raises(TransientError, match="LinkedIn was still processing the video media/canicule.mp4 after 60 s"):
        publish(adapter, video(tmp_path), parts)
    assert adapter.slept == [5.0] * 12 and server.steps().count("status") == 13
    assert "post" not in server.steps() and parts.calls == []


@pytest.mark.parametrize(
    ("measures", "limits", "expected"),
    [
        ({"seconds": 1.0}, {}, "lasts 1 s and LinkedIn needs at least 3 s"),
        ({"width": 320, "height": 90}, {}, "has the shape 3.56:1 and LinkedIn shows videos from 0.42:1 to 2.40:1"),
        ({"name": "canicule.mov"}, {}, "is MOV and LinkedIn takes MP4 videos"),
        ({}, {"max_bytes": 1000}, "weighs 0 MB and LinkedIn takes at most 0 MB"),
        ({}, {"max_seconds": 2.0}, "lasts 3 s and LinkedIn takes at most 2 s"),
    ],
)
def test_a_video_linkedin_would_refuse_is_refused_before_any_request(
    server: LinkedInServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, measures: dict, limits: dict, expected: str
) -> None:
    if limits:
        monkeypatch.setattr(
            LinkedIn, "limits", dataclasses.replace(LinkedIn.limits, video=dataclasses.replace(VIDEO, **limits))
        )
    clip = video(tmp_path, **measures)
    with pytest.raises(PermanentError, match=re.escape(f"The video {clip.file} {expected}: re-export it")):
        publish(make_adapter(server.url), clip)
    assert server.requests == []


def test_captions_go_to_the_captions_url_as_srt(server: LinkedInServer, tmp_path: Path) -> None:
    publish(make_adapter(server.url), video(tmp_path, captions=VTT))
    [upload] = server.uploads.values()
    assert server.requests[0].json["initializeUploadRequest"]["uploadCaptions"] is True
    assert server.steps()[-5:] == ["part", "captions", "finalize", "status", "post"]
    [captions] = [
        request for request in server.requests if server.steps()[server.requests.index(request)] == "captions"
    ]
    assert captions.method == "PUT" and captions.headers["Content-Type"] == "application/octet-stream"
    assert upload.captions_file == SRT.encode()
    assert len(server.posts) == 1


def test_captions_without_a_captions_url_are_refused_rather_than_dropped(
    server: LinkedInServer, tmp_path: Path
) -> None:
    server.captions_url = False
    with pytest.raises(PermanentError, match="LinkedIn gave no address for the captions media/canicule.vtt; nothing"):
        publish(make_adapter(server.url), video(tmp_path, captions=VTT))
    assert "finalize" not in server.steps() and server.posts == []


@pytest.mark.parametrize(
    ("step", "status", "kind", "said"),
    [
        ("initialize", 500, TransientError, "LinkedIn had a server error (HTTP 500: Internal error) while preparing"),
        ("part", 503, TransientError, "while uploading part 1 of 4 of the video media/canicule.mp4"),
        ("finalize", 400, PermanentError, "LinkedIn rejected finalizing the upload of media/canicule.mp4"),
        ("status", 429, TransientError, "LinkedIn's rate limit was reached while reading the processing status"),
        ("initialize", 403, PermanentError, "the token needs w_organization_social"),
    ],
)
def test_upload_failures_are_never_unknown(
    server: LinkedInServer, tmp_path: Path, step: str, status: int, kind: type, said: str
) -> None:
    server.fail(step, status, {"status": status, "message": "Internal error" if status == 500 else "Refused"})
    with pytest.raises(kind) as failure:
        publish(make_adapter(server.url), video(tmp_path, seconds=3.0, width=320, height=240))
    assert said in str(failure.value) and ("nothing was published" in str(failure.value) or status >= 500)
    assert not isinstance(failure.value, UnknownOutcome) and server.posts == []


def test_a_part_answered_without_an_etag_is_transient(server: LinkedInServer, tmp_path: Path) -> None:
    server.etags = False
    with pytest.raises(TransientError, match="unreadable body"):
        publish(make_adapter(server.url), video(tmp_path))
    assert server.steps() == ["initialize", "part"]


def test_the_post_request_is_the_only_one_that_can_end_unknown(server: LinkedInServer, tmp_path: Path) -> None:
    server.fail("post", 422, {"status": 422, "message": "Content is a duplicate of urn:li:share:7300000000000000042"})
    with pytest.raises(UnknownOutcome, match="already posted as urn:li:share:7300000000000000042"):
        publish(make_adapter(server.url), video(tmp_path))


def test_the_dry_run_shows_every_video_request_without_the_token(tmp_path: Path) -> None:
    clip = video(tmp_path, captions=VTT)
    size = clip.path.stat().st_size
    adapter = make_adapter("https://api.linkedin.com", environ={})  # no credential is read
    steps = adapter.payload(Rendering("linkedin", [TEXT], [clip]))
    headers = steps[0]["headers"]
    assert headers["Authorization"] == "Bearer <token from HOSPIPOST_LINKEDIN_TOKEN>"
    put = {"Content-Type": "application/octet-stream", "User-Agent": headers["User-Agent"]}
    api = "https://api.linkedin.com/rest"
    assert steps == [
        {
            "method": "POST",
            "url": f"{api}/videos?action=initializeUpload",
            "headers": headers,
            "json": {
                "initializeUploadRequest": {
                    "owner": ORG,
                    "fileSizeBytes": size,
                    "uploadCaptions": True,
                    "uploadThumbnail": False,
                }
            },
            "file": "media/canicule.mp4",
        },
        {
            "method": "PUT",
            "url": "<uploadUrl of part 1>",
            "headers": put,
            "body": {"file": "media/canicule.mp4", "firstByte": 0, "lastByte": size - 1, "bytes": size},
        },
        {
            "method": "PUT",
            "url": "<captionsUploadUrl>",
            "headers": put,
            "body": {"file": "media/canicule.vtt", "format": "SRT"},
        },
        {
            "method": "POST",
            "url": f"{api}/videos?action=finalizeUpload",
            "headers": headers,
            "json": {
                "finalizeUploadRequest": {
                    "video": "<video URN>",
                    "uploadToken": "<uploadToken>",
                    "uploadedPartIds": ["<ETag of part 1>"],
                }
            },
        },
        {
            "method": "GET",
            "url": f"{api}/videos/<video URN>",
            "headers": headers,
            "note": "every 5 s until its status is AVAILABLE (at most 15 min)",
        },
        {"method": "POST", "url": f"{api}/posts", "headers": headers, "json": {**expected_post("<video URN>")}},
    ]
    assert TOKEN not in repr(steps)


def test_the_dry_run_cuts_a_large_video_in_4_mb_parts(tmp_path: Path) -> None:
    clip = video(tmp_path)
    with open(clip.path, "ab") as handle:  # the dry run reads the size only
        handle.truncate(9 * 2**20)
    steps = make_adapter("https://api.linkedin.com", environ={}).payload(Rendering("linkedin", [TEXT], [clip]))
    ranges = [(step["body"]["firstByte"], step["body"]["lastByte"]) for step in steps if step["method"] == "PUT"]
    assert ranges == [(0, 4 * 2**20 - 1), (4 * 2**20, 8 * 2**20 - 1), (8 * 2**20, 9 * 2**20 - 1)]
    finalize = steps[-3]["json"]["finalizeUploadRequest"]
    assert finalize["uploadedPartIds"] == ["<ETag of part 1>", "<ETag of part 2>", "<ETag of part 3>"]


def test_check_judges_videos_for_linkedin_with_its_limits(config: Config) -> None:
    make_video(config.resolve("media") / "court.mp4", seconds=1.0, width=160, height=90)
    make_video(config.resolve("media") / "ok.mp4", seconds=3.0, width=160, height=90)
    media = [{"file": "media/court.mp4", "alt": ALT}]
    found = findings(config, post_with(media=media, networks=["linkedin"]), rule="network-media")
    assert [(f.network, f.message) for f in found] == [
        ("linkedin", "media[0] 'media/court.mp4' lasts 1 s and LinkedIn needs at least 3 s.")
    ]
    ok = [{"file": "media/ok.mp4", "alt": ALT}]
    assert findings(config, post_with(media=ok, networks=["linkedin"]), rule="network-media") == []
    assert findings(config, post_with(media=ok, networks=["linkedin"]), rule="a11y-video-captions") != []
