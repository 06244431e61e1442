"""Public media: a public URL serving a post's image or video, for Instagram and Threads.

Meta does not take uploads for these two networks: it fetches each image or video from a
public URL. config.yaml says where that URL comes from, one of two ways:

- ``media_url``: the hospital's web server serves the project's media/ folder there.
  hospipost fetches the URL first and checks the served bytes are exactly the ones to
  publish (and that the served copy carries no metadata such as a GPS position).
- ``media_store``: an S3-compatible object store. hospipost uploads the bytes under a
  name made of their SHA-256 (never the original file name, which may name a patient),
  once, and returns the store's public URL or a presigned GET URL.

Libraries (requests, boto3) are imported when used, so that ``hospipost --help`` stays fast.
Messages name environment variables, never their values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlsplit

from hospipost.networks.failures import PermanentError, TransientError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hospipost.config import MediaStoreSettings, PublicMediaSettings
    from hospipost.credentials import Credentials
    from hospipost.posts import Media

TIMEOUT = (10, 60)  # seconds to connect, seconds between bytes of the answer
MAX_REDIRECTS = 3  # a web server may redirect once or twice (to a CDN, to add a /); Meta follows as many
EXTRA_BYTES = 8 * 1024 * 1024  # a served copy may be larger than the data by its metadata; not by more
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
CHUNK = 1024 * 1024  # a video is hashed, checked and uploaded in pieces of this size, never read whole


class PublicMedia(Protocol):
    def url(self, file: str, data: bytes, content_type: str) -> str:
        """A public URL that serves exactly ``data`` (``file`` is the post's media path, e.g. media/x.png)."""
        ...

    def file_url(self, file: str, path: Path, content_type: str) -> str:
        """A public URL that serves exactly the content of ``path`` (a video): streamed and hashed in
        chunks, never read whole."""
        ...


def open_public_media(settings: PublicMediaSettings, credentials: Credentials) -> PublicMedia:
    """The way config.yaml chose to put media online (CredentialsError when a variable is not set)."""
    if settings.store is not None:
        return ObjectStore(settings.store, credentials)
    if settings.media_url is not None:
        return ServedFolder(settings.media_url, settings.root, settings.media_dir)
    raise ValueError("public media settings without media_url or media_store")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks of CHUNK bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ServedFolder:
    """The hospital's web server serves the media/ folder at ``media_url``: check, then point there."""

    def __init__(self, media_url: str, root: Path, media_dir: Path) -> None:
        self.media_url = media_url
        self.root = root
        self.media_dir = media_dir

    def address(self, file: str) -> str:
        """The URL where ``file`` (relative to config.yaml's folder) is served."""
        path = (self.root / Path(file).expanduser()).resolve()
        try:
            inside = path.relative_to(self.media_dir.resolve())
        except ValueError:
            raise PermanentError(
                f"{file} is not in the media/ folder, the only one media_url serves: move it into media/"
                f" (and publish it on the web server), then publish again"
            ) from None
        return self.media_url + "/".join(quote(part) for part in PurePosixPath(*inside.parts).parts)

    def url(self, file: str, data: bytes, content_type: str) -> str:
        url = self.address(file)
        served = self.fetch(file, url, len(data) + EXTRA_BYTES)
        if served is not None and _sha256(served) == _sha256(data):
            return url
        if served is None:
            raise PermanentError(
                f"The copy of {file} served at {url} differs from the file in media/ (it is much larger):"
                f" copy {file} there again, then publish again"
            )
        from hospipost.media import strip_metadata

        if _sha256(strip_metadata(served)) == _sha256(data):
            raise PermanentError(
                f"The copy of {file} served at {url} carries metadata (such as where the photo was taken and with"
                f" which camera) that anyone can download there: put a copy without metadata in its place on the"
                f" web server (the photo exported again without location and camera details), then publish again"
            )
        raise PermanentError(
            f"The copy of {file} served at {url} differs from the file in media/ (an older version?):"
            f" copy {file} there again, then publish again"
        )

    def file_url(self, file: str, path: Path, content_type: str) -> str:
        url = self.address(file)
        size, expected, served = path.stat().st_size, file_sha256(path), hashlib.sha256()
        if self.stream(file, url, size, served.update) and served.hexdigest() == expected:
            return url
        raise PermanentError(
            f"The copy of {file} served at {url} differs from the file in media/ (an older or cut version?):"
            f" copy {file} there again, then publish again"
        )

    def fetch(self, file: str, url: str, limit: int) -> bytes | None:
        """The bytes served at ``url`` (None when there are more than ``limit``)."""
        body = bytearray()
        return bytes(body) if self.stream(file, url, limit, body.extend) else None

    def stream(self, file: str, url: str, limit: int, sink: Callable[[bytes], object]) -> bool:
        """Hand the bytes served at ``url`` to ``sink`` chunk by chunk; False (and stop) past ``limit`` bytes."""
        import requests

        from hospipost.networks import http

        where = urlsplit(url).netloc
        session = requests.Session()
        session.max_redirects = MAX_REDIRECTS
        session.trust_env = urlsplit(url).hostname not in _LOCAL_HOSTS
        session.headers["User-Agent"] = http.USER_AGENT
        try:
            with session, session.get(url, timeout=TIMEOUT, stream=True) as response:
                status = response.status_code
                if status >= 500 or status in (408, 429):
                    raise TransientError(
                        f"The web server {where} had a problem serving {file} (HTTP {status}); hospipost will try"
                        f" again later"
                    )
                if status in (404, 410):
                    raise PermanentError(
                        f"{file} is not online at {url} (HTTP {status}), where Instagram and Threads fetch it:"
                        f" copy {file} there on the web server (media_url in config.yaml), then publish again"
                    )
                if status in (401, 403):
                    raise PermanentError(
                        f"The web server refused to serve {file} at {url} (HTTP {status}): Instagram and Threads"
                        f" must be able to fetch it without a password; make that address public, then publish again"
                    )
                if status != 200:
                    raise PermanentError(
                        f"The web server answered HTTP {status} for {file} at {url}, where Instagram and Threads"
                        f" fetch it: check media_url in config.yaml and the web server, then publish again"
                    )
                received = 0
                for chunk in response.iter_content(64 * 1024):
                    received += len(chunk)
                    if received > limit:
                        return False
                    sink(chunk)
                return True
        except requests.TooManyRedirects:
            raise PermanentError(
                f"The address of {file}, {url}, redirects too many times: check media_url in config.yaml and the"
                f" web server, then publish again"
            ) from None
        except requests.RequestException as error:
            if http.invalid_address(error):
                raise PermanentError(
                    f"hospipost could not fetch {url} ({type(error).__name__}): check media_url in config.yaml"
                ) from None
            why = "no answer in time" if http.is_timeout(error) else http.failure_name(error)
            raise TransientError(
                f"Could not check {file} on the web server {where} ({why}); hospipost will try again later"
            ) from None


class ObjectStore:
    """An S3-compatible store: upload once under a content-hash name, then a public or presigned URL."""

    def __init__(self, settings: MediaStoreSettings, credentials: Credentials) -> None:
        import logging

        from hospipost.networks.http import LOG_REDACTOR

        self.settings = settings
        purpose = "The media store's credentials (media_store in config.yaml)"
        access_key = credentials.get(settings.access_key_env, purpose)
        secret_key = credentials.get(settings.secret_key_env, purpose)
        self.client = _s3_client(settings, access_key, secret_key)
        # botocore's debug log shows signed headers and error bodies: neither key reaches a log.
        # A logger's filter sees only its own records, so every botocore logger is guarded.
        libraries = ("botocore", "boto3", "urllib3", "s3transfer")
        loggers = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in libraries]
        LOG_REDACTOR.guard((*libraries, *loggers), (access_key, secret_key))

    def key(self, data: bytes, content_type: str) -> str:
        """The object's name: the prefix, the SHA-256 of the bytes, an extension from the type."""
        return self.named(_sha256(data), content_type)

    def named(self, digest: str, content_type: str) -> str:
        """The object's name for content of SHA-256 ``digest``."""
        import mimetypes

        mime = content_type.split(";")[0].strip().lower()
        extension = EXTENSIONS.get(mime) or mimetypes.guess_extension(mime) or ""
        return f"{self.settings.prefix}{digest}{extension}"

    def url(self, file: str, data: bytes, content_type: str) -> str:
        return self._put(file, self.key(data, content_type), len(data), content_type, lambda: data)

    def file_url(self, file: str, path: Path, content_type: str) -> str:
        key = self.named(file_sha256(path), content_type)
        with open(path, "rb") as handle:  # botocore reads (and signs) it in chunks
            return self._put(file, key, path.stat().st_size, content_type, lambda: handle)

    def _put(self, file: str, key: str, size: int, content_type: str, body: Callable[[], Any]) -> str:
        """Upload ``body()`` under ``key`` unless the store holds it already; its public or presigned URL."""
        bucket = self.settings.bucket
        try:
            if not self.stored(key, size):
                self.client.put_object(Bucket=bucket, Key=key, Body=body(), ContentType=content_type)
            if self.settings.public_url:
                return self.settings.public_url + quote(key)
            return str(
                self.client.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": bucket, "Key": key},
                    ExpiresIn=int(self.settings.url_lifetime.total_seconds()),
                )
            )
        except Exception as error:
            failure = self.failure(error, file)
            if failure is None:
                raise
            raise failure from None

    def stored(self, key: str, size: int) -> bool:
        """Whether the store already holds ``key`` with ``size`` bytes (HEAD: nothing is downloaded)."""
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as error:
            # A HEAD answer has no body, so no error code. 404: not there yet. 403: a key allowed to
            # write but not to list the bucket gets it for an object not there yet; the PUT then
            # tells whether the credentials themselves are refused.
            if _status(error) in (403, 404) and _code(error) != "NoSuchBucket":
                return False
            raise
        return int(head.get("ContentLength", -1)) == size

    def failure(self, error: Exception, file: str) -> PermanentError | TransientError | None:
        """What a boto3 error means for the hospital (None: not a store error); never a key in it."""
        from botocore import exceptions

        settings = self.settings
        where = f"the media store at {settings.endpoint}"
        if isinstance(error, exceptions.ClientError):
            code, status = _code(error), _status(error)
            ref = code if code and not code.isdigit() else f"HTTP {status}"
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken") or (
                status in (401, 403)
            ):
                return PermanentError(
                    f"{where} refused the credentials while storing {file} ({ref}): check the"
                    f" environment variables {settings.access_key_env} and {settings.secret_key_env}, and that"
                    f" this key may read and write the bucket {settings.bucket}"
                )
            if code == "NoSuchBucket":
                return PermanentError(
                    f"{where} has no bucket named {settings.bucket}: check media_store.bucket and"
                    f" media_store.endpoint in config.yaml, or create the bucket"
                )
            if status >= 500 or status in (408, 429) or code in ("SlowDown", "RequestTimeout", "ServiceUnavailable"):
                return TransientError(
                    f"{where} had a problem while storing {file} ({ref}); hospipost will try again later"
                )
            return PermanentError(f"{where} refused to store {file} ({ref}): check media_store in config.yaml")
        if isinstance(error, exceptions.ParamValidationError | exceptions.InvalidEndpointConfigurationError):
            return PermanentError(f"{where} cannot be used ({type(error).__name__}): check media_store in config.yaml")
        if isinstance(error, exceptions.ConnectTimeoutError | exceptions.EndpointConnectionError):
            return TransientError(f"could not reach {where} while storing {file}; hospipost will try again later")
        if isinstance(error, exceptions.BotoCoreError | ConnectionError | TimeoutError):
            return TransientError(
                f"the connection to {where} failed while storing {file} ({type(error).__name__}); hospipost"
                f" will try again later"
            )
        return None


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _s3_client(settings: MediaStoreSettings, access_key: str, secret_key: str) -> Any:
    """A boto3 S3 client for any S3-compatible store."""
    import ipaddress

    import boto3
    from botocore.config import Config as BotoConfig

    host = urlsplit(settings.endpoint).hostname or ""
    try:
        ipaddress.ip_address(host)
        by_address = True
    except ValueError:
        by_address = host == "localhost"
    # Virtual-hosted names (bucket.endpoint) are what most stores prefer; an IP address,
    # localhost or a bucket with dots (its name would not match the TLS certificate) needs paths.
    style = "path" if by_address or "." in settings.bucket else "virtual"
    config = BotoConfig(
        signature_version="s3v4",
        s3={"addressing_style": style},
        connect_timeout=TIMEOUT[0],
        read_timeout=TIMEOUT[1],
        retries={"max_attempts": 3, "mode": "standard"},
        # Checksums only where S3 requires them: many S3-compatible stores refuse the newer ones.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=settings.endpoint,
        region_name=settings.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )


def served_copies(items: Iterable[Media], media_dir: Path, folder: Path) -> tuple[int, list[str]]:
    """Write into ``folder`` what a web server must publish at media_url for these media: each
    image without its metadata, each video as it is, at its path under ``media_dir``. Returns how
    many files were written, and why each other file was skipped (one sentence each)."""
    from hospipost.media import image_type, strip_metadata
    from hospipost.queuefile import atomic_write

    written, skipped, done = 0, [], set()
    root = media_dir.resolve()
    for item in items:
        path = item.path.resolve()
        if path in done:
            continue
        done.add(path)
        if not path.is_relative_to(root):
            skipped.append(f"{item.file} is not under {media_dir}, which media_url publishes.")
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            skipped.append(f"{item.file} cannot be read ({error.strerror or error}).")
            continue
        target = folder / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, strip_metadata(data) if image_type(data[:16]) else data)
        written += 1
    return written, skipped
