"""What the alert rules share: an alert is read on each network as that network receives it.

That is its variant (or the main text) followed by the thread. So each check runs per
"audience": the main text for the networks without a variant, and each variant. A
problem common to every audience is reported once; otherwise it names the network that
misses it. Alt texts do not count: only screen-reader users would hear them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem

if TYPE_CHECKING:
    from hospipost.posts import Post


def audiences_of(post: Post) -> list[tuple[str, tuple[str, ...], str]]:
    """(field, networks, what those networks receive) for each distinct published text."""
    thread = "\n\n".join(post.thread)
    networks = tuple(post.networks)
    main_networks = tuple(n for n in networks if n not in post.variants) if networks else ()
    audiences = []
    if main_networks or not networks or not post.variants:
        audiences.append(("text", main_networks, post.text + "\n\n" + thread if thread else post.text))
    for network, variant in post.variants.items():
        if not networks or network in networks:
            audiences.append((f"variants.{network}", (network,), variant + "\n\n" + thread if thread else variant))
    return audiences


def missing(post: Post, has_it: Callable[[str], bool], message: str) -> Iterator[Problem]:
    """One problem if no audience has it, else one per network that misses it."""
    audiences = audiences_of(post)
    lacking = [(field, nets) for field, nets, text in audiences if not has_it(text)]
    if not lacking:
        return
    if len(lacking) == len(audiences):
        yield Problem(message, None)
        return
    for field, nets in lacking:
        for network in nets:
            yield Problem(f"{message} (on {network})", field, network=network)
