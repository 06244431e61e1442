"""Public media for Instagram and Threads: a served folder checked byte for byte, or an S3 store.

The served folder is a real HTTP server on 127.0.0.1; the object store is moto's server
mode, spoken to by boto3 over HTTP exactly as an OVH, Scaleway or MinIO store would be.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from hospipost.config import MediaStoreSettings, PublicMediaSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.media import strip_metadata
from hospipost.networks.failures import PermanentError, TransientError
from hospipost.publicmedia import ObjectStore, ServedFolder, open_public_media

KEY, SECRET = "AKIDHOSPIPOSTTEST1", "s3cr3t-Very-Private-Value+/x"
ENV = {"HOSPIPOST_S3_KEY": KEY, "HOSPIPOST_S3_SECRET": SECRET}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jpeg_with_exif() -> bytes:
    """A real JPEG carrying a GPS position and a camera model in its EXIF."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x8825] = {1: "N", 2: (47.0, 28.0, 12.0), 3: "W", 4: (0.0, 33.0, 15.0)}  # GPS
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


# --- served folder -----------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A web server on 127.0.0.1 serving a folder: (its URL, the folder)."""
    served = tmp_path / "www"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", served
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "media" / "campagne 2026").mkdir(parents=True)
    return root


def folder(url: str, root: Path) -> ServedFolder:
    settings = PublicMediaSettings(root=root, line=1, media_url=url)
    media = open_public_media(settings, Credentials({}))
    assert isinstance(media, ServedFolder)
    return media


def test_the_served_copy_with_the_same_bytes_is_used(web: tuple[str, Path], project: Path) -> None:
    url, served = web
    data = b"\x89PNG\r\n\x1a\n" + b"image bytes" * 100
    (served / "campagne 2026").mkdir()
    (served / "campagne 2026" / "affiche.png").write_bytes(data)
    address = folder(url, project).url("media/campagne 2026/affiche.png", data, "image/png")
    assert address == url + "campagne%202026/affiche.png"
    assert requests.get(address, timeout=5).content == data


def test_a_missing_copy_says_where_to_publish_it(web: tuple[str, Path], project: Path) -> None:
    url, _ = web
    with pytest.raises(PermanentError) as caught:
        folder(url, project).url("media/x.png", b"data", "image/png")
    message = str(caught.value)
    assert f"media/x.png is not online at {url}x.png (HTTP 404)" in message
    assert message.endswith(".")


def test_a_different_copy_is_refused(web: tuple[str, Path], project: Path) -> None:
    url, served = web
    (served / "x.png").write_bytes(b"an older version")
    with pytest.raises(PermanentError) as caught:
        folder(url, project).url("media/x.png", b"the version to publish", "image/png")
    assert f"The copy of media/x.png served at {url}x.png differs from the file in media/" in str(caught.value)


def test_a_copy_carrying_metadata_is_refused_not_published(web: tuple[str, Path], project: Path) -> None:
    url, served = web
    original = jpeg_with_exif()
    stripped = strip_metadata(original)
    assert stripped != original and b"PhoneMaker" in original and b"PhoneMaker" not in stripped
    (served / "photo.jpg").write_bytes(original)
    with pytest.raises(PermanentError) as caught:
        folder(url, project).url("media/photo.jpg", stripped, "image/jpeg")
    message = str(caught.value)
    assert "carries metadata" in message and "copy without metadata" in message
    (served / "photo.jpg").write_bytes(stripped)  # the cleaned copy is accepted
    assert folder(url, project).url("media/photo.jpg", stripped, "image/jpeg") == url + "photo.jpg"


def test_a_file_outside_the_media_folder_is_refused(web: tuple[str, Path], project: Path) -> None:
    with pytest.raises(PermanentError, match="not in the media/ folder"):
        folder(web[0], project).url("photos/x.png", b"data", "image/png")


def test_a_server_down_is_transient(project: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/media/"
    with pytest.raises(TransientError) as caught:
        folder(url, project).url("media/x.png", b"data", "image/png")
    assert "hospipost will try again later" in str(caught.value)


def test_a_server_error_is_transient(project: Path) -> None:
    class Failing(QuietHandler):
        def do_GET(self) -> None:
            self.send_error(503)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with pytest.raises(TransientError, match="HTTP 503"):
            folder(f"http://127.0.0.1:{server.server_address[1]}/", project).url("media/x.png", b"d", "image/png")
    finally:
        server.shutdown()
        server.server_close()


# --- object store ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def store_settings(endpoint: str, bucket: str, **changes: object) -> MediaStoreSettings:
    settings = MediaStoreSettings(
        endpoint=endpoint,
        bucket=bucket,
        region="gra",
        access_key_env="HOSPIPOST_S3_KEY",
        secret_key_env="HOSPIPOST_S3_SECRET",
        prefix="hospipost/",
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


@pytest.fixture
def bucket(moto_endpoint: str) -> str:
    import boto3

    name = f"chu-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    client.create_bucket(Bucket=name)
    return name


def open_store(settings: MediaStoreSettings) -> ObjectStore:
    media = open_public_media(PublicMediaSettings(root=Path("/tmp"), line=1, store=settings), Credentials(ENV))
    assert isinstance(media, ObjectStore)
    return media


def count_puts(store: ObjectStore) -> list[str]:
    puts: list[str] = []
    store.client.meta.events.register("before-call.s3.PutObject", lambda params, **_: puts.append(params["url_path"]))
    return puts


def test_the_store_uploads_once_under_a_content_hash_and_presigns(moto_endpoint: str, bucket: str) -> None:
    store = open_store(store_settings(moto_endpoint, bucket))
    puts = count_puts(store)
    data = b"\xff\xd8\xff" + b"photo" * 1000
    first = store.url("media/Mme Dupont chambre 12.jpg", data, "image/jpeg")
    second = store.url("media/Mme Dupont chambre 12.jpg", data, "image/jpeg")
    assert len(puts) == 1  # the second call found the object (HEAD) and uploaded nothing
    key = f"hospipost/{hashlib.sha256(data).hexdigest()}.jpg"
    assert f"/{bucket}/{key}?" in first and "Dupont" not in first
    assert "X-Amz-Signature=" in first and "X-Amz-Expires=86400" in first
    assert second.split("?")[0] == first.split("?")[0]
    fetched = requests.get(first, timeout=10)
    assert fetched.status_code == 200 and fetched.content == data
    head = store.client.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "image/jpeg"


def test_the_url_lifetime_is_the_presigned_urls(moto_endpoint: str, bucket: str) -> None:
    store = open_store(store_settings(moto_endpoint, bucket, url_lifetime=timedelta(hours=2)))
    assert "X-Amz-Expires=7200" in store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")


def test_with_a_public_url_the_url_is_public_url_and_key(moto_endpoint: str, bucket: str) -> None:
    import json

    public = f"{moto_endpoint}/{bucket}/"
    store = open_store(store_settings(moto_endpoint, bucket, public_url=public))
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    store.client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))  # as a hospital makes it public
    data = b"\x89PNG\r\n\x1a\n" + b"poster" * 10
    url = store.url("media/a.png", data, "image/png")
    assert url == f"{public}hospipost/{hashlib.sha256(data).hexdigest()}.png"
    assert requests.get(url, timeout=10).content == data


def test_refused_credentials_name_the_variables_never_the_secret(
    moto_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from moto import settings as moto_settings

    store = open_store(store_settings(moto_endpoint, bucket))
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # moto now checks every key
    caplog.set_level("DEBUG")
    with pytest.raises(PermanentError) as caught:
        store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")
    message = str(caught.value)
    assert "refused the credentials while storing media/a.png (InvalidAccessKeyId)" in message
    assert "HOSPIPOST_S3_KEY" in message and "HOSPIPOST_S3_SECRET" in message
    assert SECRET not in message and KEY not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    # hospipost's side (boto3, botocore, urllib3) logs neither; moto's server, in this process, is the store's side.
    ours = [record.getMessage() for record in caplog.records if not record.name.startswith(("moto", "werkzeug"))]
    assert any("Authorization" in message for message in ours)  # botocore did log the signed request…
    assert not [message for message in ours if KEY in message or SECRET in message]  # …with the keys redacted


def test_a_wrong_secret_is_refused_without_showing_it(
    moto_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from moto import settings as moto_settings

    iam = boto3.client(
        "iam", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    user = f"hospipost-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    real = iam.create_access_key(UserName=user)["AccessKey"]
    wrong = real["SecretAccessKey"][::-1]
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    settings = PublicMediaSettings(root=Path("/tmp"), line=1, store=store_settings(moto_endpoint, bucket))
    environ = {"HOSPIPOST_S3_KEY": real["AccessKeyId"], "HOSPIPOST_S3_SECRET": wrong}
    store = open_public_media(settings, Credentials(environ))
    with pytest.raises(PermanentError) as caught:
        store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")
    message = str(caught.value)
    assert "refused the credentials while storing media/a.png (SignatureDoesNotMatch)" in message
    assert wrong not in message and real["AccessKeyId"] not in message


def test_a_missing_bucket_is_named(moto_endpoint: str) -> None:
    store = open_store(store_settings(moto_endpoint, "no-such-bucket-here"))
    with pytest.raises(PermanentError) as caught:
        store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")
    assert "has no bucket named no-such-bucket-here" in str(caught.value)


def test_an_unreachable_store_is_transient() -> None:
    store = open_store(store_settings(f"http://127.0.0.1:{free_port()}", "chu-media"))
    with pytest.raises(TransientError) as caught:
        store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")
    assert "could not reach the media store" in str(caught.value).lower()
    assert SECRET not in str(caught.value)


def test_a_store_in_trouble_is_transient() -> None:
    class Unavailable(QuietHandler):
        def do_HEAD(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        store = open_store(store_settings(f"http://127.0.0.1:{server.server_address[1]}", "chu-media"))
        with pytest.raises(TransientError) as caught:
            store.url("media/a.png", b"\x89PNG\r\n\x1a\nabc", "image/png")
    finally:
        server.shutdown()
        server.server_close()
    assert "had a problem while storing media/a.png (HTTP 503); hospipost will try again later" in str(caught.value)


def test_missing_credentials_name_the_variable() -> None:
    settings = PublicMediaSettings(root=Path("/tmp"), line=1, store=store_settings("https://s3.example.org", "b-1"))
    with pytest.raises(CredentialsError, match="HOSPIPOST_S3_KEY"):
        open_public_media(settings, Credentials({}))


def test_object_names_never_carry_the_file_name() -> None:
    store = open_store(store_settings("https://s3.gra.io.cloud.ovh.net", "chu-media"))
    digest = hashlib.sha256(b"v").hexdigest()
    assert store.key(b"v", "video/mp4") == f"hospipost/{digest}.mp4"
    assert store.key(b"v", "image/webp") == f"hospipost/{digest}.webp"
    assert store.key(b"v", "application/x-unknown-thing") == f"hospipost/{digest}"


def test_the_store_keys_are_among_the_values_to_redact(tmp_path: Path) -> None:
    from tests.helpers import make_config
    from tests.test_config import MEDIA_STORE

    config = make_config(tmp_path, MEDIA_STORE)
    assert {KEY, SECRET} <= Credentials(ENV).configured(config)


# --- videos, handed as a file path: hashed and streamed in chunks ---------------------------


def clip(folder: Path, name: str = "visite.mp4") -> Path:
    from tests.fakes.video import make_video

    return make_video(folder / name, seconds=1, width=160, height=90)


def test_a_served_video_is_checked_chunk_by_chunk(
    web: tuple[str, Path], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, served = web
    video = clip(project / "media")
    (served / "visite.mp4").write_bytes(video.read_bytes())
    monkeypatch.setattr("hospipost.publicmedia.CHUNK", 1000)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    assert folder(url, project).file_url("media/visite.mp4", video, "video/mp4") == url + "visite.mp4"


def test_a_served_video_that_differs_or_is_longer_is_refused(web: tuple[str, Path], project: Path) -> None:
    url, served = web
    video = clip(project / "media")
    for copy in (video.read_bytes()[:-1] + b"\x00", video.read_bytes() + b"more"):
        (served / "visite.mp4").write_bytes(copy)
        with pytest.raises(PermanentError, match=r"The copy of media/visite.mp4 served at .* differs from the file"):
            folder(url, project).file_url("media/visite.mp4", video, "video/mp4")


def test_a_missing_served_video_says_where_to_publish_it(web: tuple[str, Path], project: Path) -> None:
    url, _ = web
    with pytest.raises(PermanentError, match=r"media/visite.mp4 is not online at .*visite.mp4 \(HTTP 404\)"):
        folder(url, project).file_url("media/visite.mp4", clip(project / "media"), "video/mp4")


def test_the_store_uploads_a_video_from_its_file_once_under_its_hash(
    moto_endpoint: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = clip(tmp_path)
    data = video.read_bytes()
    store = open_store(store_settings(moto_endpoint, bucket))
    puts = count_puts(store)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    first = store.file_url("media/Visite de M. Martin.mp4", video, "video/mp4")
    second = store.file_url("media/Visite de M. Martin.mp4", video, "video/mp4")
    assert len(puts) == 1 and "Martin" not in first
    key = f"hospipost/{hashlib.sha256(data).hexdigest()}.mp4"
    assert f"/{bucket}/{key}?" in first and second.split("?")[0] == first.split("?")[0]
    assert requests.get(first, timeout=10).content == data
    assert store.client.head_object(Bucket=bucket, Key=key)["ContentType"] == "video/mp4"
    assert store.url("media/same.mp4", data, "video/mp4").split("?")[0] == first.split("?")[0]  # the same object


def test_a_video_refused_by_the_store_names_the_file(moto_endpoint: str, tmp_path: Path) -> None:
    store = open_store(store_settings(moto_endpoint, "no-such-bucket-here"))
    with pytest.raises(PermanentError, match="has no bucket named no-such-bucket-here"):
        store.file_url("media/visite.mp4", clip(tmp_path), "video/mp4")
