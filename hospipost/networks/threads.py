"""Threads profiles through the Threads API (graph.threads.net, v1.0).

A text, one image or a carousel of up to twenty; a thread's parts reply to each other
(``reply_to_id``). Each part is a container created, polled, staged, then published
(meta_containers.py). Plain HTTP, as no maintained SDK exists. Details: NOTES.md, Threads."""

from __future__ import annotations

from typing import ClassVar

from hospipost.networks.base import Attempt, ConfigKey
from hospipost.networks.meta_containers import MetaNetwork, meta_limits

VERSION = "v1.0"


class Threads(MetaNetwork):
    name = "threads"
    label = "Threads"
    default_api_base = "https://graph.threads.net"
    limits = meta_limits(500, 20, {"image/jpeg", "image/png"}, supports_threads=True)
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
    me = "me"

    @property
    def version(self) -> str:
        return VERSION

    def permissions_hint(self, attempt: Attempt) -> str:
        return "give the token threads_basic and threads_content_publish, then publish again"
