"""Mastodon, through Mastodon.py, on the instance named in config."""

from __future__ import annotations

from hospipost.networks.base import ConfigKey, Limits, Network
from hospipost.textlength import mastodon_length


class Mastodon(Network):
    name = "mastodon"
    label = "Mastodon"
    default_api_base = ""
    limits = Limits(
        max_length=500,
        count=mastodon_length,
        length_unit="characters (URLs count 23)",
        max_images=4,
        max_image_bytes=10 * 1024 * 1024,
        max_alt_length=1500,
        supports_threads=True,
    )
    config_keys = {
        "instance": ConfigKey(str, required=True, help="the instance URL, e.g. https://social.example.org"),
        "token_env": ConfigKey(str, default="HOSPIPOST_MASTODON_TOKEN"),
    }
