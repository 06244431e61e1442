"""Bluesky, through atproto, with a handle and an app password."""

from __future__ import annotations

from hospipost.networks.base import ConfigKey, Limits, Network
from hospipost.textlength import grapheme_length


class Bluesky(Network):
    name = "bluesky"
    label = "Bluesky"
    default_api_base = "https://bsky.social"
    limits = Limits(
        max_length=300,
        count=grapheme_length,
        length_unit="graphemes",
        max_images=4,
        max_image_bytes=1_000_000,
        image_types=frozenset({"image/jpeg", "image/png", "image/webp"}),
        supports_threads=True,
        max_bytes=3000,
    )
    config_keys = {
        "handle": ConfigKey(str, required=True, help="the account's handle, e.g. chu.example.org"),
        "app_password_env": ConfigKey(str, default="HOSPIPOST_BLUESKY_APP_PASSWORD"),
    }
