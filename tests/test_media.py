"""Media files: sniffing, and stripping metadata (a photo's GPS position) without re-encoding."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from hospipost.media import fit_image, image_size, image_type, strip_metadata


def jpeg_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (47.0, 28.0, 0.0), 3: "W", 4: (0.0, 33.0, 0.0)}  # GPS: Angers
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG", exif=exif, quality=90, comment=b"photo de M. Durand")
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def test_a_jpeg_loses_its_exif_and_comment_but_not_a_pixel() -> None:
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original and b"M. Durand" in original
    clean = strip_metadata(original)
    assert b"PhoneMaker" not in clean and b"Exif" not in clean and b"M. Durand" not in clean
    assert pixels(clean) == pixels(original) and image_type(clean) == "image/jpeg"
    with Image.open(io.BytesIO(clean)) as image:
        assert not image.getexif()


def test_a_png_loses_its_text_chunks() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "12 rue des Lilas, Angers")
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 90, 160)).save(out, "PNG", pnginfo=info)
    clean = strip_metadata(out.getvalue())
    assert b"rue des Lilas" in out.getvalue() and b"rue des Lilas" not in clean
    assert pixels(clean) == pixels(out.getvalue())


def test_other_formats_are_unchanged() -> None:
    assert strip_metadata(b"GIF89a...") == b"GIF89a..."


def test_bluesky_uploads_no_gps_position(tmp_path: Path) -> None:
    from hospipost.config import NetworkSettings
    from hospipost.credentials import Credentials
    from hospipost.networks.bluesky import Bluesky
    from hospipost.posts import Media

    adapter = Bluesky(NetworkSettings("bluesky", True, {"handle": "chu.example.org"}, 1), Credentials({}))
    (tmp_path / "a.jpg").write_bytes(jpeg_with_gps())
    (tmp_path / "b.jpg").write_bytes(jpeg_with_gps(6))
    items = [
        Media(file=f"{n}.jpg", path=tmp_path / f"{n}.jpg", alt="x", people=False, consent=None, line=1) for n in "ab"
    ]
    upright, rotated = adapter.read_images(items)
    assert b"PhoneMaker" not in upright.data and upright.original_bytes is None
    assert b"PhoneMaker" not in rotated.data and image_size(rotated.data) == (30, 40)


def noise(width: int, height: int, kind: str = "PNG", mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    channels = len(mode)
    Image.frombytes(mode, (width, height), os.urandom(width * height * channels)).save(out, kind, **options)
    return out.getvalue()


def test_an_image_that_fits_upright_is_returned_as_is() -> None:
    data = jpeg_with_gps()
    assert fit_image(data, 1_000_000, 2000) is data


def test_a_heavy_image_is_re_encoded_as_a_jpeg_under_the_limit() -> None:
    big = noise(1000, 1000)
    assert len(big) > 3_000_000
    fitted = fit_image(big, 1_000_000, 2000)
    assert fitted is not None and len(fitted) <= 1_000_000 and image_type(fitted) == "image/jpeg"
    assert image_size(fitted) == (1000, 1000)


def test_a_large_picture_is_capped_at_its_max_side_and_keeps_its_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated a quarter turn
    fitted = fit_image(noise(3000, 1200, "JPEG", quality=95, exif=exif), 1_000_000, 2000)
    assert fitted is not None and len(fitted) <= 1_000_000
    with Image.open(io.BytesIO(fitted)) as result:
        assert result.size == (800, 2000) and not result.getexif().get(0x0112)


def test_a_transparent_png_is_flattened_when_re_encoded() -> None:
    heavy = noise(200, 200, mode="RGBA")
    assert len(heavy) > 150_000
    fitted = fit_image(heavy, 100_000)
    assert fitted is not None and image_type(fitted) == "image/jpeg" and len(fitted) <= 100_000
    with Image.open(io.BytesIO(fitted)) as result:
        assert result.mode == "RGB" and result.size == (200, 200)


def test_a_small_image_too_heavy_for_the_limit_is_tried_at_its_own_size() -> None:
    fitted = fit_image(noise(300, 200), 100_000, 2000)
    assert fitted is not None and image_size(fitted) == (300, 200)


def test_a_small_rotated_image_is_turned_upright_without_its_metadata() -> None:
    fitted = fit_image(jpeg_with_gps(8), 1_000_000, 2000)
    assert fitted is not None and b"PhoneMaker" not in fitted
    with Image.open(io.BytesIO(fitted)) as result:
        assert result.size == (30, 40) and not result.getexif()


def test_an_image_that_cannot_fit_or_be_decoded() -> None:
    assert fit_image(noise(400, 400), 2000) is None
    with pytest.raises(ValueError, match="cannot be decoded"):
        fit_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, 1_000_000)
