"""network-enabled: every network a post goes to is enabled in config.yaml."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post


@rule(
    "network-enabled",
    Severity.ERROR,
    ignorable=False,
)
def network_enabled(post: Post, ctx: CheckContext) -> list[Problem]:
    """Every network the post goes to is enabled in config.yaml, and it goes to at least one.

    Checks:
      Each network named by the post (or by its queue's defaults) is present in
      config.yaml's networks: with enabled: true. A post that names no network while
      config.yaml enables none goes nowhere and is flagged too. The rule cannot be
      ignored: an ignore would not make the post publishable. Where there is no
      config.yaml (check run on a file with the embedded defaults, which publish
      nothing), the rule has nothing to compare with and stays silent.

    Why:
      publish never sends to a disabled network: the post is blocked there, at its
      slot, when nobody is watching. check is where the team learns it in time, not
      the morning after.

    Fix:
      Enable the network in config.yaml (networks: mastodon: {enabled: true, …}) with
      its settings and credentials, or remove the network from the post (networks: …).

    Examples:
      flagged: networks: [x, mastodon] while config.yaml has mastodon: {enabled: false}
      flagged: a post without networks: in a folder whose config.yaml has no networks
      passes:  networks: [x] while config.yaml has x: {enabled: true}
    """
    if not _config_file_exists(ctx):
        return []
    if not post.networks:
        return [
            Problem(
                "This post goes to no network: config.yaml enables none, so publish would send it nowhere.", "networks"
            )
        ]
    return [
        Problem(
            f"The network {name} is not enabled in config.yaml, so publish would block this post there.",
            "networks",
            network=name,
        )
        for name in post.networks
        if not _enabled(ctx, name)
    ]


def _enabled(ctx: CheckContext, name: str) -> bool:
    settings = ctx.config.networks.get(name)
    return settings is not None and settings.enabled


def _config_file_exists(ctx: CheckContext) -> bool:
    exists = ctx.cache.get("config_file_exists")
    if exists is None:
        exists = ctx.cache["config_file_exists"] = ctx.config.path.is_file()
    return exists
