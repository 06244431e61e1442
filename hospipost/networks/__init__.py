"""The networks hospipost publishes to, by name; each adapter module is imported on demand."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospipost.networks.base import Network

NETWORK_CLASSES = {
    "x": "hospipost.networks.x:X",
    "facebook": "hospipost.networks.facebook:Facebook",
    "mastodon": "hospipost.networks.mastodon:Mastodon",
    "bluesky": "hospipost.networks.bluesky:Bluesky",
    "linkedin": "hospipost.networks.linkedin:LinkedIn",
    "instagram": "hospipost.networks.instagram:Instagram",
    "threads": "hospipost.networks.threads:Threads",
}
NETWORK_NAMES = tuple(NETWORK_CLASSES)


@cache
def network_class(name: str) -> type[Network]:
    """The adapter class of a network; KeyError for an unknown name."""
    module_name, class_name = NETWORK_CLASSES[name].split(":")
    return getattr(import_module(module_name), class_name)


def network_label(name: str) -> str:
    """A network as people name it ("LinkedIn"); the name itself for one this hospipost does not know."""
    return network_class(name).label if name in NETWORK_CLASSES else name
