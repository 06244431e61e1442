"""The Bluesky adapter, through the real atproto 0.0.73 with HTTP intercepted by `respx`.

Every test asserts the exact requests (path, JSON body, headers); nothing reaches the
network: the respx mock refuses any request without a route. The same adapter also runs
against a real Bluesky server in tests/bluesky_pds/.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from PIL import Image

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.networks.base import MAX_WAIT, PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.bluesky import (
    Bluesky,
    build_facets,
    find_hashtags,
    find_links,
    find_mentions,
    is_tid,
    record_key,
)
from hospipost.posts import Media
from tests.networks.kit import Parts

HOST = "https://bsky.social"
API = f"{HOST}/xrpc"
DID = "did:plc:chuangers4test5abcdefghij"
HANDLE = "chu.example.org"
ENV = "HOSPIPOST_BLUESKY_APP_PASSWORD"
APP_PASSWORD = "hspt-secr-etap-pw42"
POST = "app.bsky.feed.post"
FUTURE = 4_102_444_800  # 2100-01-01


def jwt(subject: str = DID, scope: str = "com.atproto.appPass", exp: int = FUTURE, marker: str = "access") -> str:
    """A syntactically valid, unsigned JWT (atproto decodes the payload for its expiry)."""

    def encode(part: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    return f"{encode({'typ': 'at+jwt', 'alg': 'ES256K'})}.{encode({'scope': scope, 'sub': subject, 'exp': exp, 'jti': f'SECRET-{marker}-jti'})}.c2lnbmF0dXJl"


ACCESS = jwt()
REFRESH = jwt(scope="com.atproto.refresh", marker="refresh")


def session_body(access: str = ACCESS, refresh: str = REFRESH, **extra: Any) -> dict[str, Any]:
    return {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": True, **extra}


def uri(rkey: str) -> str:
    return f"at://{DID}/{POST}/{rkey}"


def cid(number: int) -> str:
    return f"bafyreicid{number:02d}" + "a" * 47


def make(
    tmp_path: Path | None = None,
    environ: dict[str, str] | None = None,
    credentials: Credentials | None = None,
    **options: Any,
) -> Bluesky:
    settings = {key: spec.default for key, spec in Bluesky.all_config_keys().items()}
    settings.update({"enabled": True, "handle": HANDLE, **options})
    credentials = credentials or Credentials({ENV: APP_PASSWORD} if environ is None else environ)
    return Bluesky(NetworkSettings("bluesky", True, settings, 1), credentials, tmp_path)


class Server:
    """The respx routes of a PDS; createRecord answers with the requested rkey."""

    def __init__(self, mock: respx.MockRouter, base: str = API) -> None:
        self.mock = mock
        self.base = base
        self.created: list[dict[str, Any]] = []
        self.uploads = 0
        self.login = mock.post(f"{base}/com.atproto.server.createSession").mock(
            return_value=httpx.Response(200, json=session_body())
        )
        self.refresh = mock.post(f"{base}/com.atproto.server.refreshSession").mock(
            return_value=httpx.Response(
                200, json=session_body(jwt(marker="access2"), jwt(scope="com.atproto.refresh", marker="refresh2"))
            )
        )
        self.get_session = mock.get(f"{base}/com.atproto.server.getSession").mock(
            return_value=httpx.Response(200, json={"did": DID, "handle": HANDLE})
        )
        self.profile = mock.get(url__startswith=f"{base}/app.bsky.actor.getProfile").mock(
            return_value=httpx.Response(
                400, json={"error": "InvalidRequest", "message": "No service configured for app.bsky.actor.getProfile"}
            )
        )
        self.create = mock.post(f"{base}/com.atproto.repo.createRecord").mock(side_effect=self._create)
        self.get_record = mock.get(url__startswith=f"{base}/com.atproto.repo.getRecord").mock(
            return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
        )
        self.upload = mock.post(f"{base}/com.atproto.repo.uploadBlob").mock(side_effect=self._upload)
        self.resolve = mock.get(url__startswith=f"{base}/com.atproto.identity.resolveHandle").mock(
            side_effect=self._resolve
        )
        self.handles = {"urgences.bsky.social": "did:plc:urgences2test3abcdefghij"}

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.created.append(body)
        return httpx.Response(
            200,
            json={
                "uri": uri(body["rkey"]),
                "cid": cid(len(self.created)),
                "commit": {"cid": cid(99), "rev": "3kzzzzzzzzzz2"},
                "validationStatus": "valid",
            },
        )

    def _upload(self, request: httpx.Request) -> httpx.Response:
        self.uploads += 1
        number = self.uploads
        return httpx.Response(
            200,
            json={
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": f"bafkreiblob{number}"},
                    "mimeType": request.headers["content-type"],
                    "size": len(request.content),
                }
            },
        )

    def _resolve(self, request: httpx.Request) -> httpx.Response:
        handle = request.url.params["handle"]
        if handle in self.handles:
            return httpx.Response(200, json={"did": self.handles[handle]})
        return httpx.Response(400, json={"error": "InvalidRequest", "message": "Unable to resolve handle"})

    def record(self, index: int = -1) -> dict[str, Any]:
        return self.created[index]["record"]


@pytest.fixture
def mock() -> Any:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def server(mock: respx.MockRouter) -> Server:
    return Server(mock)


def png(width: int = 40, height: int = 30, noise: bool = False, mode: str = "RGB") -> bytes:
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new(mode, (width, height), (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def media(
    tmp_path: Path,
    name: str = "canicule.png",
    data: bytes | None = None,
    alt: str | None = "Infographie : les bons gestes en cas de fortes chaleurs",
) -> Media:
    path = tmp_path / name
    path.write_bytes(png() if data is None else data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def publish(
    adapter: Bluesky,
    *parts: str,
    key: str = "p1:bluesky:once",
    media_items: list[Media] | None = None,
    done: list[str] | None = None,
    sent_parts: Parts | None = None,
    language: str = "fr",
) -> Sent:
    rendering = Rendering("bluesky", list(parts), media_items or [], language)
    return adapter.publish(rendering, key, done or [], sent_parts or Parts())


def tid_microseconds(value: str) -> int:
    number = 0
    for char in value:
        number = number * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    return number >> 10


# ---------------------------------------------------------------------- session


def test_login_then_a_text_post_is_one_create_record(server: Server, tmp_path: Path) -> None:
    parts = Parts()
    sent = publish(make(tmp_path, timeout=7.5), "Fortes chaleurs : appelez le 15.", sent_parts=parts)

    rkey = record_key("p1:bluesky:once", 0)
    assert sent == Sent(uri(rkey), f"https://bsky.app/profile/{HANDLE}/post/{rkey}")
    assert parts.calls == [(0, f"{uri(rkey)} {cid(1)}")]
    [login] = server.login.calls
    assert json.loads(login.request.content) == {"identifier": HANDLE, "password": APP_PASSWORD}
    [create] = server.create.calls
    assert create.request.headers["authorization"] == f"Bearer {ACCESS}"
    assert create.request.headers["user-agent"].startswith("hospipost/")
    assert create.request.extensions["timeout"]["read"] == 7.5
    body = json.loads(create.request.content)
    assert body["repo"] == DID and body["collection"] == POST and body["rkey"] == rkey
    record = body["record"]
    assert record["$type"] == POST and record["text"] == "Fortes chaleurs : appelez le 15."
    assert datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")).tzinfo is not None
    assert set(record) == {"$type", "text", "createdAt", "langs"}  # no facets, no embed: nothing to link
    assert record["langs"] == ["fr"]
    assert not server.profile.called  # a PDS without an AppView is fine: the profile is never asked


def test_the_session_is_saved_0600_and_reused_without_logging_in(server: Server, tmp_path: Path) -> None:
    publish(make(tmp_path), "un", key="a")
    path = tmp_path / "bluesky-session"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["handle"] == HANDLE and saved["api_base"] == HOST
    assert ACCESS in saved["session"] and APP_PASSWORD not in path.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left

    publish(make(tmp_path, environ={}), "deux", key="b")  # no password available: the session must do

    assert server.login.call_count == 1
    assert server.create.calls[1].request.headers["authorization"] == f"Bearer {ACCESS}"


def test_without_a_cache_folder_every_run_logs_in(server: Server) -> None:
    publish(make(None), "un", key="a")
    publish(make(None), "deux", key="b")
    assert server.login.call_count == 2


def test_an_expiring_session_is_refreshed_and_saved(server: Server, tmp_path: Path) -> None:
    expired = jwt(exp=1_700_000_000, marker="old")
    server.login.mock(return_value=httpx.Response(200, json=session_body(access=expired)))
    publish(make(tmp_path), "un", key="a")  # logs in, then refreshes at once: the token is already expired

    assert server.refresh.call_count == 1
    assert server.refresh.calls[0].request.headers["authorization"] == f"Bearer {REFRESH}"
    new_access = jwt(marker="access2")
    assert server.create.calls[0].request.headers["authorization"] == f"Bearer {new_access}"
    assert new_access in json.loads((tmp_path / "bluesky-session").read_text())["session"]


@pytest.mark.parametrize(
    ("status", "error"), [(401, "AuthenticationRequired"), (400, "ExpiredToken"), (400, "InvalidToken")]
)
def test_a_refused_saved_session_logs_in_again_once(server: Server, tmp_path: Path, status: int, error: str) -> None:
    publish(make(tmp_path), "un", key="a")
    refused = httpx.Response(status, json={"error": error, "message": "Token has been revoked"})
    server.create.mock(side_effect=[refused, httpx.Response(200, json={"uri": uri("x"), "cid": cid(5)})])

    sent = publish(make(tmp_path), "deux", key="b")

    assert sent.remote_id == uri("x")
    assert server.login.call_count == 2
    assert server.create.call_count == 3


def test_a_session_refused_after_a_new_login_is_permanent_and_names_the_variable(
    server: Server, tmp_path: Path
) -> None:
    server.create.mock(
        return_value=httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Bad token"})
    )
    with pytest.raises(PermanentError, match=ENV) as refused:
        publish(make(tmp_path), "un")
    assert "app password" in str(refused.value) and "main password" in str(refused.value)
    assert server.login.call_count == 2
    assert server.create.call_count == 2


def test_a_wrong_app_password_is_permanent_and_says_what_to_do(server: Server, tmp_path: Path) -> None:
    server.login.mock(
        return_value=httpx.Response(
            401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        )
    )
    with pytest.raises(PermanentError) as refused:
        publish(make(tmp_path), "un")
    message = str(refused.value)
    assert ENV in message and "networks.bluesky.handle" in message and "App passwords" in message
    assert "Invalid identifier or password" in message and APP_PASSWORD not in message
    assert not server.create.called and not (tmp_path / "bluesky-session").exists()


def test_the_main_password_is_refused(server: Server, tmp_path: Path) -> None:
    server.login.mock(return_value=httpx.Response(200, json=session_body(access=jwt(scope="com.atproto.access"))))
    with pytest.raises(PermanentError, match="main password") as refused:
        publish(make(tmp_path), "un")
    assert ENV in str(refused.value)
    assert not server.create.called and not (tmp_path / "bluesky-session").exists()


def test_an_email_code_request_means_the_main_password(server: Server) -> None:
    server.login.mock(
        return_value=httpx.Response(
            401, json={"error": "AuthFactorTokenRequired", "message": "A sign in code has been sent"}
        )
    )
    with pytest.raises(PermanentError, match="app password"):
        publish(make(), "un")


def test_a_missing_password_names_the_variable(server: Server, tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match=ENV):
        publish(make(tmp_path, environ={}), "un")
    assert not server.login.called


def test_a_login_rate_limit_is_transient_until_the_reset(server: Server) -> None:
    server.login.mock(
        return_value=httpx.Response(
            429,
            headers={"ratelimit-reset": "1795000000", "ratelimit-remaining": "0"},
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        )
    )
    with pytest.raises(TransientError) as limited:
        publish(make(), "un")
    assert limited.value.retry_at == datetime.fromtimestamp(1795000000, UTC)


@pytest.mark.parametrize(
    "saved",
    [
        lambda path: path.write_text("not json"),
        lambda path: path.write_text(json.dumps({"handle": "autre.example.org", "api_base": HOST, "session": "x:::y"})),
        lambda path: path.write_text(
            json.dumps({"handle": HANDLE, "api_base": "https://autre.pds", "session": "x:::y"})
        ),
    ],
)
def test_an_unusable_saved_session_means_a_new_login(server: Server, tmp_path: Path, saved: Any) -> None:
    path = tmp_path / "bluesky-session"
    saved(path)
    path.chmod(0o600)
    publish(make(tmp_path), "un")
    assert server.login.call_count == 1
    assert json.loads(path.read_text())["handle"] == HANDLE


def test_a_session_file_readable_by_others_is_not_used(server: Server, tmp_path: Path) -> None:
    publish(make(tmp_path), "un", key="a")
    path = tmp_path / "bluesky-session"
    path.chmod(0o644)
    publish(make(tmp_path), "deux", key="b")
    assert server.login.call_count == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_parallel_deliveries_log_in_once(server: Server, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = list(pool.map(lambda n: publish(make(tmp_path), f"post {n}", key=f"p{n}:bluesky:once"), range(4)))
    assert len({s.remote_id for s in sent}) == 4
    assert server.login.call_count == 1


def test_requests_stay_on_api_base_whatever_the_did_document_says(mock: respx.MockRouter, tmp_path: Path) -> None:
    base = "http://127.0.0.1:8765"
    server = Server(mock, f"{base}/xrpc")
    did_doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": DID,
        "alsoKnownAs": [f"at://{HANDLE}"],
        "service": [
            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://elsewhere.example"}
        ],
    }
    server.login.mock(return_value=httpx.Response(200, json=session_body(didDoc=did_doc)))
    publish(make(tmp_path, api_base=base + "/"), "un", key="a")
    publish(make(tmp_path, api_base=base), "deux", key="b")  # from the saved session
    assert server.create.call_count == 2


# ---------------------------------------------------------------------- rich text: exact byte ranges


def link(start: int, end: int, target: str) -> dict[str, Any]:
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": target}],
    }


def mention(start: int, end: int, did: str) -> dict[str, Any]:
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
    }


def tag(start: int, end: int, name: str) -> dict[str, Any]:
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": name}],
    }


URGENCES = "did:plc:urgences2test3abcdefghij"


@pytest.mark.parametrize(
    ("text", "facets"),
    [
        # É and é are 2 bytes, the no-break space 2, the emoji 4.
        (
            "Été\u00a0: voir santepubliquefrance.fr/canicule 🩺 #Santé",
            [link(14, 45, "https://santepubliquefrance.fr/canicule"), tag(51, 58, "Santé")],
        ),
        # « and » are 2 bytes; an unresolved mention stays plain text; #15 is not a tag.
        (
            "«\u00a0@urgences.bsky.social\u00a0» et @inconnu.example.org, #15 ou #RechercheEnSoins !",
            [mention(4, 25, URGENCES), tag(62, 79, "RechercheEnSoins")],
        ),
        # A family emoji (ZWJ sequence) is 18 bytes; a path with an accent; a decomposed accent in a tag.
        (
            "👨\u200d👩\u200d👧 https://www.chu-angers.fr/actualités #Sante\u0301",
            [link(19, 56, "https://www.chu-angers.fr/actualités"), tag(57, 65, "Sante\u0301")],
        ),
        # An e-mail address is neither a link nor a mention; the final period is not in the link.
        (
            "Écrire à contact@chu-angers.fr ou voir chu-angers.fr/contact.",
            [link(41, 62, "https://chu-angers.fr/contact")],
        ),
        # A fragment is not a hashtag; several links; a mention in parentheses.
        (
            "Voir https://x.fr/#frag et www.has-sante.fr (@urgences.bsky.social).",
            [link(5, 23, "https://x.fr/#frag"), link(27, 43, "https://www.has-sante.fr"), mention(45, 66, URGENCES)],
        ),
    ],
)
def test_facets_have_exact_utf8_byte_ranges(text: str, facets: list[dict[str, Any]]) -> None:
    built = build_facets(text, {"urgences.bsky.social": URGENCES, "inconnu.example.org": None})
    assert built == facets
    encoded = text.encode("utf-8")
    for facet in built:  # each range cuts the UTF-8 bytes on character boundaries
        encoded[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")


def test_detectors() -> None:
    assert find_links("rdv sur chu-angers.fr, merci") == [(8, 21, "https://chu-angers.fr")]
    assert find_mentions("Bravo @Urgences.Bsky.Social ! mail@chu.fr @x") == [(6, 27, "urgences.bsky.social")]
    assert find_hashtags("#15 #2024 #COVID19 #l_équipe_ #_ a#b") == [(10, 18, "COVID19"), (19, 28, "l_équipe")]


def test_mentions_are_resolved_once_before_publishing(server: Server, tmp_path: Path) -> None:
    publish(make(tmp_path), "Merci @urgences.bsky.social et @inconnu.example.org", "Encore @urgences.bsky.social")

    assert [call.request.url.params["handle"] for call in server.resolve.calls] == [
        "urgences.bsky.social",
        "inconnu.example.org",
    ]
    assert server.record(0)["facets"] == [mention(6, 27, URGENCES)]
    assert server.record(1)["facets"] == [mention(7, 28, URGENCES)]


def test_a_resolution_failure_is_transient_and_publishes_nothing(server: Server) -> None:
    server.resolve.mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(TransientError, match="resolving the mention @urgences.bsky.social"):
        publish(make(), "Merci @urgences.bsky.social")
    assert not server.create.called


# ---------------------------------------------------------------------- link card


def test_a_text_with_a_link_gets_a_card_made_without_fetching_the_page(server: Server) -> None:
    publish(make(), "Plan canicule : santepubliquefrance.fr/canicule et https://meteofrance.com")
    assert server.record()["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://santepubliquefrance.fr/canicule",
            "title": "santepubliquefrance.fr/canicule",
            "description": "",
        },
    }
    assert [str(call.request.url.host) for call in server.mock.calls] == [
        "bsky.social"
    ] * 2  # login + createRecord only


# ---------------------------------------------------------------------- images


def test_an_image_is_uploaded_with_its_type_then_embedded_with_alt_and_aspect_ratio(
    server: Server, tmp_path: Path
) -> None:
    item = media(tmp_path, data=png(40, 30))
    publish(make(), "Canicule : https://x.fr", media_items=[item])

    [upload] = server.upload.calls
    assert upload.request.headers["content-type"] == "image/png"
    assert upload.request.content == item.path.read_bytes()
    assert upload.request.headers["authorization"] == f"Bearer {ACCESS}"
    assert server.record()["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "alt": "Infographie : les bons gestes en cas de fortes chaleurs",
                "image": {
                    "$type": "blob",
                    "ref": {"$link": "bafkreiblob1"},
                    "mimeType": "image/png",
                    "size": len(item.path.read_bytes()),
                },
                "aspectRatio": {"width": 40, "height": 30},
            }
        ],
    }  # images win over the link card


def test_a_3_mb_image_is_downscaled_to_a_jpeg_under_1_mb(server: Server, tmp_path: Path) -> None:
    big = png(1000, 1000, noise=True)
    assert len(big) > 3_000_000
    publish(make(), "Canicule", media_items=[media(tmp_path, "bruit.png", big)])

    [upload] = server.upload.calls
    assert upload.request.headers["content-type"] == "image/jpeg"
    assert len(upload.request.content) <= 1_000_000
    with Image.open(io.BytesIO(upload.request.content)) as sent:
        assert sent.format == "JPEG" and sent.size == (1000, 1000)
    image = server.record()["embed"]["images"][0]
    assert image["aspectRatio"] == {"width": 1000, "height": 1000}
    assert image["image"]["size"] == len(upload.request.content)


def rotated_jpeg(width: int, height: int, orientation: int, noise: bool = False) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # 6, 8: shown rotated a quarter turn
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)) if noise else None
    out = io.BytesIO()
    (image or Image.new("RGB", (width, height))).save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def uploaded(server: Server) -> Image.Image:
    [upload] = server.upload.calls
    assert upload.request.headers["content-type"] == "image/jpeg" and len(upload.request.content) <= 1_000_000
    return Image.open(io.BytesIO(upload.request.content))


def test_a_large_picture_is_capped_at_2000_pixels_and_keeps_its_orientation(server: Server, tmp_path: Path) -> None:
    publish(make(), "Photo", media_items=[media(tmp_path, "photo.jpg", rotated_jpeg(3000, 1200, 6, noise=True))])
    with uploaded(server) as result:
        assert result.size == (800, 2000) and not result.getexif().get(0x0112)
    assert server.record()["embed"]["images"][0]["aspectRatio"] == {"width": 800, "height": 2000}


def test_a_transparent_png_is_flattened_when_re_encoded(server: Server, tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.frombytes("RGBA", (600, 600), os.urandom(600 * 600 * 4)).save(out, "PNG")
    assert len(out.getvalue()) > 1_000_000
    publish(make(), "Logo", media_items=[media(tmp_path, "logo.png", out.getvalue())])
    with uploaded(server) as result:
        assert result.mode == "RGB" and result.size == (600, 600)


def test_a_small_rotated_image_is_turned_upright_without_its_metadata(server: Server, tmp_path: Path) -> None:
    publish(make(), "Photo", media_items=[media(tmp_path, "p.jpg", rotated_jpeg(60, 20, 8))])
    with uploaded(server) as result:
        assert result.size == (20, 60) and not result.getexif()
    assert server.record()["embed"]["images"][0]["aspectRatio"] == {"width": 20, "height": 60}


def test_an_image_that_cannot_fit_is_refused(tmp_path: Path) -> None:
    from dataclasses import replace

    item = media(tmp_path, "bruit.png", png(400, 400, noise=True))
    with pytest.raises(PermanentError, match="and Bluesky accepts at most 2 000 bytes: shrink it"):
        make().read_images([item], replace(Bluesky.limits, max_image_bytes=2000))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"GIF89a" + b"\x00" * 20, "accepts JPEG, PNG or WEBP images and media/f.png is a GIF image"),
        (b"%PDF-1.7 not an image", "media/f.png is a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "cannot be decoded"),
    ],
)
def test_bad_images_fail_before_any_request(server: Server, tmp_path: Path, data: bytes, words: str) -> None:
    with pytest.raises(PermanentError, match=words):
        publish(make(), "x", media_items=[media(tmp_path, "f.png", data)])
    assert not server.mock.calls


def test_a_missing_image_or_too_many_fail_before_any_request(server: Server, tmp_path: Path) -> None:
    missing = Media(
        file="media/absente.png", path=tmp_path / "absente.png", alt="Plan", people=False, consent=None, line=1
    )
    with pytest.raises(PermanentError, match="Cannot read the image media/absente.png"):
        publish(make(), "x", media_items=[missing])
    with pytest.raises(PermanentError, match="at most 4 images"):
        publish(make(), "x", media_items=[media(tmp_path, f"{n}.png") for n in range(5)])
    assert not server.mock.calls


def test_texts_over_the_limits_fail_before_any_request(server: Server) -> None:
    with pytest.raises(PermanentError, match="301 graphemes"):
        publish(make(), "ok", "é" * 301)
    with pytest.raises(PermanentError, match="bytes and Bluesky accepts 3000"):
        publish(make(), "👨\u200d👩\u200d👧" * 200)  # 200 graphemes, 3600 bytes
    assert not server.mock.calls


# ---------------------------------------------------------------------- threads and record keys


def test_a_thread_replies_to_the_root_and_the_previous_part(server: Server, tmp_path: Path) -> None:
    parts = Parts()
    sent = publish(
        make(),
        "1/3 Le babicoc",
        "2/3 Un cocon pour l'IRM",
        "3/3 Merci santepubliquefrance.fr",
        key="babicoc:bluesky:once",
        media_items=[media(tmp_path)],
        sent_parts=parts,
    )

    keys = [record_key("babicoc:bluesky:once", index) for index in range(3)]
    assert [body["rkey"] for body in server.created] == keys
    assert parts.calls == [(index, f"{uri(keys[index])} {cid(index + 1)}") for index in range(3)]
    root = {"uri": uri(keys[0]), "cid": cid(1)}
    assert "reply" not in server.record(0)
    assert server.record(1)["reply"] == {"root": root, "parent": root}
    assert server.record(2)["reply"] == {"root": root, "parent": {"uri": uri(keys[1]), "cid": cid(2)}}
    assert server.record(0)["embed"]["$type"] == "app.bsky.embed.images"
    assert "embed" not in server.record(1)
    assert server.record(2)["embed"]["$type"] == "app.bsky.embed.external"  # a later part with a link gets its card
    assert sent.remote_id == uri(keys[0])


def test_every_record_of_a_thread_names_the_posts_language(server: Server) -> None:
    publish(make(), "We are recruiting nurses.", "Apply online.", language="en-GB")
    assert [server.record(index)["langs"] for index in range(2)] == [["en-GB"], ["en-GB"]]


def test_a_resumed_thread_uses_the_recorded_root_and_parent(server: Server, tmp_path: Path) -> None:
    done = [f"{uri('3jzzzzzzzzzz2')} {cid(41)}", f"{uri('3jzzzzzzzzzz3')} {cid(42)}"]
    parts = Parts()
    sent = publish(
        make(), "un", "deux", "trois", key="t:bluesky:once", done=done, media_items=[media(tmp_path)], sent_parts=parts
    )

    assert sent.remote_id == uri("3jzzzzzzzzzz2")
    [body] = server.created
    assert body["rkey"] == record_key("t:bluesky:once", 2)
    assert body["record"]["text"] == "trois"
    assert body["record"]["reply"] == {
        "root": {"uri": uri("3jzzzzzzzzzz2"), "cid": cid(41)},
        "parent": {"uri": uri("3jzzzzzzzzzz3"), "cid": cid(42)},
    }
    assert parts.calls == [(2, f"{uri(record_key('t:bluesky:once', 2))} {cid(1)}")]
    assert not server.upload.called  # the images went with the first part


def test_a_part_recorded_without_its_cid_is_read_back(server: Server) -> None:
    server.get_record.mock(
        return_value=httpx.Response(200, json={"uri": uri("3jzzzzzzzzzz2"), "cid": cid(41), "value": {}})
    )
    publish(make(), "un", "deux", done=[uri("3jzzzzzzzzzz2")])
    assert server.get_record.calls[0].request.url.params["rkey"] == "3jzzzzzzzzzz2"
    assert server.record()["reply"]["root"] == {"uri": uri("3jzzzzzzzzzz2"), "cid": cid(41)}


def test_a_fully_published_thread_sends_nothing(server: Server) -> None:
    done = [f"{uri('3jzzzzzzzzzz2')} {cid(1)}", f"{uri('3jzzzzzzzzzz3')} {cid(2)}"]
    assert publish(make(), "un", "deux", done=done) == Sent(
        uri("3jzzzzzzzzzz2"), f"https://bsky.app/profile/{HANDLE}/post/3jzzzzzzzzzz2"
    )
    assert not server.mock.calls


def test_record_keys_are_deterministic_tids() -> None:
    keys = {
        record_key(key, index)
        for key in ("a:bluesky:once", "b:bluesky:once", "a:bluesky:2027-07-19T07:00")
        for index in range(4)
    }
    assert len(keys) == 12
    assert record_key("a:bluesky:once", 1) == record_key("a:bluesky:once", 1)
    start = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
    for key in keys:
        assert is_tid(key) and len(key) == 13
        assert start <= tid_microseconds(key) < start + 2**44  # in the past: never a future TID
    assert record_key("p1:bluesky:once", 0) == "3jvkvpt2xzr44"  # stable across versions: changing it would re-post


# ---------------------------------------------------------------------- idempotency and errors


def test_a_create_refused_because_the_record_exists_counts_as_published(server: Server) -> None:
    server.create.mock(
        return_value=httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"})
    )
    key = record_key("p1:bluesky:once", 0)
    server.get_record.mock(
        return_value=httpx.Response(200, json={"uri": uri(key), "cid": cid(7), "value": {"text": "un"}})
    )
    parts = Parts()
    sent = publish(make(), "un", sent_parts=parts)
    assert sent.remote_id == uri(key)
    assert parts.calls == [(0, f"{uri(key)} {cid(7)}")]
    assert server.get_record.calls[0].request.url.params["rkey"] == key


def test_a_part_found_online_with_another_text_is_kept_and_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    server.create.mock(return_value=httpx.Response(500, json={"error": "InternalServerError"}))
    server.get_record.mock(
        return_value=httpx.Response(
            200,
            json={
                "uri": uri("k"),
                "cid": cid(3),
                "value": {"$type": POST, "text": "ancien texte", "createdAt": "2026-11-23T10:00:00.000Z"},
            },
        )
    )
    with caplog.at_level(logging.WARNING, logger="hospipost.networks.bluesky"):
        assert publish(make(), "nouveau texte").remote_id == uri("k")
    assert "differs from the current one" in caplog.text


def test_a_timeout_after_sending_is_transient_because_the_key_makes_a_retry_safe(server: Server) -> None:
    server.create.mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(TransientError) as timed_out:
        publish(make(timeout=3), "un")
    message = str(timed_out.value)
    assert "did not answer within 3 s" in message and "same record key" in message
    assert server.get_record.call_count == 1  # it looked for the record before giving up


def test_a_timeout_whose_record_is_there_is_a_success(server: Server) -> None:
    server.create.mock(side_effect=httpx.ReadTimeout("timed out"))
    server.get_record.mock(return_value=httpx.Response(200, json={"uri": uri("k"), "cid": cid(3), "value": {}}))
    assert publish(make(), "un").remote_id == uri("k")


def test_a_later_retry_finds_the_part_an_unknown_attempt_created(server: Server) -> None:
    created = {}

    def create(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["rkey"] in created:
            return httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"})
        created[body["rkey"]] = body
        if len(created) == 2:
            raise httpx.ReadTimeout("answer lost")
        return httpx.Response(200, json={"uri": uri(body["rkey"]), "cid": cid(len(created))})

    def get_record(request: httpx.Request) -> httpx.Response:
        rkey = request.url.params["rkey"]
        if rkey in created and len(created) > 2:
            return httpx.Response(200, json={"uri": uri(rkey), "cid": cid(20), "value": {}})
        return httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})

    server.create.mock(side_effect=create)
    server.get_record.mock(side_effect=get_record)
    first = Parts()
    with pytest.raises(TransientError, match="already online"):
        publish(make(), "un", "deux", "trois", sent_parts=first)  # part 2 timed out, not found yet
    second = Parts()
    created["other"] = {}  # the server has now committed part 2
    sent = publish(make(), "un", "deux", "trois", done=[first.calls[0][1]], sent_parts=second)
    assert [index for index, _ in second.calls] == [1, 2]
    assert second.calls[0][1].endswith(cid(20))  # part 2 read back, not posted twice
    assert sent.remote_id == first.calls[0][1].split(" ")[0]


@pytest.mark.parametrize(
    ("response", "expected", "words"),
    [
        (
            httpx.Response(
                400,
                json={
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
                },
            ),
            PermanentError,
            "must not be longer than 300 graphemes",
        ),
        (
            httpx.Response(
                429,
                headers={"ratelimit-reset": "1795000000"},
                json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            ),
            TransientError,
            "rate limit",
        ),
        (
            httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"}),
            TransientError,
            "server error",
        ),
        (
            httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
            TransientError,
            "server error",
        ),
        (httpx.Response(503, json={"error": "UpstreamFailure"}), TransientError, "server error"),
        (
            httpx.Response(200, text="<html>proxy page</html>", headers={"content-type": "text/html"}),
            TransientError,
            "unreadable",
        ),
        (httpx.Response(404, text="Not Found"), PermanentError, "api_base"),
        (
            httpx.Response(403, json={"error": "AccountTakedown", "message": "Account has been taken down"}),
            PermanentError,
            ENV,
        ),
    ],
)
def test_create_record_errors_are_mapped(server: Server, response: httpx.Response, expected: type, words: str) -> None:
    server.create.mock(return_value=response)
    with pytest.raises(expected, match=words) as raised:
        publish(make(), "un")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    if response.status_code == 429:
        assert raised.value.retry_at == datetime.fromtimestamp(1795000000, UTC)
        assert not server.get_record.called  # refused before processing: nothing to look for


@pytest.mark.parametrize(
    "headers",
    [
        {"ratelimit-reset": "100000000000"},
        {"ratelimit-reset": "99999999999999999999"},
        {"ratelimit-reset": "soon"},
        {"retry-after": "100000000000"},
    ],
)
def test_an_absurd_rate_limit_reset_waits_at_most_an_hour(server: Server, headers: dict) -> None:
    server.create.mock(return_value=httpx.Response(429, headers=headers, json={"error": "RateLimitExceeded"}))
    with pytest.raises(TransientError, match="rate limit was reached") as raised:
        publish(make(), "un")
    assert raised.value.retry_at is None or raised.value.retry_at <= datetime.now(UTC) + MAX_WAIT


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "Could not reach Bluesky"),
        (httpx.ConnectTimeout("timed out"), "Could not reach Bluesky .*connection timed out"),
        (httpx.RemoteProtocolError("Server disconnected"), "connection to Bluesky broke"),
    ],
)
def test_transport_failures_are_transient(server: Server, failure: Exception, words: str) -> None:
    server.create.mock(side_effect=failure)
    with pytest.raises(TransientError, match=words):
        publish(make(), "un")


@pytest.mark.parametrize(
    ("response", "expected", "words"),
    [
        (
            httpx.Response(413, json={"error": "PayloadTooLarge", "message": "request entity too large"}),
            PermanentError,
            "too large",
        ),
        (httpx.Response(500, json={"error": "InternalServerError"}), TransientError, "server error"),
        (
            httpx.Response(400, json={"error": "InvalidRequest", "message": "Wrong type of file"}),
            PermanentError,
            "Wrong type of file",
        ),
    ],
)
def test_upload_errors_are_mapped_and_stop_before_the_post(
    server: Server, tmp_path: Path, response: httpx.Response, expected: type, words: str
) -> None:
    server.upload.mock(return_value=response)
    with pytest.raises(expected, match=words):
        publish(make(), "un", media_items=[media(tmp_path)])
    assert not server.create.called


def test_a_failure_mid_thread_says_which_parts_are_online(server: Server) -> None:
    server.create.mock(
        side_effect=[
            httpx.Response(200, json={"uri": uri("a"), "cid": cid(1)}),
            httpx.Response(400, json={"error": "InvalidRequest", "message": "bad facet"}),
        ]
    )
    with pytest.raises(PermanentError, match="the first part of the thread is already online"):
        publish(make(), "un", "deux", "trois")


def test_no_error_is_ever_an_unknown_outcome(server: Server) -> None:
    for failure in (
        httpx.ReadTimeout("t"),
        httpx.WriteTimeout("t"),
        httpx.ReadError("reset"),
        httpx.Response(500, json={"error": "InternalServerError"}),
        httpx.Response(200, json={"weird": True}),
    ):
        server.create.mock(
            side_effect=[failure] if isinstance(failure, Exception) else None,
            return_value=None if isinstance(failure, Exception) else failure,
        )
        with pytest.raises(TransientError):
            publish(make(), "un")
    assert not issubclass(TransientError, UnknownOutcome)


@pytest.mark.parametrize(
    ("response", "expected", "words"),
    [
        (  # the session refused as a 400, even after a new login
            httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}),
            PermanentError,
            f"refused the session.*{ENV}",
        ),
        (httpx.Response(409, json={"error": "InvalidSwap", "message": "Conflict"}), TransientError, "retry"),
    ],
)
def test_blueskys_own_codes(server: Server, response: httpx.Response, expected: type, words: str) -> None:
    server.create.mock(return_value=response)
    with pytest.raises(expected, match=words) as raised:
        publish(make(), "un", "deux")
    assert "nothing was published" in str(raised.value) and APP_PASSWORD not in str(raised.value)
    assert server.create.call_count == (2 if response.status_code == 400 else 1)  # one new login, one second try


# ---------------------------------------------------------------------- verify


def test_verify_returns_the_handle_and_did(server: Server, tmp_path: Path) -> None:
    assert make(tmp_path).verify() == f"@{HANDLE} ({DID})"
    assert server.get_session.calls[0].request.headers["authorization"] == f"Bearer {ACCESS}"
    assert make(tmp_path, environ={}).verify() == f"@{HANDLE} ({DID})"  # resumed
    assert server.login.call_count == 1


@pytest.mark.parametrize(("status", "expected"), [(401, PermanentError), (429, TransientError), (500, TransientError)])
def test_verify_errors_are_mapped(server: Server, status: int, expected: type) -> None:
    server.login.mock(return_value=httpx.Response(status, json={"error": "X", "message": "nope"}))
    with pytest.raises(expected):
        make().verify()


# ---------------------------------------------------------------------- payload (dry run)


def test_payload_of_a_text_post_reads_no_credential_and_sends_nothing(mock: respx.MockRouter) -> None:
    steps = make(environ={}).payload(
        Rendering("bluesky", ["Voir santepubliquefrance.fr/canicule #Canicule"]), "p1:bluesky:once"
    )
    assert not mock.calls
    assert steps == [
        {
            "method": "POST",
            "url": f"{API}/com.atproto.server.createSession",
            "json": {"identifier": HANDLE, "password": f"<app password from {ENV}>"},
            "note": "only when no saved session is valid; an app password, never the account's main password",
        },
        {
            "method": "POST",
            "url": f"{API}/com.atproto.repo.createRecord",
            "json": {
                "repo": f"<DID of @{HANDLE}>",
                "collection": POST,
                "rkey": record_key("p1:bluesky:once", 0),
                "record": {
                    "$type": POST,
                    "text": "Voir santepubliquefrance.fr/canicule #Canicule",
                    "createdAt": "<time of publication>",
                    "langs": ["fr"],
                    "facets": [link(5, 36, "https://santepubliquefrance.fr/canicule"), tag(37, 46, "Canicule")],
                    "embed": {
                        "$type": "app.bsky.embed.external",
                        "external": {
                            "uri": "https://santepubliquefrance.fr/canicule",
                            "title": "santepubliquefrance.fr/canicule",
                            "description": "",
                        },
                    },
                },
            },
        },
    ]


def test_payload_of_a_thread_with_images_and_mentions(tmp_path: Path) -> None:
    small = media(tmp_path, "plan.png", png(40, 30), alt="Plan d'accès")
    big = media(tmp_path, "bruit.png", png(1000, 1000, noise=True), alt="Bruit")
    steps = make(environ={}, api_base="http://127.0.0.1:9").payload(
        Rendering("bluesky", ["Merci @urgences.bsky.social", "suite"], [small, big])
    )
    urls = [step["url"].rsplit("/", 1)[1] for step in steps]
    assert urls == [
        "com.atproto.server.createSession",
        "com.atproto.identity.resolveHandle",
        "com.atproto.repo.uploadBlob",
        "com.atproto.repo.uploadBlob",
        "com.atproto.repo.createRecord",
        "com.atproto.repo.createRecord",
    ]
    assert steps[1]["params"] == {"handle": "urgences.bsky.social"} and "resolved at publish time" in steps[1]["note"]
    assert steps[2] == {
        "method": "POST",
        "url": "http://127.0.0.1:9/xrpc/com.atproto.repo.uploadBlob",
        "file": "media/plan.png",
        "alt": "Plan d'accès",
        "content_type": "image/png",
        "bytes": len(small.path.read_bytes()),
    }
    assert steps[3]["content_type"] == "image/jpeg" and steps[3]["bytes"] <= 1_000_000
    assert steps[3]["downscaled"].startswith(f"from {len(big.path.read_bytes())} bytes to {steps[3]['bytes']} bytes")
    first, second = steps[4]["json"]["record"], steps[5]["json"]["record"]
    assert first["facets"] == [mention(6, 27, "<DID of @urgences.bsky.social, resolved at publish time>")]
    assert first["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"alt": "Plan d'accès", "image": "<blob 1: media/plan.png>", "aspectRatio": {"width": 40, "height": 30}},
            {"alt": "Bruit", "image": "<blob 2: media/bruit.png>", "aspectRatio": {"width": 1000, "height": 1000}},
        ],
    }
    assert second["reply"] == {
        "root": {"uri": "<uri of part 1>", "cid": "<cid of part 1>"},
        "parent": {"uri": "<uri of part 1>", "cid": "<cid of part 1>"},
    }
    assert steps[5]["json"]["rkey"] == "<TID derived from the delivery id and part 2>"


def test_payload_of_a_missing_image_describes_the_problem(tmp_path: Path) -> None:
    missing = Media(
        file="media/absente.png", path=tmp_path / "absente.png", alt="Plan", people=False, consent=None, line=1
    )
    steps = make(environ={}).payload(Rendering("bluesky", ["x"], [missing]))
    assert "Cannot read the image media/absente.png" in steps[1]["problem"]


def test_payload_matches_what_publish_sends(server: Server, tmp_path: Path) -> None:
    rendering = Rendering(
        "bluesky", ["Été 🩺 #Santé @urgences.bsky.social chu-angers.fr/x", "suite"], [media(tmp_path)]
    )
    steps = make(environ={}).payload(rendering, "m:bluesky:once")
    make().publish(rendering, "m:bluesky:once", [], Parts())

    planned = [step["json"] for step in steps if step["url"].endswith("createRecord")]
    for plan, sent in zip(planned, server.created, strict=True):
        assert plan["rkey"] == sent["rkey"] and plan["collection"] == sent["collection"]
        assert plan["record"]["text"] == sent["record"]["text"]
        assert [f["index"] for f in plan["record"].get("facets", [])] == [
            f["index"] for f in sent["record"].get("facets", [])
        ]
        assert plan["record"].get("embed", {}).get("$type") == sent["record"].get("embed", {}).get("$type")
        assert set(plan["record"]) == set(sent["record"])


# ---------------------------------------------------------------------- secrets


ECHO = f"{APP_PASSWORD} {ACCESS} {REFRESH}"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, json={"error": "InvalidRequest", "message": f"bad {ECHO}"}),
        httpx.Response(401, json={"error": "AuthenticationRequired", "message": f"no {ECHO}"}),
        httpx.Response(429, json={"error": "RateLimitExceeded", "message": ECHO}),
        httpx.Response(500, json={"error": "InternalServerError", "message": ECHO}),
        httpx.Response(502, text=f"<html>{ECHO}</html>", headers={"content-type": "text/html"}),
    ],
)
def test_no_secret_in_errors_payloads_files_or_debug_logs(
    server: Server, tmp_path: Path, caplog: pytest.LogCaptureFixture, response: httpx.Response
) -> None:
    caplog.set_level(logging.DEBUG)
    item = media(tmp_path)
    publish(make(tmp_path), "un", key="warm")  # a saved session, from an earlier run
    session_string = json.loads((tmp_path / "bluesky-session").read_text())["session"]
    server.create.mock(return_value=response)
    server.get_session.mock(return_value=response)
    server.login.mock(return_value=response)
    credentials = Credentials({ENV: APP_PASSWORD})  # one run: its adapters share the credentials
    adapter = make(tmp_path, credentials=credentials)

    with pytest.raises((TransientError, PermanentError)) as published:
        adapter.publish(Rendering("bluesky", ["un", "deux"], [item]), "d", [], Parts())
    with pytest.raises((TransientError, PermanentError)) as verified:
        make(tmp_path, credentials=credentials).verify()
    payload = json.dumps(adapter.payload(Rendering("bluesky", ["un", "deux"], [item]), "d"))

    texts = [str(published.value), repr(published.value), str(verified.value), payload, caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    assert any(record.name.startswith(("httpx", "httpcore")) for record in caplog.records)  # debug logs were captured
    for secret in (APP_PASSWORD, ACCESS, REFRESH, session_string):
        for text in texts:
            assert secret not in text


def test_the_session_string_is_stripped_by_every_redact_of_the_run(server: Server, tmp_path: Path) -> None:
    from hospipost.credentials import redact

    adapter = make(tmp_path)
    publish(adapter, "un")
    session_string = json.loads((tmp_path / "bluesky-session").read_text())["session"]
    assert redact(f"x {session_string} {ACCESS} {REFRESH}", adapter.credentials.handed_out) == "x *** *** ***"


# ---------------------------------------------------------------------- import cost


def test_importing_the_module_loads_no_sdk() -> None:
    code = (
        "import sys, hospipost.networks.bluesky; "
        "print(sorted(m for m in ('atproto', 'atproto_client', 'httpx', 'PIL', 'pydantic') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(503, json={"error": "UpstreamFailure"}),
            "Bluesky had a server error (HTTP 503: UpstreamFailure) while publishing the post; hospipost will try again later.",
        ),
        (
            httpx.Response(
                400, json={"error": "InvalidRequest", "message": "Record/text must not be longer than 300 graphemes"}
            ),
            "Bluesky rejected publishing the post (HTTP 400: InvalidRequest: Record/text must not be longer than 300 graphemes); nothing was published: fix the post, then publish again.",
        ),
        (
            httpx.ReadTimeout("timed out"),
            "Bluesky did not answer within 30 s while publishing the post; a retry cannot publish it twice (same record key), hospipost will try again later.",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected"),
            "The connection to Bluesky broke (connection closed by the server) while publishing the post; a retry cannot publish it twice (same record key), hospipost will try again later.",
        ),
    ],
)
def test_each_kind_of_failure_is_one_clear_sentence(server: Server, response: Any, expected: str) -> None:
    server.create.mock(return_value=response) if isinstance(response, httpx.Response) else server.create.mock(
        side_effect=response
    )
    server.get_record.mock(return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "not found"}))
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as raised:
        publish(make(), "un")
    assert str(raised.value) == expected
