"""pii-video-location: a video does not tell where it was filmed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.media import VIDEO_TYPES, media_info, video_info
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post


@rule("pii-video-location", Severity.ERROR)
def pii_video_location(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A video whose metadata records where it was filmed (a phone's GPS position).

    Checks:
      Each video of the post (MP4 or MOV) is read for the places phones record the
      filming position: QuickTime's ©xyz user data, Apple's location key
      (com.apple.quicktime.location.ISO6709) and the 3GPP loci box.

    Why:
      A video filmed on a phone carries its GPS position, to a few metres: published,
      it can tell where a patient lives or was filmed, or where staff park. hospipost
      removes this metadata from images itself, but cannot rewrite videos, and the
      networks keep the file as sent (GDPR art. 5.1.c, data minimisation).

    Fix:
      Export the video again without its metadata, e.g. `ffmpeg -i in.mov -map_metadata -1
      -c copy out.mp4`, or from the editing software with location sharing off.

    Examples:
      A recruitment clip filmed on an iPhone in a nurse's home, posted as filmed.
    """
    for index, item in enumerate(post.media):
        if media_info(item.path).mime not in VIDEO_TYPES:
            continue
        info = video_info(item.path)
        if info is not None and info.located:
            yield Problem(
                f"media[{index}] {item.file!r} records where it was filmed (a GPS position in its metadata):"
                " export it again without metadata.",
                field=f"media[{index}]",
            )
