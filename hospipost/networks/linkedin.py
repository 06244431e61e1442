"""LinkedIn organisation pages, through the Posts API over HTTP."""

from __future__ import annotations

from hospipost.networks.base import ConfigKey, Limits, Network
from hospipost.textlength import char_length


class LinkedIn(Network):
    name = "linkedin"
    label = "LinkedIn"
    default_api_base = "https://api.linkedin.com"
    limits = Limits(
        max_length=3000,
        count=char_length,
        length_unit="characters",
        max_images=20,
        max_image_bytes=10 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif"}),
    )
    config_keys = {
        "organization": ConfigKey(str, required=True, help="urn:li:organization:<id>"),
        "token_env": ConfigKey(str, default="HOSPIPOST_LINKEDIN_TOKEN"),
        "version": ConfigKey(str, default="202610", help="LinkedIn-Version header, YYYYMM"),
    }
