"""Videos: type, duration and frame size read from the MP4/MOV boxes, without a library."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.media import video_info, video_type
from tests.fakes.video import make_video


@pytest.mark.parametrize(
    ("name", "seconds", "size", "mime"),
    [
        ("clip.mp4", 2.0, (320, 240), "video/mp4"),
        ("portrait.mp4", 3.0, (180, 320), "video/mp4"),
        ("clip.mov", 1.5, (256, 144), "video/quicktime"),
    ],
)
def test_video_info_reads_type_duration_and_size(
    tmp_path: Path, name: str, seconds: float, size: tuple[int, int], mime: str
) -> None:
    path = make_video(tmp_path / name, seconds=seconds, width=size[0], height=size[1])
    info = video_info(path)
    assert info is not None
    assert (info.mime, (info.width, info.height)) == (mime, size)
    assert info.seconds == pytest.approx(seconds, abs=0.15)


def test_what_is_not_a_readable_video_gives_none(tmp_path: Path) -> None:
    good = make_video(tmp_path / "clip.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(good[: len(good) // 3])  # the moov box is missing or cut
    png = tmp_path / "image.mp4"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert video_info(cut) is None
    assert video_info(png) is None and video_type(png.read_bytes()[:16]) is None
    assert video_info(tmp_path / "absent.mp4") is None


def test_a_video_filmed_upright_is_measured_as_shown(tmp_path: Path) -> None:
    """A phone stores an upright video sideways with a 90° display matrix: width and height swap."""
    data = bytearray(make_video(tmp_path / "clip.mp4", width=320, height=180).read_bytes())
    tkhd = data.index(b"tkhd") + 4  # the box's body: version, flags, times, ids, then the matrix
    matrix = tkhd + 4 + 20 + 16 if data[tkhd] == 0 else tkhd + 4 + 32 + 16
    turn = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000]
    data[matrix : matrix + 36] = b"".join(value.to_bytes(4, "big", signed=True) for value in turn)
    (tmp_path / "upright.mp4").write_bytes(bytes(data))
    info = video_info(tmp_path / "upright.mp4")
    assert info is not None and (info.width, info.height) == (180, 320) and info.aspect == pytest.approx(9 / 16)


def test_a_video_names_its_captions_file_in_the_post(tmp_path: Path) -> None:
    from tests.helpers import make_config, make_posts, post_with

    config = make_config(tmp_path / "site")
    media = [{"file": "media/visite.mp4", "alt": "Visite du service.", "captions": "media/visite.vtt"}]
    [post] = make_posts(config, post_with(media=media))
    assert post.media[0].captions == "media/visite.vtt"
    assert post.media[0].captions_path == config.root / "media" / "visite.vtt"


def test_captions_that_are_not_a_path_are_one_clear_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hospipost.cli import cli
    from tests.helpers import make_config

    config = make_config(tmp_path / "site")
    (config.root / "posts" / "news.yaml").write_text(
        "posts:\n  - id: v\n    at: 2026-12-07 09:00\n    text: Visite.\n"
        "    media:\n      - file: media/v.mp4\n        captions: [a, b]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config.path), "check"])
    assert result.exit_code == 2
    assert "news.yaml:7: 'captions' must be the path of the video's captions file (.vtt or .srt)" in result.output
