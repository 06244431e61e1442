"""The plumbing every fake network server shares: a quiet JSON request handler and a server on 127.0.0.1.

A fake subclasses `JsonHandler` (usually inside a factory closing over its state) and runs it with
`serve`, which binds an ephemeral port on 127.0.0.1 only, serves from a daemon thread and stops with
the ``with`` block.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


class JsonHandler(BaseHTTPRequestHandler):
    """A keep-alive handler that logs nothing and answers JSON (``json_type`` names its Content-Type)."""

    protocol_version = "HTTP/1.1"
    json_type = "application/json"
    routes: ClassVar[tuple[str, ...]] = ()
    """The HTTP methods a subclass answers all in `route` (the others are refused, 501)."""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        for method in cls.__dict__.get("routes", ()):
            setattr(cls, f"do_{method}", lambda self: self.route(self.command))

    def route(self, method: str) -> None:
        """Answers a request of one of `routes`."""
        raise NotImplementedError

    def log_message(self, *args: Any) -> None:
        pass

    def body(self) -> bytes:
        """The request's body, sent with a Content-Length or chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = b""
        while size := int(self.rfile.readline().strip() or b"0", 16):
            data += self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()
        return data

    def encode(self, status: int, body: Any) -> bytes:
        """The JSON sent for ``body`` (nothing for a 204)."""
        return b"" if status == 204 else json.dumps(body).encode()

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, self.encode(status, body), self.json_type, headers)

    def send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout test)


def multipart(content_type: str, raw: bytes) -> list[Message]:
    """The parts of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    return list(message.iter_parts())  # type: ignore[attr-defined]


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 (an ephemeral port) while the block runs; yields the server's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
