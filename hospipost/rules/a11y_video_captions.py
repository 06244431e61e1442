"""a11y-video-captions: a video carries captions, in a file the network shows or in its pictures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.media import VIDEO_TYPES, media_info
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post


@rule("a11y-video-captions", Severity.WARNING)
def a11y_video_captions(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A video has captions: a WebVTT or SRT file (`captions:`) or captions burnt into it.

    Checks:
      Each video of the post (MP4 or MOV, recognised from its content) names a captions
      file with `captions:`. Where it does, each network of the post that takes no
      captions file is named: there the captions must be burnt into the pictures.
      A video whose captions are burnt in says so by an ignore with its reason.

    Why:
      Deaf and hard-of-hearing people, and everyone watching without sound (most people
      on a phone), miss what is said in a video without captions. A public body's
      posts must be accessible (loi 2005-102 art. 47, RGAA 4.1 criterion 4.3:
      synchronised captions for every pre-recorded video with sound).

    Fix:
      Write the captions (a .vtt file, or burn them into the video when exporting it)
      and name the file in the media item: `captions: media/visite.vtt`. If they are
      already burnt in, add `ignore: [{rule: a11y-video-captions, reason: sous-titres incrustés}]`.

    Examples:
      A recruitment video of the maternity ward with a midwife speaking and no
      captions file: add media/recrutement.vtt. The same video with captions, posted
      to X, which takes no captions file: burn the captions into the X version.
    """
    for index, item in enumerate(post.media):
        if media_info(item.path).mime not in VIDEO_TYPES:
            continue
        if item.captions is None:
            yield Problem(
                f"media[{index}] {item.file!r} is a video without captions (`captions:`): people who cannot hear"
                " it, or watch without sound, miss what is said.",
                field=f"media[{index}]",
            )
            continue
        for network in ctx.networks(post):
            video = ctx.limits(network).video
            if video is not None and not video.captions:
                yield Problem(
                    f"{network.label} takes no captions file: burn the captions of {item.file!r} into the video"
                    f" it receives.",
                    field=f"media[{index}].captions",
                    network=network.name,
                )
