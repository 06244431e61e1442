"""X (formerly Twitter), through tweepy: API v2 posts, v2 media upload, OAuth 1.0a user keys."""

from __future__ import annotations

from hospipost.networks.base import ConfigKey, Limits, Network
from hospipost.twittertext import weighted_length


class X(Network):
    name = "x"
    label = "X"
    default_api_base = "https://api.x.com"
    limits = Limits(
        max_length=280,
        count=weighted_length,
        length_unit="weighted characters",
        max_images=4,
        max_image_bytes=5 * 1024 * 1024,
        max_alt_length=1000,
        supports_threads=True,
    )
    config_keys = {
        "api_key_env": ConfigKey(str, default="HOSPIPOST_X_API_KEY"),
        "api_secret_env": ConfigKey(str, default="HOSPIPOST_X_API_SECRET"),
        "access_token_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN"),
        "access_token_secret_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN_SECRET"),
    }
