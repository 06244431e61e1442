"""What the adapters that speak HTTP through requests share: did a failed request leave?

The difference decides exactly-once: a request that never left (DNS failure, connection
refused, connect timeout, TLS handshake, proxy) can be retried; one that may have reached
the network (read timeout, reset, truncated answer) makes the delivery `unknown`.
"""

from __future__ import annotations

from collections.abc import Iterator

_FAILURE_NAMES = {
    "NameResolutionError": "host name not resolved",
    "gaierror": "host name not resolved",
    "NewConnectionError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "ConnectTimeoutError": "connection timed out",
    "ConnectTimeout": "connection timed out",
    "ProxyError": "proxy error",
    "SSLError": "TLS error",
    "RemoteDisconnected": "connection closed by the server",
    "ConnectionResetError": "connection reset",
    "ConnectionAbortedError": "connection aborted",
    "BrokenPipeError": "connection broken",
    "IncompleteRead": "truncated answer",
    "ProtocolError": "connection reset",
    "ReadTimeout": "read timeout",
    "ReadTimeoutError": "read timeout",
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
    for item in error_chain(error):
        if isinstance(item, u3.NameResolutionError | socket.gaierror):
            return "host name not resolved"
        if isinstance(item, u3.NewConnectionError | ConnectionRefusedError):  # before its base class
            return "connection refused" if "refused" in str(item).lower() else "no connection"
        if isinstance(item, u3.ConnectTimeoutError):
            return "connection timed out"
    return None


def failure_name(error: BaseException) -> str:
    """A short, secret-free name for a network failure (never the message: it may hold a URL)."""
    names = [type(item).__name__ for item in error_chain(error)]
    for name in reversed(names):
        if name in _FAILURE_NAMES:
            return _FAILURE_NAMES[name]
    return _FAILURE_NAMES.get(type(error).__name__, type(error).__name__)
