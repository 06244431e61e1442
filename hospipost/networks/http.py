"""The HTTP plumbing every adapter shares: its session, transport failures, log redaction.

Whether a failed request left decides exactly-once: one that never left (DNS failure,
connection refused, connect timeout, TLS handshake, proxy) can be retried; one that may
have reached the network (read timeout, reset, truncated answer) may have been processed.
Both requests and httpx (atproto) are understood. Libraries are imported when used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from hospipost import __version__

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

USER_AGENT = f"hospipost/{__version__}"
HTTPX_LOGGERS = ("httpx", *(f"httpcore.{name}" for name in ("connection", "http11", "http2", "proxy", "socks")))
"""httpx's loggers on the request path, for ``Network.library_loggers`` (a filter sees no child's records)."""

_FAILURE_NAMES = {
    "NameResolutionError": "host name not resolved",
    "gaierror": "host name not resolved",
    "NewConnectionError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "ConnectTimeoutError": "connection timed out",
    "ConnectTimeout": "connection timed out",
    "PoolTimeout": "connection timed out",
    "ConnectError": "connection refused or host not found",
    "ProxyError": "proxy error",
    "SSLError": "TLS error",
    "RemoteDisconnected": "connection closed by the server",
    "RemoteProtocolError": "connection closed by the server",
    "ConnectionResetError": "connection reset",
    "ConnectionAbortedError": "connection aborted",
    "BrokenPipeError": "connection broken",
    "ReadError": "connection broken",
    "WriteError": "connection broken",
    "IncompleteRead": "truncated answer",
    "ProtocolError": "connection reset",
    "ReadTimeout": "read timeout",
    "ReadTimeoutError": "read timeout",
    "WriteTimeout": "write timeout",
    "ChunkedEncodingError": "truncated answer",
    "JSONDecodeError": "unreadable answer",
}


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the errors among its arguments, their ``reason`` and their causes."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            nested = getattr(current, attr, None)
            if isinstance(nested, BaseException):
                stack.append(nested)


def _httpx() -> Any:
    """httpx where some library already loaded it (atproto does), else None: never imported for nothing."""
    import sys

    return sys.modules.get("httpx")


def never_left(error: BaseException) -> str | None:
    """Why the connection failed before the request could leave, or None when it may have left."""
    import socket

    import requests.exceptions as rx
    from urllib3 import exceptions as u3

    if isinstance(error, rx.ConnectTimeout):
        return "connection timed out"
    if isinstance(error, rx.SSLError):
        return "TLS handshake failed"
    if isinstance(error, rx.ProxyError):
        return "the proxy refused the connection"
    httpx = _httpx()
    for item in error_chain(error):
        if isinstance(item, u3.NameResolutionError | socket.gaierror):
            return "host name not resolved"
        if isinstance(item, u3.NewConnectionError | ConnectionRefusedError):  # before its base class
            return "connection refused" if "refused" in str(item).lower() else "no connection"
        if isinstance(item, u3.ConnectTimeoutError):
            return "connection timed out"
        if httpx is not None:
            if isinstance(item, httpx.ConnectTimeout | httpx.PoolTimeout):
                return "connection timed out"
            if isinstance(item, httpx.ConnectError | httpx.UnsupportedProtocol):
                return "connection refused or host not found"
    return None


def is_timeout(error: BaseException) -> bool:
    import requests.exceptions as rx

    httpx = _httpx()
    kinds: tuple[type, ...] = (rx.Timeout, TimeoutError) + ((httpx.TimeoutException,) if httpx else ())
    return any(isinstance(item, kinds) for item in error_chain(error))


def is_transport_error(error: BaseException) -> bool:
    """A failure of the connection (not an answer): requests', httpx's or the socket's."""
    import requests.exceptions as rx

    httpx = _httpx()
    kinds: tuple[type, ...] = (rx.RequestException, OSError) + ((httpx.TransportError,) if httpx else ())
    return isinstance(error, kinds) or any(isinstance(item, kinds) for item in error_chain(error))


def invalid_address(error: BaseException) -> bool:
    """The request could not even be built from the configured address."""
    import requests.exceptions as rx

    httpx = _httpx()
    kinds: tuple[type, ...] = (rx.InvalidURL, rx.MissingSchema, rx.InvalidSchema, rx.InvalidHeader)
    kinds += (httpx.InvalidURL,) if httpx else ()
    return isinstance(error, kinds)


def unreadable_body(error: BaseException) -> bool:
    """An answer arrived but its body could not be read (not JSON, missing fields)."""
    import requests.exceptions as rx

    if isinstance(error, rx.JSONDecodeError):
        return True
    return isinstance(error, ValueError | KeyError | TypeError | AttributeError) and not isinstance(
        error, rx.RequestException
    )


def failure_name(error: BaseException) -> str:
    """A short, secret-free name for a network failure (never the message: it may hold a URL)."""
    names = [type(item).__name__ for item in error_chain(error)]
    for name in reversed(names):
        if name in _FAILURE_NAMES:
            return _FAILURE_NAMES[name]
    return _FAILURE_NAMES.get(type(error).__name__, type(error).__name__)


def path_of(url: str) -> str:
    """Host and path of a URL, without its query (which may hold a token), for logs."""
    return url.split("?", 1)[0].split("#", 1)[0]


@cache
def session_class() -> Any:
    """A ``requests.Session`` for one network: its base URL, a timeout on every request, the
    hospipost User-Agent, no redirect followed (a 3xx comes back as the answer) and the last
    response kept (SDKs drop statuses and headers). Subclasses override ``route``."""
    import requests

    class ApiSession(requests.Session):
        def __init__(self, api_base: str, timeout: float, user_agent: str = USER_AGENT, sdk_base: str = "") -> None:
            super().__init__()
            self.api_base = api_base.rstrip("/")
            self.sdk_base = sdk_base.rstrip("/")
            self.default_timeout = timeout
            self.headers["User-Agent"] = user_agent
            self.last: requests.Response | None = None

        def route(self, url: str, kwargs: dict[str, Any]) -> str:
            """The URL to call: the SDK's hard-coded base replaced by api_base."""
            if self.sdk_base and (url == self.sdk_base or url.startswith(self.sdk_base + "/")):
                return self.api_base + url[len(self.sdk_base) :]
            return url

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            self.last = None
            url = self.route(url, kwargs)
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self.default_timeout
            kwargs["allow_redirects"] = False
            response = super().request(method, url, *args, **kwargs)
            self.last = response
            log.debug("%s %s: HTTP %s", method, path_of(url), response.status_code)
            return response

    return ApiSession


class LogRedactor(logging.Filter):
    """Replaces every secret it was given in the records of the libraries' loggers."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._loggers: set[str] = set()
        self._lock = threading.Lock()

    def guard(self, loggers: Iterable[str], secrets: Iterable[str] = ()) -> None:
        """Filter these loggers (once each) and redact these secrets from now on."""
        with self._lock:
            self._secrets.update(secret for secret in secrets if secret)
            for name in set(loggers) - self._loggers:
                logging.getLogger(name).addFilter(self)
                self._loggers.add(name)

    def filter(self, record: logging.LogRecord) -> bool:
        from hospipost.credentials import redact

        try:
            message = record.getMessage()
        except Exception:
            return True
        with self._lock:
            secrets = set(self._secrets)
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


LOG_REDACTOR = LogRedactor()
