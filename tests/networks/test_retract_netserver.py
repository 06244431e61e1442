"""``Network.retract`` end to end: a thread published to the local server standing in for the networks
(tests/fakes/netserver.py), then deleted through each adapter, last part first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hospipost.networks.base import Network, Rendering
from tests.fakes.meta_server import make_adapter as meta_adapter
from tests.fakes.netserver import THREADS_USER, FakeNetworks, running
from tests.networks import test_bluesky, test_facebook, test_linkedin, test_mastodon, test_x
from tests.networks.kit import Parts

THREAD = ["Journée portes ouvertes 1/3", "Visite des blocs 2/3", "Inscriptions à l'accueil 3/3"]


def threads(fake: FakeNetworks) -> Network:
    from hospipost.networks.threads import Threads

    return meta_adapter(Threads, fake, user_id=THREADS_USER)  # type: ignore[arg-type]


ADAPTERS: dict[str, Callable[[FakeNetworks], Network]] = {
    "x": lambda fake: test_x.make_x(api_base=fake.url, timeout=5),
    "mastodon": lambda fake: test_mastodon.make_adapter(api_base=fake.url),
    "bluesky": lambda fake: test_bluesky.make(api_base=fake.url),
    "threads": threads,
    "facebook": lambda fake: test_facebook.make_adapter(api_base=fake.url, graph_version="v27.0"),
    "linkedin": lambda fake: test_linkedin.make_adapter(api_base=fake.url),
}


@pytest.mark.parametrize("network", list(ADAPTERS))
def test_a_published_thread_is_deleted_last_part_first(network: str) -> None:
    with running() as fake:
        adapter, sent, deleted = ADAPTERS[network](fake), Parts(), Parts()
        adapter.publish(Rendering(network, THREAD), f"p1:{network}:once", [], sent)
        ids = [part_id for _, part_id in sent.calls]

        adapter.retract(ids, deleted)
        adapter.retract(ids, Parts())  # again: what is already gone counts as deleted

    assert len(ids) == (3 if adapter.limits.supports_threads else 1)
    assert deleted.calls == list(reversed(sent.calls))
    expected: list[Any] = [(network, gone(part_id)) for part_id in reversed(ids)]
    assert fake.deleted_parts == expected * 2


def gone(part_id: str) -> str:
    """What the server records of a deleted part: its id (Bluesky: its record's at:// URI)."""
    return part_id.partition(" ")[0]
