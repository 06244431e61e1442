"""The X adapter, through the real tweepy 4.17 with HTTP intercepted by `responses`.

Every test asserts the exact requests (host, path, body, OAuth 1.0a signature, timeout);
nothing reaches the real network (a `responses` mock refuses any unregistered URL, and the
few socket tests talk to 127.0.0.1 only).
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests
import responses
from responses import matchers
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.networks.base import MAX_WAIT, PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.x import X
from hospipost.posts import Media
from tests.networks.kit import GPS_MARK, Parts, SilentServer, free_port, jpeg_with_exif

API = "https://api.x.com"
TWEETS = f"{API}/2/tweets"
INIT = f"{API}/2/media/upload/initialize"
METADATA = f"{API}/2/media/metadata"
STATUS = f"{API}/2/media/upload"

CREDENTIALS = {
    "HOSPIPOST_X_API_KEY": "SECRET-X-KEY-123",
    "HOSPIPOST_X_API_SECRET": "SECRET-X-APISECRET-456",
    "HOSPIPOST_X_ACCESS_TOKEN": "SECRET-X-TOKEN-789",
    "HOSPIPOST_X_ACCESS_TOKEN_SECRET": "SECRET-X-TOKENSECRET-000",
}
SECRET_VALUES = list(CREDENTIALS.values())


# ---------------------------------------------------------------------- helpers


def make_x(api_base: str | None = None, timeout: float | None = None, environ: dict[str, str] | None = None) -> X:
    options = {key: spec.default for key, spec in X.all_config_keys().items()}
    options["enabled"] = True
    if api_base:
        options["api_base"] = api_base
    if timeout is not None:
        options["timeout"] = timeout
    adapter = X(NetworkSettings("x", True, options, 1), Credentials(CREDENTIALS if environ is None else environ))
    adapter.sleeps = []  # type: ignore[attr-defined]
    adapter.sleep = adapter.sleeps.append  # type: ignore[attr-defined]
    return adapter


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def image(
    tmp_path: Path,
    name: str = "canicule.png",
    alt: str | None = "Infographie : les bons gestes en cas de fortes chaleurs",
    data: bytes | None = None,
) -> Media:
    path = tmp_path / name
    path.write_bytes(png_bytes() if data is None else data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def tweet_reply(tweet_id: str, text: str = "ok") -> dict[str, Any]:
    return {"json": {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, "status": 201}


def body(call: Any) -> Any:
    return json.loads(call.request.body)


def oauth_params(call: Any) -> dict[str, str]:
    header = call.request.headers["Authorization"]
    assert header.startswith("OAuth ")
    return {
        key.strip(): unquote(value.strip('"'))
        for key, value in (item.split("=", 1) for item in header[len("OAuth ") :].split(","))
    }


def assert_signed(call: Any) -> None:
    """The request carries a valid OAuth 1.0a HMAC-SHA1 signature made with the user keys."""
    from oauthlib.oauth1.rfc5849 import signature

    params = oauth_params(call)
    assert params["oauth_consumer_key"] == CREDENTIALS["HOSPIPOST_X_API_KEY"]
    assert params["oauth_token"] == CREDENTIALS["HOSPIPOST_X_ACCESS_TOKEN"]
    assert params["oauth_signature_method"] == "HMAC-SHA1"
    url = call.request.url
    query = urlsplit(url).query
    collected = [(k, v) for k, v in params.items() if k != "oauth_signature"] + parse_qsl(query, keep_blank_values=True)
    base = signature.signature_base_string(
        call.request.method, signature.base_string_uri(url), signature.normalize_parameters(collected)
    )
    keys = SimpleNamespace(
        client_secret=CREDENTIALS["HOSPIPOST_X_API_SECRET"],
        resource_owner_secret=CREDENTIALS["HOSPIPOST_X_ACCESS_TOKEN_SECRET"],
    )
    expected = signature.sign_hmac_sha1_with_client(base, keys)
    assert params["oauth_signature"] == expected


def multipart_fields(call: Any) -> dict[str, Any]:
    from email.parser import BytesParser
    from email.policy import HTTP

    content_type = call.request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + call.request.body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[name] = (part.get_filename(), payload) if part.get_filename() else payload.decode()
    return fields


def register_upload(mock: responses.RequestsMock, media_id: str, base: str = API, finalize: dict | None = None) -> None:
    mock.post(
        f"{base}/2/media/upload/initialize",
        json={"data": {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86400}},
    )
    mock.post(f"{base}/2/media/upload/{media_id}/append", json={"data": {"expires_at": 1795465000}})
    mock.post(
        f"{base}/2/media/upload/{media_id}/finalize",
        json={"data": finalize or {"id": media_id, "media_key": f"3_{media_id}", "size": 80}},
    )
    mock.post(
        f"{base}/2/media/metadata",
        json={"data": {"id": media_id, "associated_metadata": {}}},
        match=[matchers.json_params_matcher({"id": media_id}, strict_match=False)],
    )


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when the connection cannot be opened (nothing was sent)."""
    return requests.exceptions.ConnectionError(
        MaxRetryError(
            None,
            "/2/tweets",
            NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"),  # type: ignore[arg-type]
        )
    )


@pytest.fixture
def mock() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


# ---------------------------------------------------------------------- posting


def test_text_post_is_one_signed_v2_request(mock: responses.RequestsMock) -> None:
    mock.post(TWEETS, **tweet_reply("1790000000000000001"))
    parts = Parts()

    sent = make_x().publish(Rendering("x", ["Fortes chaleurs : appelez le 15."]), "d-1", [], parts)

    assert sent == Sent("1790000000000000001", "https://x.com/i/web/status/1790000000000000001")
    assert parts.calls == [(0, "1790000000000000001")]
    [call] = mock.calls
    assert call.request.method == "POST" and call.request.url == TWEETS
    assert body(call) == {"text": "Fortes chaleurs : appelez le 15."}
    assert_signed(call)
    assert call.request.headers["User-Agent"].startswith("hospipost/")
    assert call.request.req_kwargs["timeout"] == 30.0


def test_custom_api_base_and_timeout_apply_to_every_request(mock: responses.RequestsMock, tmp_path: Path) -> None:
    base = "https://proxy.chu-angers.example/x-api"
    register_upload(mock, "710", base=base)
    mock.post(f"{base}/2/tweets", **tweet_reply("11"))
    mock.post(f"{base}/2/tweets", **tweet_reply("12"))
    mock.get(f"{base}/2/users/me", json={"data": {"id": "42", "name": "CHU d'Angers", "username": "CHU_Angers"}})
    adapter = make_x(api_base=base + "/", timeout=7.5)

    adapter.publish(Rendering("x", ["un", "deux"], [image(tmp_path)]), "d-1", [], Parts())
    assert adapter.verify() == "@CHU_Angers"

    urls = [call.request.url.split("?")[0] for call in mock.calls]
    assert urls == [
        f"{base}/2/media/upload/initialize",
        f"{base}/2/media/upload/710/append",
        f"{base}/2/media/upload/710/finalize",
        f"{base}/2/media/metadata",
        f"{base}/2/tweets",
        f"{base}/2/tweets",
        f"{base}/2/users/me",
    ]
    assert all(call.request.req_kwargs["timeout"] == 7.5 for call in mock.calls)
    for call in mock.calls:
        assert_signed(call)
        assert call.request.headers["User-Agent"].startswith("hospipost/0.")


def test_thread_replies_to_the_previous_part_and_reports_each(mock: responses.RequestsMock) -> None:
    for tweet_id in ("101", "102", "103"):
        mock.post(TWEETS, **tweet_reply(tweet_id))
    parts = Parts()

    sent = make_x().publish(Rendering("x", ["1/3 canicule", "2/3 hydratez-vous", "3/3 appelez le 15"]), "d", [], parts)

    assert sent == Sent("101", "https://x.com/i/web/status/101")
    assert parts.calls == [(0, "101"), (1, "102"), (2, "103")]
    assert [body(call) for call in mock.calls] == [
        {"text": "1/3 canicule"},
        {"text": "2/3 hydratez-vous", "reply": {"in_reply_to_tweet_id": "101"}},
        {"text": "3/3 appelez le 15", "reply": {"in_reply_to_tweet_id": "102"}},
    ]


def test_thread_resumes_after_the_parts_already_published(mock: responses.RequestsMock, tmp_path: Path) -> None:
    mock.post(TWEETS, **tweet_reply("203"))
    parts = Parts()
    rendering = Rendering("x", ["un", "deux", "trois"], [image(tmp_path)])

    sent = make_x().publish(rendering, "d", ["201", "202"], parts)

    assert sent == Sent("201", "https://x.com/i/web/status/201")
    assert parts.calls == [(2, "203")]
    [call] = mock.calls  # no media upload: the images went with part 1
    assert body(call) == {"text": "trois", "reply": {"in_reply_to_tweet_id": "202"}}


def test_nothing_is_sent_when_every_part_is_done(mock: responses.RequestsMock) -> None:
    sent = make_x().publish(Rendering("x", ["un", "deux"]), "d", ["301", "302"], Parts())
    assert sent == Sent("301", "https://x.com/i/web/status/301")
    assert len(mock.calls) == 0


def test_a_failed_part_keeps_the_parts_already_online(mock: responses.RequestsMock) -> None:
    mock.post(TWEETS, **tweet_reply("401"))
    mock.post(TWEETS, json={"title": "Service Unavailable", "status": 503}, status=503)
    parts = Parts()

    with pytest.raises(TransientError) as raised:
        make_x().publish(Rendering("x", ["un", "deux", "trois"]), "d", [], parts)

    assert parts.calls == [(0, "401")]
    assert "part 2 of 3" in str(raised.value) and "first part of the thread is already online" in str(raised.value)


# ---------------------------------------------------------------------- media


def test_an_image_is_sent_without_its_metadata(mock: responses.RequestsMock, tmp_path: Path) -> None:
    register_upload(mock, "1880000000000000001")
    mock.post(TWEETS, **tweet_reply("501"))
    make_x().publish(
        Rendering("x", ["Canicule"], [image(tmp_path, "photo.jpg", data=jpeg_with_exif())]), "d", [], Parts()
    )
    append = next(call for call in mock.calls if call.request.url.endswith("/append"))
    assert b"\xff\xd8" in append.request.body and GPS_MARK not in append.request.body


def test_image_upload_flow_then_tweet_with_media_ids(mock: responses.RequestsMock, tmp_path: Path) -> None:
    first, second = (
        image(tmp_path, "canicule.png"),
        image(tmp_path, "gestes.png", alt="Schéma : fermer les volets le jour"),
    )
    register_upload(mock, "1880000000000000001")
    register_upload(mock, "1880000000000000002")
    # The first image needs processing: finalize says pending, STATUS in_progress then succeeded.
    mock.replace(
        responses.POST,
        f"{API}/2/media/upload/1880000000000000001/finalize",
        json={"data": {"id": "1880000000000000001", "processing_info": {"state": "pending", "check_after_secs": 2}}},
    )
    status_match = [matchers.query_param_matcher({"media_id": "1880000000000000001", "command": "STATUS"})]
    mock.get(
        STATUS,
        json={
            "data": {"id": "1880000000000000001", "processing_info": {"state": "in_progress", "check_after_secs": 3}}
        },
        match=status_match,
    )
    mock.get(
        STATUS,
        json={"data": {"id": "1880000000000000001", "processing_info": {"state": "succeeded"}}},
        match=status_match,
    )
    mock.post(TWEETS, **tweet_reply("501"))
    mock.post(TWEETS, **tweet_reply("502"))
    adapter = make_x()

    sent = adapter.publish(Rendering("x", ["Canicule", "suite"], [first, second]), "d", [], Parts())

    assert sent.remote_id == "501"
    steps = [(call.request.method, call.request.url.replace(API, "")) for call in mock.calls]
    assert steps == [
        ("POST", "/2/media/upload/initialize"),
        ("POST", "/2/media/upload/1880000000000000001/append"),
        ("POST", "/2/media/upload/1880000000000000001/finalize"),
        ("GET", "/2/media/upload?media_id=1880000000000000001&command=STATUS"),
        ("GET", "/2/media/upload?media_id=1880000000000000001&command=STATUS"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/media/upload/initialize"),
        ("POST", "/2/media/upload/1880000000000000002/append"),
        ("POST", "/2/media/upload/1880000000000000002/finalize"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
        ("POST", "/2/tweets"),
    ]
    assert adapter.sleeps == [2.0, 3.0]  # type: ignore[attr-defined]
    calls = mock.calls
    assert body(calls[0]) == {
        "media_type": "image/png",
        "total_bytes": len(png_bytes()),
        "media_category": "tweet_image",
    }
    fields = multipart_fields(calls[1])
    assert fields["segment_index"] == "0"
    assert fields["media"] == ("canicule.png", png_bytes())
    assert calls[2].request.body is None
    assert body(calls[5]) == {
        "id": "1880000000000000001",
        "metadata": {"alt_text": {"text": "Infographie : les bons gestes en cas de fortes chaleurs"}},
    }
    assert body(calls[9]) == {
        "id": "1880000000000000002",
        "metadata": {"alt_text": {"text": "Schéma : fermer les volets le jour"}},
    }
    assert body(calls[10]) == {
        "text": "Canicule",
        "media": {"media_ids": ["1880000000000000001", "1880000000000000002"]},
    }
    assert body(calls[11]) == {"text": "suite", "reply": {"in_reply_to_tweet_id": "501"}}
    for call in calls:
        assert_signed(call)  # query parameters of STATUS included in the signature
        assert call.request.req_kwargs["timeout"] == 30.0


def test_large_image_is_appended_in_ordered_chunks(mock: responses.RequestsMock, tmp_path: Path) -> None:
    data = png_bytes(8, 8)
    register_upload(mock, "77")
    mock.post(TWEETS, **tweet_reply("601"))
    adapter = make_x()
    adapter.chunk_bytes = 32

    adapter.publish(Rendering("x", ["texte"], [image(tmp_path, data=data)]), "d", [], Parts())

    appends = [call for call in mock.calls if call.request.url.endswith("/append")]
    assert len(appends) == -(-len(data) // 32) > 1
    fields = [multipart_fields(call) for call in appends]
    assert [f["segment_index"] for f in fields] == [str(i) for i in range(len(appends))]
    assert b"".join(f["media"][1] for f in fields) == data


def test_image_without_alt_text_skips_the_metadata_call(mock: responses.RequestsMock, tmp_path: Path) -> None:
    register_upload(mock, "78")
    mock.post(TWEETS, **tweet_reply("602"))
    make_x().publish(Rendering("x", ["texte"], [image(tmp_path, alt=None)]), "d", [], Parts())
    assert not any(call.request.url == METADATA for call in mock.calls)


def test_processing_failure_is_permanent_and_posts_nothing(mock: responses.RequestsMock, tmp_path: Path) -> None:
    register_upload(
        mock,
        "79",
        finalize={
            "id": "79",
            "processing_info": {
                "state": "failed",
                "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported image format"},
            },
        },
    )
    with pytest.raises(PermanentError, match="Unsupported image format"):
        make_x().publish(Rendering("x", ["texte"], [image(tmp_path)]), "d", [], Parts())
    assert not any(call.request.url == TWEETS for call in mock.calls)


def test_processing_wait_is_bounded(mock: responses.RequestsMock, tmp_path: Path) -> None:
    register_upload(mock, "80", finalize={"id": "80", "processing_info": {"state": "pending", "check_after_secs": 50}})
    mock.get(STATUS, json={"data": {"id": "80", "processing_info": {"state": "in_progress", "check_after_secs": 50}}})
    adapter = make_x()

    with pytest.raises(TransientError, match="still processing"):
        adapter.publish(Rendering("x", ["texte"], [image(tmp_path)]), "d", [], Parts())

    assert adapter.sleeps == [50.0, 50.0]  # type: ignore[attr-defined]
    assert not any(call.request.url == TWEETS for call in mock.calls)


@pytest.mark.parametrize(
    ("step", "status", "reply", "expected"),
    [
        (
            "initialize",
            400,
            {"errors": [{"message": "media_type is invalid", "parameters": {}}], "title": "Invalid Request"},
            PermanentError,
        ),
        ("initialize", 401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}, PermanentError),
        ("append", 503, {"title": "Service Unavailable"}, TransientError),
        (
            "finalize",
            429,
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            TransientError,
        ),
        (
            "metadata",
            403,
            {"title": "Forbidden", "detail": "You are not permitted to perform this action.", "status": 403},
            PermanentError,
        ),
    ],
)
def test_media_failures_are_mapped_and_never_unknown(
    mock: responses.RequestsMock, tmp_path: Path, step: str, status: int, reply: dict, expected: type
) -> None:
    urls = {
        "initialize": INIT,
        "append": f"{API}/2/media/upload/81/append",
        "finalize": f"{API}/2/media/upload/81/finalize",
        "metadata": METADATA,
    }
    register_upload(mock, "81")
    mock.replace(responses.POST, urls[step], json=reply, status=status, headers={"x-rate-limit-reset": "1795465000"})

    with pytest.raises(expected) as raised:
        make_x().publish(Rendering("x", ["texte"], [image(tmp_path)]), "d", [], Parts())

    assert "canicule.png" in str(raised.value)
    assert not any(call.request.url == TWEETS for call in mock.calls)


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ReadTimeout(ReadTimeoutError(None, "/2/media/upload/initialize", "Read timed out.")),  # type: ignore[arg-type]
        requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))),
        "refused",
    ],
)
def test_network_failure_during_media_upload_is_transient(
    mock: responses.RequestsMock, tmp_path: Path, error: Any
) -> None:
    mock.post(INIT, body=refused() if error == "refused" else error)
    with pytest.raises(TransientError, match="nothing (more )?was published"):
        make_x().publish(Rendering("x", ["texte"], [image(tmp_path)]), "d", [], Parts())


def test_bad_media_files_fail_before_any_request(mock: responses.RequestsMock, tmp_path: Path) -> None:
    missing = Media(file="media/absent.png", path=tmp_path / "absent.png", alt="x", people=False, consent=None, line=1)
    with pytest.raises(PermanentError, match="absent.png"):
        make_x().publish(Rendering("x", ["t"], [missing]), "d", [], Parts())
    with pytest.raises(PermanentError, match="at most 4 images"):
        make_x().publish(Rendering("x", ["t"], [image(tmp_path, f"i{n}.png") for n in range(5)]), "d", [], Parts())
    with pytest.raises(PermanentError, match="media/notes.txt is not a known image format"):
        make_x().publish(Rendering("x", ["t"], [image(tmp_path, "notes.txt", data=b"hello")]), "d", [], Parts())
    with pytest.raises(PermanentError, match="5 MB"):
        make_x().publish(
            Rendering("x", ["t"], [image(tmp_path, "big.png", data=png_bytes() + b"\0" * (5 * 1024 * 1024))]),
            "d",
            [],
            Parts(),
        )
    assert len(mock.calls) == 0


# ---------------------------------------------------------------------- error mapping of the post itself


def publish_failing(mock: responses.RequestsMock, **reply: Any) -> Exception:
    mock.post(TWEETS, **reply)
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as raised:
        make_x().publish(Rendering("x", ["Fortes chaleurs"]), "d", [], Parts())
    return raised.value


def test_429_is_transient_until_the_reset_time(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=429,
        headers={"x-rate-limit-reset": "1795465000", "x-rate-limit-remaining": "0"},
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
    )
    assert type(error) is TransientError
    assert error.retry_at == datetime.fromtimestamp(1795465000, UTC)
    assert "rate limit" in str(error)


def test_429_waits_for_the_latest_exhausted_window(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=429,
        json={"title": "Too Many Requests"},
        headers={
            "x-rate-limit-reset": "1795465000",
            "x-rate-limit-remaining": "12",
            "x-user-limit-24hour-reset": "1795540000",
            "x-user-limit-24hour-remaining": "0",
            "x-app-limit-24hour-reset": "1795600000",
            "x-app-limit-24hour-remaining": "300",
        },
    )
    assert isinstance(error, TransientError)
    assert error.retry_at == datetime.fromtimestamp(1795540000, UTC)


def test_429_usage_cap_says_so(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=429,
        json={
            "title": "UsageCapExceeded",
            "type": "https://api.twitter.com/2/problems/usage-capped",
            "period": "Monthly",
            "scope": "Product",
            "detail": "Usage cap exceeded: Monthly product cap",
        },
    )
    assert isinstance(error, TransientError) and error.retry_at is None
    assert "monthly usage cap" in str(error)


ABSURD_RESETS = [
    "100000000000",
    "99999999999999999999",
    "1e400",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sat, 01 Jan 10000 00:00:00 GMT",
    "soon",
]


@pytest.mark.parametrize("reset", ABSURD_RESETS)
def test_an_absurd_rate_limit_reset_waits_at_most_an_hour(mock: responses.RequestsMock, reset: str) -> None:
    error = publish_failing(
        mock,
        status=429,
        json={"title": "Too Many Requests"},
        headers={"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
    )
    assert type(error) is TransientError and "nothing was published" in str(error)
    assert error.retry_at is None or error.retry_at <= datetime.now(UTC) + MAX_WAIT


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_transient(mock: responses.RequestsMock, status: int) -> None:
    error = publish_failing(mock, status=status, json={"title": "Internal Error"})
    assert type(error) is TransientError and f"(HTTP {status}:" in str(error)


def test_401_names_the_variables_to_check(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock, status=401, json={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    )
    assert type(error) is PermanentError
    message = str(error)
    assert "X refused the credentials" in message and "regenerate the access token" in message
    for name in CREDENTIALS:
        assert name in message


def test_403_duplicate_content_is_unknown(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=403,
        json={
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
        },
    )
    assert type(error) is UnknownOutcome
    assert "already posted" in str(error) and "hospipost reconcile" in str(error)


def test_403_other_is_permanent_with_x_message(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=403,
        json={
            "title": "Forbidden",
            "type": "about:blank",
            "status": 403,
            "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
        },
    )
    assert type(error) is PermanentError
    assert "oauth1 app permissions" in str(error) and "403" in str(error)


def test_400_is_permanent_with_x_message(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=400,
        json={
            "errors": [{"parameters": {"text": ["x" * 300]}, "message": "Text is too long"}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )
    assert type(error) is PermanentError
    assert "Text is too long" in str(error) and "\n" not in str(error)


def test_connection_refused_before_sending_is_transient(mock: responses.RequestsMock) -> None:
    error = publish_failing(mock, body=refused())
    assert type(error) is TransientError and "Could not reach X" in str(error)


@pytest.mark.parametrize(
    "cause",
    [
        ConnectTimeoutError(None, "Connection to api.x.com timed out."),  # type: ignore[arg-type]
        NameResolutionError("api.x.com", None, socket.gaierror(-2, "Name or service not known")),  # type: ignore[arg-type]
    ],
)
def test_other_failures_to_connect_are_transient(mock: responses.RequestsMock, cause: Exception) -> None:
    wrapped = MaxRetryError(None, "/2/tweets", cause)  # type: ignore[arg-type]
    kind = (
        requests.exceptions.ConnectTimeout
        if isinstance(cause, ConnectTimeoutError)
        else requests.exceptions.ConnectionError
    )
    assert type(publish_failing(mock, body=kind(wrapped))) is TransientError


def test_read_timeout_after_sending_is_unknown(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        body=requests.exceptions.ReadTimeout(ReadTimeoutError(None, "/2/tweets", "Read timed out. (read timeout=30)")),
    )  # type: ignore[arg-type]
    assert type(error) is UnknownOutcome
    assert "may be online" in str(error) and "hospipost reconcile" in str(error)


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    ],
)
def test_connection_broken_after_sending_is_unknown(mock: responses.RequestsMock, error: Exception) -> None:
    assert type(publish_failing(mock, body=error)) is UnknownOutcome


def test_unreadable_success_is_unknown(mock: responses.RequestsMock) -> None:
    assert type(publish_failing(mock, status=201, body="<html>ok</html>")) is UnknownOutcome
    assert type(publish_failing(mock, status=201, json={"data": None})) is UnknownOutcome


def test_missing_credentials_fail_before_any_request(mock: responses.RequestsMock) -> None:
    with pytest.raises(CredentialsError, match="HOSPIPOST_X_ACCESS_TOKEN_SECRET"):
        make_x(environ={k: v for k, v in CREDENTIALS.items() if not k.endswith("TOKEN_SECRET")}).publish(
            Rendering("x", ["t"]), "d", [], Parts()
        )
    assert len(mock.calls) == 0


# ---------------------------------------------------------------------- real sockets on 127.0.0.1


def test_real_connection_refused_is_transient() -> None:
    with pytest.raises(TransientError, match="Could not reach X"):
        make_x(api_base=f"http://127.0.0.1:{free_port()}", timeout=2).publish(Rendering("x", ["t"]), "d", [], Parts())


def test_real_read_timeout_is_unknown_and_the_request_left() -> None:
    with SilentServer() as server:
        with pytest.raises(UnknownOutcome, match="did not answer within 0.3 s"):
            make_x(api_base=server.url, timeout=0.3).publish(Rendering("x", ["t"]), "d", [], Parts())
        server.thread.join(2)
        assert b"/2/tweets" in server.received


def test_end_to_end_against_the_local_fake_server(tmp_path: Path) -> None:
    from tests.fakes.netserver import running

    with running() as fake:
        sent = make_x(api_base=fake.url, timeout=5).publish(
            Rendering("x", ["Canicule : appelez le 15", "suite"], [image(tmp_path)]), "d", [], Parts()
        )
    paths = [r.path for r in fake.received]
    assert paths[0] == "/2/media/upload/initialize" and paths[-2:] == ["/2/tweets", "/2/tweets"]
    assert fake.received[1].body == {"media": len(png_bytes()), "segment_index": "0"}
    assert fake.texts("x") == ["Canicule : appelez le 15", "suite"]
    assert fake.posts("x")[1].body["reply"] == {"in_reply_to_tweet_id": sent.remote_id}


# ---------------------------------------------------------------------- payload (dry run)


def test_payload_of_a_text_post() -> None:
    adapter = make_x(environ={})  # never reads credentials
    assert adapter.payload(Rendering("x", ["Bonjour"])) == [
        {"method": "POST", "url": TWEETS, "json": {"text": "Bonjour"}}
    ]


def test_payload_of_a_thread_with_a_custom_base() -> None:
    adapter = make_x(api_base="http://127.0.0.1:8080", environ={})
    assert adapter.payload(Rendering("x", ["un", "deux", "trois"])) == [
        {"method": "POST", "url": "http://127.0.0.1:8080/2/tweets", "json": {"text": "un"}},
        {
            "method": "POST",
            "url": "http://127.0.0.1:8080/2/tweets",
            "json": {"text": "deux", "reply": {"in_reply_to_tweet_id": "<id of part 1>"}},
        },
        {
            "method": "POST",
            "url": "http://127.0.0.1:8080/2/tweets",
            "json": {"text": "trois", "reply": {"in_reply_to_tweet_id": "<id of part 2>"}},
        },
    ]


def test_payload_of_an_image_post(tmp_path: Path) -> None:
    media = image(tmp_path)
    size = len(png_bytes())
    with responses.RequestsMock() as rsps:  # any request would fail the test
        steps = make_x(environ={}).payload(Rendering("x", ["Canicule", "suite"], [media]))
        assert len(rsps.calls) == 0
    assert steps == [
        {
            "method": "POST",
            "url": INIT,
            "file": "media/canicule.png",
            "json": {"media_type": "image/png", "total_bytes": size, "media_category": "tweet_image"},
        },
        {
            "method": "POST",
            "url": f"{API}/2/media/upload/<media id 1>/append",
            "file": "media/canicule.png",
            "multipart": {"media": f"<{size} bytes of media/canicule.png>", "segment_index": 0},
        },
        {"method": "POST", "url": f"{API}/2/media/upload/<media id 1>/finalize", "file": "media/canicule.png"},
        {
            "method": "POST",
            "url": METADATA,
            "file": "media/canicule.png",
            "json": {"id": "<media id 1>", "metadata": {"alt_text": {"text": media.alt}}},
        },
        {"method": "POST", "url": TWEETS, "json": {"text": "Canicule", "media": {"media_ids": ["<media id 1>"]}}},
        {
            "method": "POST",
            "url": TWEETS,
            "json": {"text": "suite", "reply": {"in_reply_to_tweet_id": "<id of part 1>"}},
        },
    ]


def test_payload_of_a_missing_image_still_describes_it(tmp_path: Path) -> None:
    missing = Media(
        file="media/a-venir.jpg",
        path=tmp_path / "a-venir.jpg",
        alt="Photo du service",
        people=False,
        consent=None,
        line=1,
    )
    steps = make_x(environ={}).payload(Rendering("x", ["t"], [missing]))
    assert steps[0]["json"] == {"media_type": "image/jpeg", "total_bytes": None, "media_category": "tweet_image"}


# ---------------------------------------------------------------------- verify


def test_verify_returns_the_handle(mock: responses.RequestsMock) -> None:
    mock.get(f"{API}/2/users/me", json={"data": {"id": "42", "name": "CHU d'Angers", "username": "CHU_Angers"}})
    assert make_x(timeout=4).verify() == "@CHU_Angers"
    [call] = mock.calls
    assert_signed(call)
    assert call.request.req_kwargs["timeout"] == 4.0


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        (401, PermanentError, "X refused the credentials"),
        (403, PermanentError, "not permitted"),
        (429, TransientError, "rate limit"),
        (500, TransientError, "server error"),
    ],
)
def test_verify_errors_are_mapped(mock: responses.RequestsMock, status: int, expected: type, words: str) -> None:
    mock.get(
        f"{API}/2/users/me",
        status=status,
        json={"title": "Error", "detail": "You are not permitted to use this.", "status": status},
    )
    with pytest.raises(expected, match=words):
        make_x().verify()


def test_verify_timeout_is_transient(mock: responses.RequestsMock) -> None:
    mock.get(f"{API}/2/users/me", body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(TransientError):
        make_x().verify()


# ---------------------------------------------------------------------- secrets


ECHO = " ".join(f"{name}={value}" for name, value in CREDENTIALS.items())


@pytest.mark.parametrize(
    ("status", "reply"),
    [
        (400, {"errors": [{"message": f"bad request {ECHO}"}], "title": "Invalid Request"}),
        (401, {"title": "Unauthorized", "detail": f"Unauthorized {ECHO}"}),
        (403, {"title": "Forbidden", "detail": f"Forbidden {ECHO}"}),
        (
            403,
            {"title": "Forbidden", "detail": f"You are not allowed to create a Tweet with duplicate content. {ECHO}"},
        ),
        (429, {"title": "Too Many Requests", "detail": ECHO}),
        (500, {"title": "Internal Error", "detail": ECHO}),
    ],
)
def test_no_secret_in_errors_payloads_or_logs(
    mock: responses.RequestsMock, caplog: pytest.LogCaptureFixture, tmp_path: Path, status: int, reply: dict
) -> None:
    caplog.set_level(logging.DEBUG)
    media = image(tmp_path, alt=f"alt {CREDENTIALS['HOSPIPOST_X_API_KEY'][:3]}")
    register_upload(mock, "90")
    mock.post(TWEETS, **tweet_reply("91"))
    mock.post(TWEETS, status=status, json=reply)
    mock.get(f"{API}/2/users/me", status=status, json=reply)
    adapter = make_x()

    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as published:
        adapter.publish(Rendering("x", ["un", "deux"], [media]), "d", [], Parts())
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as verified:
        adapter.verify()
    payload = json.dumps(adapter.payload(Rendering("x", ["un", "deux"], [media])))

    texts = [str(published.value), repr(published.value), str(verified.value), payload, caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    assert published.value.__cause__ is None and published.value.__suppress_context__
    assert any("tweepy" in record.name for record in caplog.records)  # debug logs were on and captured
    for secret in SECRET_VALUES:
        for text in texts:
            assert secret not in text


# ---------------------------------------------------------------------- import cost


def test_importing_the_module_loads_no_sdk() -> None:
    code = "import sys, hospipost.networks.x; print(sorted(m for m in ('tweepy', 'requests', 'urllib3', 'oauthlib') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {"status": 503, "json": {"title": "Service Unavailable"}},
            "X had a server error (HTTP 503: Service Unavailable) while publishing the post; hospipost will try again"
            " later.",
        ),
        (
            {"status": 401, "json": {"title": "Unauthorized"}},
            "X refused the credentials while publishing the post (HTTP 401: Unauthorized); nothing was published:"
            " check HOSPIPOST_X_API_KEY, HOSPIPOST_X_API_SECRET, HOSPIPOST_X_ACCESS_TOKEN,"
            " HOSPIPOST_X_ACCESS_TOKEN_SECRET or regenerate the access token in the X developer portal, then publish"
            " again.",
        ),
        (
            {"body": requests.exceptions.ReadTimeout("read timed out")},
            "X did not answer within 30 s while publishing the post, after the request was sent: it may be online;"
            " check the account, then resolve the delivery with `hospipost reconcile`.",
        ),
        (
            {
                "body": requests.exceptions.ConnectionError(
                    ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
                )
            },
            "The connection to X broke (connection reset) while publishing the post, after the request was sent: it"
            " may be online; check the account, then resolve the delivery with `hospipost reconcile`.",
        ),
    ],
)
def test_each_kind_of_failure_is_one_clear_sentence(mock: responses.RequestsMock, reply: dict, expected: str) -> None:
    assert str(publish_failing(mock, **reply)) == expected


# ---------------------------------------------------------------------- X's own readings, through publish and verify


def test_duplicate_content_on_a_later_part_names_it_and_the_parts_online(mock: responses.RequestsMock) -> None:
    mock.post(TWEETS, **tweet_reply("701"))
    mock.post(TWEETS, status=403, json={"errors": [{"code": 187, "message": "Status is a duplicate."}]})
    parts = Parts()

    with pytest.raises(UnknownOutcome) as raised:
        make_x().publish(Rendering("x", ["un", "deux"]), "d", [], parts)

    assert parts.calls == [(0, "701")]
    message = str(raised.value)
    assert "(part 2 of the thread) was already posted" in message
    assert "first part of the thread is already online" in message
    assert "hospipost reconcile" in message


def test_duplicate_wording_outside_a_publish_is_a_plain_refusal(mock: responses.RequestsMock) -> None:
    detail = "You are not allowed to create a Tweet with duplicate content."
    mock.get(f"{API}/2/users/me", status=403, json={"title": "Forbidden", "detail": detail})
    with pytest.raises(PermanentError) as raised:
        make_x().verify()
    assert "duplicate content" in str(raised.value) and "fix the post" not in str(raised.value)
    assert "Read and write permission" in str(raised.value)


def test_usage_cap_waits_for_the_exhausted_window(mock: responses.RequestsMock) -> None:
    error = publish_failing(
        mock,
        status=429,
        json={"title": "UsageCapExceeded", "period": "Daily", "detail": "Usage cap exceeded"},
        headers={"x-app-limit-24hour-reset": "1795600000", "x-app-limit-24hour-remaining": "0"},
    )
    assert isinstance(error, TransientError) and error.retry_at == datetime.fromtimestamp(1795600000, UTC)
    assert "daily usage cap for this app was reached" in str(error) and "X developer portal" in str(error)


def test_a_redirect_is_not_followed(mock: responses.RequestsMock) -> None:
    error = publish_failing(mock, status=301, headers={"Location": "https://elsewhere.example/2/tweets"})
    assert type(error) is PermanentError and "networks.x.api_base" in str(error)
    assert [call.request.url for call in mock.calls] == [TWEETS]


@pytest.mark.parametrize(
    ("finalize", "expected", "words"),
    [
        ({"json": {"errors": [{"message": "InvalidMedia: bad chunk"}]}}, PermanentError, "bad chunk"),
        ({"json": ["not", "an", "object"]}, TransientError, "unreadable"),
        ({"body": "<html>gateway</html>"}, TransientError, "unreadable"),
    ],
)
def test_a_media_answer_x_refuses_or_garbles_posts_nothing(
    mock: responses.RequestsMock, tmp_path: Path, finalize: dict, expected: type, words: str
) -> None:
    register_upload(mock, "82")
    mock.replace(responses.POST, f"{API}/2/media/upload/82/finalize", **finalize)
    with pytest.raises(expected, match=words) as raised:
        make_x().publish(Rendering("x", ["texte"], [image(tmp_path)]), "d", [], Parts())
    assert "canicule.png" in str(raised.value) and "nothing was published" in str(raised.value)
    assert not any(call.request.url == TWEETS for call in mock.calls)
