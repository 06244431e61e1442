"""Helpers shared by the adapter tests: a part_sent recorder, a tiny PNG, sockets that misbehave."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import zlib


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


class Parts:
    """What publish reported through part_sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []

    def __call__(self, index: int, remote_id: str) -> None:
        self.calls.append((index, remote_id))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SilentServer:
    """Accepts on 127.0.0.1, reads the request, then never answers (or hangs up at once)."""

    def __init__(self, hang_up: bool = False) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.received = b""
        self.hang_up = hang_up
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        try:
            client, _ = self.sock.accept()
        except OSError:
            return
        self.clients.append(client)
        client.settimeout(2)
        with contextlib.suppress(OSError):
            self.received = client.recv(65536)
        if self.hang_up:
            client.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.sock.close()


GPS_MARK = b"GPS-48.8566N-2.3522E"


def jpeg_with_exif() -> bytes:
    """A tiny JPEG whose Exif segment (APP1) holds a recognisable GPS position."""
    exif = b"Exif\x00\x00" + GPS_MARK
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    return b"\xff\xd8" + app1 + b"\xff\xda\x00\x02" + b"\x00" * 16 + b"\xff\xd9"
