"""Facebook Pages, through facebook-sdk with the Graph API version pinned from config."""

from __future__ import annotations

from hospipost.networks.base import ConfigKey, Limits, Network
from hospipost.textlength import char_length


class Facebook(Network):
    name = "facebook"
    label = "Facebook"
    default_api_base = "https://graph.facebook.com"
    limits = Limits(
        max_length=63206,
        count=char_length,
        length_unit="characters",
        max_images=10,
        max_image_bytes=10 * 1024 * 1024,
    )
    config_keys = {
        "page_id": ConfigKey(str, required=True, help="the numeric id of the Page"),
        "token_env": ConfigKey(str, default="HOSPIPOST_FACEBOOK_TOKEN"),
        "graph_version": ConfigKey(str, default="v26.0", help="Graph API version, e.g. v26.0"),
    }
