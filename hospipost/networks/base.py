"""What every network adapter declares: its limits, its config keys, how a post renders.

The limits declared here are the single source of truth: ``check`` reads them for
``network-length``, ``network-media`` and ``a11y-alt-text``, and the adapters obey them
when publishing. SDKs are imported inside adapter methods, never at module level, so that
``check`` and ``--help`` stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

if TYPE_CHECKING:
    from hospipost.posts import Post

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Limits:
    """A network's limits; ``count`` measures text the way the network does."""

    max_length: int
    count: Callable[[str], int]
    length_unit: str
    max_images: int
    max_image_bytes: int
    image_types: frozenset[str] = IMAGE_TYPES
    max_alt_length: int | None = None
    supports_threads: bool = False


@dataclass(frozen=True)
class ConfigKey:
    """One key of a network's section in config.yaml."""

    type: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    help: str = ""


COMMON_KEYS: dict[str, ConfigKey] = {
    "enabled": ConfigKey(bool, default=False, help="publish to this network"),
    "api_base": ConfigKey(str, help="API base URL (a proxy or a local test server)"),
    "timeout": ConfigKey((int, float), default=30, help="seconds to wait for the network"),
}


@dataclass(frozen=True)
class Rendering:
    """What one network receives for one post: the text of each part of the thread."""

    network: str
    parts: list[str]
    media: list[Any] = field(default_factory=list)


class Network:
    """Base class of the network adapters."""

    name: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[Limits]
    config_keys: ClassVar[dict[str, ConfigKey]] = {}
    default_api_base: ClassVar[str]

    @classmethod
    def all_config_keys(cls) -> dict[str, ConfigKey]:
        return {**COMMON_KEYS, **cls.config_keys}

    @classmethod
    def render(cls, post: "Post") -> Rendering:
        """The parts this network receives: a thread where it has threads, else one text."""
        text = post.text_for(cls.name)
        if cls.limits.supports_threads or not post.thread:
            parts = [text, *post.thread]
        else:
            parts = ["\n\n".join([text, *post.thread])]
        return Rendering(cls.name, parts, list(post.media))
