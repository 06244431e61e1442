"""Instagram professional accounts (linked to a Facebook Page) through the Graph API.

A post is one image, a carousel of up to ten, or a reel (one video), fetched by Meta from a
public address: a container is created, polled, staged, then published (meta_containers.py).
Plain HTTP, as no maintained SDK covers these endpoints. Details: NOTES.md, section Instagram."""

from __future__ import annotations

from typing import Any, ClassVar

from hospipost.networks.base import Attempt, ConfigKey, PermanentError
from hospipost.networks.meta_containers import MetaNetwork, graph_version, meta_limits, version_problem
from hospipost.networks.video import MP4_MOV, VideoLimits

DEFAULT_VERSION = "v27.0"


class Instagram(MetaNetwork):
    name = "instagram"
    label = "Instagram"
    default_api_base = "https://graph.facebook.com"
    # Reels: Meta's reel specifications (ig-user/media): 3 s to 15 min, 300 MB, MP4 or MOV, 0.01:1 to 10:1;
    # no captions file and no alt_text on reels (NOTES.md).
    reels = VideoLimits(300 * 1024 * 1024, 15 * 60, 3, MP4_MOV, (0.01, 10.0), captions=False)
    limits = meta_limits(2200, 10, {"image/jpeg"}, max_hashtags=30, max_mentions=20, requires_media=True, video=reels)
    config_keys = {
        "user_id": ConfigKey(str, required=True, help="the ig-user-id of the professional account"),
        "token_env": ConfigKey(str, default="HOSPIPOST_INSTAGRAM_TOKEN"),
        "graph_version": ConfigKey(
            str, default=DEFAULT_VERSION, help=f"Graph API version, e.g. {DEFAULT_VERSION}", check=version_problem
        ),
    }
    create_edge = "media"
    publish_edge = "media_publish"
    limit_edge = "content_publishing_limit"
    status_fields = ("status_code", "status")
    text_field = "caption"
    image_fields: ClassVar[dict[str, str]] = {}
    video_fields: ClassVar[dict[str, str]] = {"media_type": "REELS", "share_to_feed": "true"}
    # Per-post figures: media insights, 50 media per ``?ids=`` lookup; up to 48 h late, kept 2 years (NOTES.md).
    metric_words: ClassVar[dict[str, str]] = {
        "views": "views", "reach": "accounts reached", "likes": "likes", "comments": "comments", "shares": "shares",
        "saves": "saves",
    }  # fmt: skip
    insight_metrics: ClassVar[dict[str, str]] = {
        "views": "views", "reach": "reach", "likes": "likes", "comments": "comments", "shares": "shares",
        "saved": "saves",
    }  # fmt: skip
    metrics_batch = 50
    metrics_permission = "instagram_manage_insights (with pages_read_engagement)"

    @property
    def version(self) -> str:
        """The pinned Graph API version, normalised to ``vNN.N``; PermanentError when invalid."""
        raw = self.settings.options.get("graph_version") or DEFAULT_VERSION
        version = graph_version(raw)
        if version is None:
            raise PermanentError(
                f"networks.instagram.graph_version {raw!r} is not a Graph API version: set it to a current one"
                f" such as {DEFAULT_VERSION} in config.yaml"
            )
        return version

    def delete_part(self, session: Any, part_id: str) -> None:
        """Meta's IG Media reference documents reading a post, not deleting it: a person deletes it by hand."""
        raise PermanentError(
            f"Instagram's API gives hospipost no way to delete a post, so the post (Instagram media {part_id}) is still"
            " online: on instagram.com or in the Instagram app, logged in as the account, open the post, click ⋯ (More"
            " options) above it, then Delete and confirm (a carousel goes as a whole); then record it with"
            " `hospipost retract --by-hand`"
        )

    def permissions_hint(self, attempt: Attempt) -> str:
        return (
            "give the token instagram_content_publish (with instagram_basic and pages_read_engagement) for the"
            " Page linked to the account, then publish again"
        )
