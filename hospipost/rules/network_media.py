"""network-media: each image or video exists and suits every network the post goes to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hospipost.media import VIDEO_TYPES, MediaInfo, VideoInfo, media_info, video_info
from hospipost.networks.base import IMAGE_TYPES
from hospipost.networks.video import captions_format, video_problem
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.networks.base import Limits, Network
    from hospipost.posts import Media, Post

_MIB = 1024 * 1024
_TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}


def _cached_info(ctx: CheckContext, path: Path) -> MediaInfo:
    # One stat per file per check run, whatever the number of networks and posts using it.
    cache: dict[Path, MediaInfo] = ctx.cache.setdefault("network_media_info", {})
    info = cache.get(path)
    if info is None:
        info = cache[path] = media_info(path)
    return info


@rule("network-media", Severity.ERROR)
def network_media(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Each media file exists and is an image or a video the network takes, within its limits.

    Checks:
      The file exists (paths are relative to config.yaml's folder), is not empty, and
      its content (magic bytes, not the extension) is JPEG, PNG, GIF or WEBP: videos,
      PDF, HEIC, TIFF… are refused with what the file really is. Then, for each network
      of the post, from the limits its adapter declares: the type is one it accepts
      (Bluesky: no GIF; LinkedIn: no WEBP), each file is within its size limit (X 5 MiB,
      Facebook, LinkedIn and Mastodon 10 MiB; Bluesky's 1 000 000 bytes are met by
      re-encoding the image when publishing) and the post has
      no more images than it takes (X, Bluesky, Mastodon 4; Facebook 10; LinkedIn 20).
      A video (MP4 or MOV, measured from its own boxes) goes alone, one per post, within
      the network's size, duration and shape limits; its captions file, where the post
      names one, is WebVTT or SRT. Instagram publishes no post without an image or video.

    Why:
      A network refuses an image it cannot take at publication time, often after the
      text is out, or publishes the text without it. Sources: docs.x.com media best
      practices (4 photos, 5 MB, JPG/PNG/GIF/WEBP); Bluesky lexicon app.bsky.embed.images
      (4 images, 1 000 000 bytes); Mastodon instance configuration
      (max_media_attachments, image_size_limit).

    Fix:
      Export the image as JPEG or PNG (a phone's HEIC photo too), compress it below the
      smallest limit of the post's networks, keep at most 4 images for X, Bluesky and
      Mastodon, and check the path.

    Examples:
      media/affiche.pdf, an exported poster: export it as PNG. A 3 MB JPEG posted to
      Bluesky: compress it below 1 MB. A missing media/canicule.png: fix the path.
    """
    images: list[tuple[int, Media, MediaInfo]] = []
    videos: list[tuple[int, Media, MediaInfo]] = []
    for index, item in enumerate(post.media):
        info = _cached_info(ctx, item.path)
        if info.problem:
            yield Problem(f"media[{index}] {item.file!r} {info.problem}.", field=f"media[{index}]")
        elif info.mime in IMAGE_TYPES:
            images.append((index, item, info))
        elif info.mime in VIDEO_TYPES:
            videos.append((index, item, info))
            yield from _captions_problems(index, item, ctx)
        else:
            yield Problem(
                f"media[{index}] {item.file!r} is {info.kind}, not an image or a video hospipost can publish "
                f"({_or(_type_names(IMAGE_TYPES))}; MP4 or MOV).",
                field=f"media[{index}]",
            )
    for network in ctx.networks(post):
        limits = ctx.limits(network)
        if limits.requires_media and not post.media:
            yield Problem(
                f"{network.label} publishes only posts with an image or a video, and this post has none.",
                field="text",
                network=network.name,
            )
        if videos:
            yield from _video_problems(post, network, limits, videos, ctx)
        else:
            yield from _image_problems(post, network, limits, images)


def _image_problems(
    post: Post, network: type[Network], limits: Limits, images: list[tuple[int, Media, MediaInfo]]
) -> Iterator[Problem]:
    if len(post.media) > limits.max_images:
        yield Problem(
            f"{network.label} takes at most {limits.max_images} image{'s' if limits.max_images > 1 else ''} per post; "
            f"this post has {len(post.media)}.",
            field=f"media[{limits.max_images}]",
            network=network.name,
        )
    for index, item, info in images:
        if info.mime not in limits.image_types:
            accepted = _or(_type_names(limits.image_types))
            yield Problem(
                f"{network.label} does not take {_TYPE_NAMES.get(info.mime or '', info.kind)} images: media[{index}] "
                f"{item.file!r} must be {accepted}.",
                field=f"media[{index}]",
                network=network.name,
            )
        elif info.size > limits.max_image_bytes and not limits.shrink_to_fit:  # else hospipost re-encodes it
            yield Problem(
                f"{network.label} takes images up to {_size(limits.max_image_bytes, limits.max_image_bytes)}: "
                f"media[{index}] {item.file!r} weighs {_size(info.size, limits.max_image_bytes)}.",
                field=f"media[{index}]",
                network=network.name,
            )


def _video_problems(
    post: Post, network: type[Network], limits: Limits, videos: list[tuple[int, Media, MediaInfo]], ctx: CheckContext
) -> Iterator[Problem]:
    """A video goes alone (one per post, no image beside it) and within the network's video limits."""
    index, item, info = videos[0]

    def problem(message: str) -> Problem:
        return Problem(message, field=f"media[{index}]", network=network.name)

    if limits.video is None:
        yield problem(f"hospipost does not publish videos to {network.label}: media[{index}] {item.file!r}.")
        return
    if len(post.media) > 1:
        yield problem(
            f"{network.label} takes one video per post, without images: this post has {len(post.media)} media files."
        )
    measures = _cached_video(ctx, item.path)
    if measures is None:
        yield problem(f"media[{index}] {item.file!r} cannot be read as a video (cut, or not MP4/MOV).")
        return
    refused = video_problem(measures.mime, info.size, measures.seconds, measures.aspect, limits.video, network.label)
    if refused:
        yield problem(f"media[{index}] {item.file!r} {refused}.")


def _captions_problems(index: int, item: Media, ctx: CheckContext) -> Iterator[Problem]:
    """A video's captions file exists and is WebVTT or SRT."""
    if item.captions_path is None:
        return
    try:
        head = item.captions_path.read_bytes()[:4096]
    except OSError as error:
        yield Problem(
            f"media[{index}] captions {item.captions!r} cannot be read ({error.strerror or error}).",
            field=f"media[{index}].captions",
        )
        return
    if not captions_format(head):
        yield Problem(
            f"media[{index}] captions {item.captions!r} are neither WebVTT nor SRT: export them as .vtt.",
            field=f"media[{index}].captions",
        )


def _cached_video(ctx: CheckContext, path: Path) -> VideoInfo | None:
    cache: dict[Path, VideoInfo | None] = ctx.cache.setdefault("network_media_video", {})
    if path not in cache:
        cache[path] = video_info(path)
    return cache[path]


def _size(size: int, limit: int) -> str:
    """A size in the unit the limit is set in (MiB, MB or bytes), exact bytes when rounding would hide it."""
    if limit % _MIB == 0:
        unit, name = _MIB, "MiB"
    elif limit % 1_000_000 == 0:
        unit, name = 1_000_000, "MB"
    else:
        return _bytes(size)
    if size % unit == 0:
        return f"{size // unit} {name}"
    shown = f"{size / unit:.1f}"
    return _bytes(size) if shown == f"{limit / unit:.1f}" else f"{shown} {name}"


def _bytes(size: int) -> str:
    return f"{size:,} bytes".replace(",", " ")


def _type_names(types: frozenset[str]) -> list[str]:
    known = [name for mime, name in _TYPE_NAMES.items() if mime in types]
    return known + sorted(t for t in types if t not in _TYPE_NAMES)


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
