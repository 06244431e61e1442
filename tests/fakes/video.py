"""Small real videos made by the tests (H.264 in MP4 or MOV, through PyAV's bundled FFmpeg).

PyAV is a test extra; without it, the tests that need a video skip (``video_or_skip``).
"""

from __future__ import annotations

from pathlib import Path

import pytest


def make_video(
    path: Path, *, seconds: float = 1.0, width: int = 320, height: int = 240, fps: int = 10, location: str = ""
) -> Path:
    """Write a video of plain frames (a colour that changes each second) to ``path`` (.mp4 or .mov);
    ``location`` (ISO 6709, e.g. "+47.4784-000.5632/") is recorded in its metadata as a phone does."""
    av = pytest.importorskip("av", reason="PyAV makes the test videos: pip install -e '.[test]'")
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        if location:
            container.metadata["location"] = location
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(max(1, round(seconds * fps))):
            shade = (40 * (index // fps)) % 256
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), (shade, 120, 200)))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
