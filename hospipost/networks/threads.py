"""Threads profiles through the Threads API (graph.threads.net, v1.0).

A text, one image, one video or a carousel of up to twenty images; a thread's parts reply to each other
(``reply_to_id``). Each part is a container created, polled, staged, then published
(meta_containers.py). Plain HTTP, as no maintained SDK exists. Details: NOTES.md, Threads."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from hospipost.networks.base import Attempt, ConfigKey, PermanentError, Step
from hospipost.networks.meta_containers import MetaNetwork, meta_limits
from hospipost.networks.video import MP4_MOV, VideoLimits

VERSION = "v1.0"
# Meta's Threads media specifications: at most 5 min and 1 GB, MP4 or MOV, 0.01:1 to 10:1;
# alt_text is taken, a captions file is not (NOTES.md).
VIDEO = VideoLimits(1024 * 1024 * 1024, 5 * 60, 0, MP4_MOV, (0.01, 10.0), captions=False)
BY_HAND = "delete it in the Threads app (⋯ on the post, then Delete), then record it with `hospipost retract --by-hand`"
log = logging.getLogger(__name__)


class Threads(MetaNetwork):
    name = "threads"
    label = "Threads"
    default_api_base = "https://graph.threads.net"
    limits = meta_limits(500, 20, {"image/jpeg", "image/png"}, supports_threads=True, video=VIDEO)
    config_keys = {
        "user_id": ConfigKey(str, required=True, help="the Threads user id of the profile"),
        "token_env": ConfigKey(str, default="HOSPIPOST_THREADS_TOKEN"),
    }
    create_edge = "threads"
    publish_edge = "threads_publish"
    limit_edge = "threads_publishing_limit"
    status_fields = ("status", "error_message")
    text_field = "text"
    image_fields: ClassVar[dict[str, str]] = {"media_type": "IMAGE"}
    image_hint = "JPEG or PNG of at most 8 MB"
    video_fields: ClassVar[dict[str, str]] = {"media_type": "VIDEO"}
    video_alt = True
    me = "me"
    # Per-post figures: GET /{media}/insights, one post per request (no ``?ids=`` lookup documented; NOTES.md).
    metric_words: ClassVar[dict[str, str]] = {
        "views": "views", "likes": "likes", "comments": "replies", "shares": "reposts", "quotes": "quotes",
    }  # fmt: skip
    insight_metrics: ClassVar[dict[str, str]] = {
        "views": "views", "likes": "likes", "replies": "comments", "reposts": "shares", "quotes": "quotes",
    }  # fmt: skip
    metrics_permission = "threads_manage_insights"
    metrics_parallel = 4  # one post per insights request: four at once, each lane on its own session

    @property
    def version(self) -> str:
        return VERSION

    def delete_part(self, session: Any, part_id: str) -> None:
        """``DELETE /{threads-media-id}`` (threads_delete; 100 deletions per account and day, Meta's Delete Posts
        page); a post Threads no longer has counts as deleted."""
        deleting = Attempt(f"deleting the post {part_id}", Step.DELETE)
        answer = self.call(session, "DELETE", (part_id,), deleting, absent={"gone": True})
        if answer.get("success") is False:
            raise PermanentError(f"Threads did not delete the post {part_id}; it is still online: {BY_HAND}")
        if answer.get("gone"):
            log.info("Threads: the post %s was already deleted", part_id)

    def permissions_hint(self, attempt: Attempt) -> str:
        if attempt.step is Step.DELETE:
            return f"give the token threads_basic and threads_delete, then retract again (or {BY_HAND})"
        return "give the token threads_basic and threads_content_publish, then publish again"
