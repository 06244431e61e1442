"""Media files: sniffing, and stripping metadata (a photo's GPS position) without re-encoding."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

from hospipost.media import image_type, jpeg_orientation, strip_metadata


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


def test_other_formats_are_unchanged_and_orientation_is_read() -> None:
    assert strip_metadata(b"GIF89a...") == b"GIF89a..."
    assert jpeg_orientation(jpeg_with_gps(6)) == 6 and jpeg_orientation(jpeg_with_gps()) == 1
    assert jpeg_orientation(b"\x89PNG") == 1


def test_bluesky_uploads_no_gps_position() -> None:
    from hospipost.networks.bluesky import prepare_image

    prepared = prepare_image(jpeg_with_gps(), "photo.jpg", 1_000_000)
    assert b"PhoneMaker" not in prepared.data and not prepared.downscaled
    rotated = prepare_image(jpeg_with_gps(6), "photo.jpg", 1_000_000)
    assert b"PhoneMaker" not in rotated.data and (rotated.width, rotated.height) == (30, 40)
