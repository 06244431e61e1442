"""Bluesky videos: the PDS through respx (as in test_bluesky.py), the video service a real local
server (tests/fakes/bluesky_video.py) with its token checks, upload and processing states; the
videos are real small MP4 files made by the tests."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from hospipost.networks.base import PermanentError, Rendering, TransientError
from hospipost.networks.bluesky import Bluesky, record_key
from hospipost.posts import Media
from tests.fakes.bluesky_video import DONE, ENCODING, FAILED, FakeVideoService, claims, running
from tests.fakes.video import make_video
from tests.networks.kit import Parts
from tests.networks.test_bluesky import API, DID, Server, make

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour, bienvenue aux urgences.\n"
SRT = b"1\n00:00:00,000 --> 00:00:01,000\nBonjour, bienvenue aux urgences.\n"
ALT = "Une infirmière montre la salle d'attente des urgences pédiatriques."


@pytest.fixture
def video_service() -> Iterator[FakeVideoService]:
    with running() as service:
        yield service


@pytest.fixture
def server(video_service: FakeVideoService) -> Iterator[Server]:
    """The PDS, intercepted; it signs service tokens (unverified JWTs naming aud and lxm); the video
    service's requests go through to the local server."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        mock.route(host="127.0.0.1").pass_through()
        pds = Server(mock)
        pds.service_auth = mock.get(url__startswith=f"{API}/com.atproto.server.getServiceAuth").mock(  # type: ignore[attr-defined]
            side_effect=lambda request: httpx.Response(200, json={"token": token(dict(request.url.params))})
        )
        yield pds


def token(params: dict[str, str]) -> str:
    def encode(part: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    claims = {"iss": DID, "aud": params["aud"], "lxm": params["lxm"], "exp": int(params.get("exp", 0)) or None}
    return f"{encode({'typ': 'JWT', 'alg': 'ES256K'})}.{encode(claims)}.U0VSVklDRS1TRUNSRVQ"


def adapter(service: FakeVideoService, **options: Any) -> Bluesky:
    bluesky = make(None, video_service=service.url, **options)
    bluesky.sleeps = []  # type: ignore[attr-defined]
    bluesky.sleep = bluesky.sleeps.append  # type: ignore[attr-defined, method-assign]
    return bluesky


def clip(tmp_path: Path, name: str = "visite.mp4", captions: bytes | None = None, **measures: Any) -> Media:
    path = make_video(tmp_path / name, **({"seconds": 1.0, "width": 320, "height": 180} | measures))
    captions_path = None
    if captions is not None:
        captions_path = tmp_path / "visite.vtt"
        captions_path.write_bytes(captions)
    return Media(
        file=f"media/{name}",
        path=path,
        alt=ALT,
        people=False,
        consent=None,
        line=1,
        captions=captions_path and "media/visite.vtt",
        captions_path=captions_path,
    )


def publish(bluesky: Bluesky, item: Media, key: str = "v1:bluesky:once") -> Any:
    return bluesky.publish(Rendering("bluesky", ["Visite des urgences pédiatriques."], [item], "fr"), key, [], Parts())


def test_a_video_post_goes_through_the_video_service_and_is_published_once(
    server: Server, video_service: FakeVideoService, tmp_path: Path
) -> None:
    item = clip(tmp_path)
    size = item.path.stat().st_size
    bluesky = adapter(video_service)

    sent = publish(bluesky, item)

    assert video_service.names() == [
        "GET app.bsky.video.getUploadLimits",
        "POST app.bsky.video.uploadVideo",
        *["GET app.bsky.video.getJobStatus"] * 3,  # created (the upload's answer), encoding, encoding, completed
    ]
    limits, upload, *polls = video_service.seen
    assert claims(limits.headers["authorization"])["aud"] == video_service.did
    upload_claims = claims(upload.headers["authorization"])
    assert upload_claims.pop("exp") == pytest.approx(time.time() + 1800, abs=60)  # the service uploads later
    assert upload_claims == {
        "iss": DID,
        "aud": "did:web:bsky.social",  # the account's PDS: the service stores the processed video there
        "lxm": "com.atproto.repo.uploadBlob",
    }
    assert upload.params == {"did": DID, "name": "visite.mp4"}
    assert upload.headers["content-type"] == "video/mp4" and upload.headers["content-length"] == str(size)
    assert upload.body == item.path.read_bytes() and upload.headers["user-agent"].startswith("hospipost/")
    assert all(poll.params == {"jobId": "job1"} and "authorization" not in poll.headers for poll in polls)
    assert bluesky.sleeps == [2.0, 2.0, 2.0]  # type: ignore[attr-defined]
    assert [dict(call.request.url.params)["lxm"] for call in server.service_auth.calls] == [  # type: ignore[attr-defined]
        "app.bsky.video.getUploadLimits",
        "com.atproto.repo.uploadBlob",
    ]
    assert server.uploads == 0  # no captions: nothing goes to uploadBlob
    [created] = server.created
    assert created["rkey"] == record_key("v1:bluesky:once", 0) and sent.remote_id.endswith(created["rkey"])
    job = video_service.jobs["job1"]
    assert created["record"]["embed"] == {
        "$type": "app.bsky.embed.video",
        "video": video_service.blob(job),
        "alt": ALT,
        "aspectRatio": {"width": 320, "height": 180},
    }


def test_captions_are_uploaded_as_webvtt_blobs_and_embedded_in_the_posts_language(
    server: Server, video_service: FakeVideoService, tmp_path: Path
) -> None:
    video_service.states = [DONE]
    publish(adapter(video_service), clip(tmp_path, captions=SRT))

    [upload] = server.upload.calls
    assert upload.request.headers["content-type"] == "text/vtt"
    assert upload.request.content == b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nBonjour, bienvenue aux urgences.\n"
    [caption] = server.record()["embed"]["captions"]
    assert caption == {"lang": "fr", "file": json.loads(upload.response.content)["blob"]}


def test_a_failed_processing_is_permanent_with_the_services_reason(
    server: Server, video_service: FakeVideoService, tmp_path: Path
) -> None:
    video_service.states = [ENCODING, FAILED]
    with pytest.raises(PermanentError, match=r"could not process the video media/visite.mp4 \(encoding_failure: "):
        publish(adapter(video_service), clip(tmp_path))
    assert server.created == []


def test_a_processing_that_never_ends_is_transient_and_the_retry_resumes_the_same_job(
    server: Server, video_service: FakeVideoService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hospipost.networks.bluesky_video.POLL_FOR", 10.0)  # 300 s by default
    video_service.states = [ENCODING]
    item, bluesky = clip(tmp_path), adapter(video_service)
    with pytest.raises(TransientError, match="^Bluesky was still processing the video media/visite.mp4 after 10 s"):
        publish(bluesky, item)
    assert server.created == [] and bluesky.sleeps == [2.0] * 5  # type: ignore[attr-defined]

    video_service.states = [DONE]  # done meanwhile: the service answers the second upload with its job
    publish(adapter(video_service), item)
    assert len(video_service.jobs) == 1 and server.record()["embed"]["video"] == video_service.blob(
        video_service.jobs["job1"]
    )


def test_a_used_up_daily_allowance_is_transient_and_uploads_nothing(
    server: Server, video_service: FakeVideoService, tmp_path: Path
) -> None:
    video_service.limits = {
        "canUpload": False,
        "remainingDailyVideos": 0,
        "remainingDailyBytes": 0,
        "message": "Daily limit reached",
    }
    with pytest.raises(TransientError, match=r"takes no video of \d+ bytes from @chu.example.org now \(Daily limit"):
        publish(adapter(video_service), clip(tmp_path))
    assert video_service.names() == ["GET app.bsky.video.getUploadLimits"] and server.created == []


def test_a_video_over_the_limits_is_refused_before_any_request(
    server: Server, video_service: FakeVideoService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    limits = dataclasses.replace(Bluesky.limits.video, max_seconds=1.0)  # type: ignore[arg-type]
    monkeypatch.setattr(Bluesky, "limits", dataclasses.replace(Bluesky.limits, video=limits))
    with pytest.raises(PermanentError, match="lasts 2 s and Bluesky takes at most 1 s"):
        publish(adapter(video_service), clip(tmp_path, seconds=2.0))
    too_many = b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nBonjour.\n\n" * 700
    with pytest.raises(PermanentError, match="weigh 23808 bytes as WebVTT and Bluesky takes at most 20000"):
        publish(adapter(video_service), clip(tmp_path, captions=too_many))
    assert video_service.seen == [] and not server.login.called


def test_the_dry_run_shows_the_video_requests_with_placeholders(
    video_service: FakeVideoService, tmp_path: Path
) -> None:
    item = clip(tmp_path, captions=VTT)
    steps = adapter(video_service).payload(Rendering("bluesky", ["Visite."], [item], "fr"), "d")

    urls = [f"{step['method']} {step['url'].rpartition('/')[2]}" for step in steps]
    assert urls == [
        "POST com.atproto.server.createSession",
        "GET com.atproto.server.getServiceAuth",
        "GET app.bsky.video.getUploadLimits",
        "GET com.atproto.server.getServiceAuth",
        "POST app.bsky.video.uploadVideo",
        "GET app.bsky.video.getJobStatus",
        "POST com.atproto.repo.uploadBlob",
        "POST com.atproto.repo.createRecord",
    ]
    upload = steps[4]
    assert upload["url"] == f"{video_service.url}/xrpc/app.bsky.video.uploadVideo"
    assert upload["bytes"] == item.path.stat().st_size and upload["content_type"] == "video/mp4"
    assert upload["params"] == {"did": "<DID of @chu.example.org>", "name": "visite.mp4"}
    assert steps[6] == {
        "method": "POST",
        "url": "https://bsky.social/xrpc/com.atproto.repo.uploadBlob",
        "file": "media/visite.vtt",
        "content_type": "text/vtt",
        "bytes": len(VTT),
    }
    assert steps[-1]["json"]["record"]["embed"] == {
        "$type": "app.bsky.embed.video",
        "video": "<blob of media/visite.mp4, from getJobStatus>",
        "alt": ALT,
        "aspectRatio": {"width": 320, "height": 180},
        "captions": [{"lang": "fr", "file": "<blob: media/visite.vtt>"}],
    }
    assert "Bearer ey" not in json.dumps(steps)


def test_a_token_the_video_service_refuses_is_renewed_once_after_a_new_login_then_permanent(
    server: Server, video_service: FakeVideoService, tmp_path: Path
) -> None:
    video_service.pds_did = "did:web:elsewhere.example"  # the service expects another audience
    with pytest.raises(
        PermanentError, match=r"while uploading the video media/visite.mp4 \(HTTP 401: BadJwtAudience"
    ) as caught:
        publish(adapter(video_service), clip(tmp_path))
    assert video_service.names().count("POST app.bsky.video.uploadVideo") == 2 and server.login.call_count == 2
    assert "U0VSVklDRS1TRUNSRVQ" not in str(caught.value) and server.created == []


def test_the_dry_run_names_what_publishing_would_refuse(video_service: FakeVideoService, tmp_path: Path) -> None:
    item = clip(tmp_path, captions=b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nBonjour.\n\n" * 700)
    steps = adapter(video_service).payload(Rendering("bluesky", ["Visite."], [item], "fr"))
    [upload] = [step for step in steps if step["url"].endswith("uploadVideo")]
    assert "weigh 23808 bytes as WebVTT and Bluesky takes at most 20000" in upload["problem"]
    assert "bytes" not in upload and steps[-1]["json"]["record"]["embed"]["video"].startswith("<blob of media/")
