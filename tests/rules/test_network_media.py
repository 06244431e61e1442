"""network-media: files exist, are images each network takes, within its size and count limits."""

from __future__ import annotations

import dataclasses
import struct
import zlib
from pathlib import Path

import pytest

from hospipost import media
from hospipost.config import Config
from hospipost.networks.video import VideoLimits
from hospipost.networks.x import X
from hospipost.rules import network_media as module
from tests.fakes.video import make_video
from tests.helpers import findings, post_with

RULE = "network-media"
MIB = 1024 * 1024


def png_bytes(width: int = 2, height: int = 2, padding: int = 0) -> bytes:
    """A valid grey PNG; ``padding`` bytes of text metadata make it as heavy as needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + bytes([0x80]) * width for _ in range(height))
    text = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + text + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A valid 1×1 grey baseline JPEG: one DC and one AC Huffman code, every coefficient 0."""

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">HH", 0xFF00 | marker, len(data) + 2) + data

    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    quant = segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = segment(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
    dc = segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")  # DC: category 0 is code '0'
    ac = segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")  # AC: end-of-block is code '0'
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + jfif + quant + frame + dc + ac + scan + b"\x3f" + b"\xff\xd9"


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def write(config: Config, name: str, content: bytes) -> str:
    path = config.resolve("media") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return f"media/{name}"


def media_post(files: list[str], networks: list[str] | None = None) -> dict:
    alt = "Affiche de la campagne de dépistage du cancer colorectal, dès 50 ans."
    changes = {"media": [{"file": file, "alt": alt} for file in files]}
    if networks:
        changes["networks"] = networks
    return post_with(**changes)


def rule_findings(config: Config, post: dict) -> list[tuple[str | None, str]]:
    return [(f.network, f.message) for f in findings(config, post, rule=RULE)]


def test_valid_images_pass(config: Config) -> None:
    files = [write(config, "affiche.png", png_bytes()), write(config, "equipe.jpg", jpeg_bytes())]
    assert rule_findings(config, media_post(files)) == []


def test_post_without_media_passes(config: Config) -> None:
    assert rule_findings(config, post_with()) == []


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("photo.jpg", HEIC, "is a HEIC photo"),  # the extension lies: the content decides
        ("affiche.pdf", PDF, "is a PDF document"),
        ("notes.txt", b"Affiche en cours", "is not a known image format"),
        ("vide.png", b"", "is empty"),
    ],
)
def test_files_that_are_not_images(config: Config, name: str, content: bytes, expected: str) -> None:
    file = write(config, name, content)
    found = rule_findings(config, media_post([file]))
    assert len(found) == 1, found  # once for the post, not once per network
    network, message = found[0]
    assert network is None and expected in message and file in message


def test_missing_file(config: Config) -> None:
    found = rule_findings(config, media_post(["media/absent.png"]))
    assert found == [(None, "media[0] 'media/absent.png' was not found (paths are relative to config.yaml's folder).")]


def test_a_folder_is_not_a_file(config: Config) -> None:
    config.resolve("media/dossier").mkdir(parents=True)
    [(network, message)] = rule_findings(config, media_post(["media/dossier"]))
    assert network is None and "is not a file" in message


@pytest.mark.parametrize(
    "size, networks, flagged",
    [
        (5 * MIB + 1000, ["x"], {"x"}),  # over X's 5 MB
        (5 * MIB + 1000, ["facebook", "mastodon", "linkedin"], set()),  # within their 10 MB
        (4 * MIB, ["x"], set()),
        (1_200_000, ["bluesky", "x"], set()),  # over Bluesky's 1 000 000 bytes: re-encoded when published
        (990_000, ["bluesky"], set()),
        (
            11 * MIB,
            ["x", "facebook", "mastodon", "bluesky", "linkedin"],
            {"x", "facebook", "mastodon", "linkedin"},
        ),
    ],
)
def test_size_per_network(config: Config, size: int, networks: list[str], flagged: set[str]) -> None:
    file = write(config, "lourde.png", png_bytes(padding=size))
    found = rule_findings(config, media_post([file], networks))
    assert {network for network, _ in found} == flagged
    assert all(
        "takes images up to" in message and "media[0] 'media/lourde.png' weighs" in message for _, message in found
    )


def test_size_message_is_readable(config: Config) -> None:
    file = write(config, "lourde.png", png_bytes(padding=6 * MIB))
    [(_, message)] = rule_findings(config, media_post([file], ["x"]))
    assert message == "X takes images up to 5 MiB: media[0] 'media/lourde.png' weighs 6.0 MiB."
    file = write(config, "limite.png", png_bytes(padding=1_000_000))
    assert rule_findings(config, media_post([file], ["bluesky"])) == []  # Bluesky's copy is re-encoded under 1 MB


@pytest.mark.parametrize(
    "content, networks, flagged",
    [
        (GIF, ["x", "facebook", "mastodon", "linkedin"], set()),
        (GIF, ["bluesky"], {"bluesky"}),  # Bluesky takes JPEG, PNG, WEBP
        (WEBP, ["x", "facebook", "mastodon", "bluesky"], set()),
        (WEBP, ["linkedin"], {"linkedin"}),  # LinkedIn takes JPEG, PNG, GIF
    ],
)
def test_image_type_per_network(config: Config, content: bytes, networks: list[str], flagged: set[str]) -> None:
    file = write(config, "anim.img", content)
    found = rule_findings(config, media_post([file], networks))
    assert {network for network, _ in found} == flagged
    assert all("does not take" in message for _, message in found)


def test_image_count_per_network(config: Config) -> None:
    files = [write(config, f"photo-{index}.png", png_bytes()) for index in range(5)]
    found = rule_findings(config, media_post(files))
    assert {network for network, _ in found} == {"x", "bluesky", "mastodon"}  # 4 each; Facebook 10, LinkedIn 20
    assert ("x", "X takes at most 4 images per post; this post has 5.") in found
    assert rule_findings(config, media_post(files[:4])) == []


def test_limits_come_from_the_adapter(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(X, "limits", dataclasses.replace(X.limits, max_images=1, max_image_bytes=100))
    files = [write(config, "a.png", png_bytes()), write(config, "b.png", png_bytes(padding=200))]
    found = rule_findings(config, media_post(files, ["x"]))
    assert [message for _, message in found] == [
        "X takes at most 1 image per post; this post has 2.",
        f"X takes images up to 100 bytes: media[1] 'media/b.png' weighs {len(png_bytes(padding=200))} bytes.",
    ]


def test_each_file_is_read_once_per_check(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = module.media_info
    monkeypatch.setattr(module, "media_info", lambda path: calls.append(path) or real(path))
    file = write(config, "affiche.png", png_bytes())
    posts = [
        post_with(
            id=f"p{index}",
            text=f"Texte {index} du CHU.",
            media=[{"file": file, "alt": "Affiche de la semaine sécurité des patients."}],
        )
        for index in range(3)
    ]
    assert findings(config, *posts, rule=RULE) == []
    assert len(calls) == 1  # 3 posts × 5 networks, one stat


def test_sniff() -> None:
    assert media.sniff(png_bytes()[:16])[0] == "image/png"
    assert media.sniff(jpeg_bytes()[:16])[0] == "image/jpeg"
    assert media.sniff(GIF[:16])[0] == "image/gif"
    assert media.sniff(WEBP[:16])[0] == "image/webp"
    assert media.sniff(MP4[:16]) == (None, "an MP4 video")
    assert media.sniff(HEIC[:16]) == (None, "a HEIC photo")


X_VIDEO = VideoLimits(max_bytes=512 * MIB, max_seconds=2.0, min_seconds=0.5, aspects=(1 / 3, 3.0), captions=True)


@pytest.fixture
def x_takes_video(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(X, "limits", dataclasses.replace(X.limits, video=X_VIDEO))


def video(config: Config, name: str, **measures: float) -> str:
    make_video(config.resolve("media") / name, **measures)  # type: ignore[arg-type]
    return f"media/{name}"


def test_a_video_within_the_limits_passes(config: Config, x_takes_video: None) -> None:
    assert rule_findings(config, media_post([video(config, "visite.mp4", seconds=1.0)], ["x"])) == []


@pytest.mark.parametrize(
    ("measures", "expected"),
    [
        ({"seconds": 3.0}, "lasts 3 s and X takes at most 2 s"),
        ({"seconds": 0.2}, "lasts 0.2 s and X needs at least 0.5 s"),
        ({"seconds": 1.0, "width": 640, "height": 160}, "has the shape 4.00:1 and X shows videos from 0.33:1 to 3:1"),
    ],
)
def test_a_video_outside_the_networks_limits_is_flagged(
    config: Config, x_takes_video: None, measures: dict, expected: str
) -> None:
    [(network, message)] = rule_findings(config, media_post([video(config, "clip.mp4", **measures)], ["x"]))
    assert network == "x" and message == f"media[0] 'media/clip.mp4' {expected}."


def test_a_video_goes_alone(config: Config, x_takes_video: None) -> None:
    files = [video(config, "clip.mp4"), write(config, "affiche.png", png_bytes())]
    assert rule_findings(config, media_post(files, ["x"])) == [
        ("x", "X takes one video per post, without images: this post has 2 media files.")
    ]


def test_a_network_hospipost_publishes_no_video_to_says_so(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(X, "limits", dataclasses.replace(X.limits, video=None))
    assert rule_findings(config, media_post([video(config, "clip.mp4")], ["x"])) == [
        ("x", "hospipost does not publish videos to X: media[0] 'media/clip.mp4'.")
    ]


def test_a_file_that_looks_like_a_video_but_cannot_be_read_is_flagged(config: Config, x_takes_video: None) -> None:
    assert rule_findings(config, media_post([write(config, "clip.mp4", MP4)], ["x"])) == [
        ("x", "media[0] 'media/clip.mp4' cannot be read as a video (cut, or not MP4/MOV).")
    ]


def test_captions_must_exist_and_be_webvtt_or_srt(config: Config, x_takes_video: None) -> None:
    clip = video(config, "clip.mp4")
    write(config, "clip.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour.\n")
    write(config, "clip.srt", b"1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n")
    write(config, "clip.txt", b"Bonjour.")
    for captions, expected in [
        ("media/clip.vtt", []),
        ("media/clip.srt", []),
        (
            "media/clip.txt",
            [(None, "media[0] captions 'media/clip.txt' are neither WebVTT nor SRT: export them as .vtt.")],
        ),
        (
            "media/absent.vtt",
            [(None, "media[0] captions 'media/absent.vtt' cannot be read (No such file or directory).")],
        ),
    ]:
        post = post_with(networks=["x"], media=[{"file": clip, "alt": "Visite du service.", "captions": captions}])
        assert rule_findings(config, post) == expected


def test_instagram_needs_an_image_or_a_video(config: Config) -> None:
    assert rule_findings(config, post_with(networks=["instagram"])) == [
        ("instagram", "Instagram publishes only posts with an image or a video, and this post has none.")
    ]
