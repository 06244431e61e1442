"""Run hospipost in a subprocess as ``tests.clock`` does, with X and Mastodon able to delete a post
on the local network server (``tests.fakes.netserver``).

Until an adapter has a ``delete_part`` of its own, a stand-in over plain HTTP is installed in its
place (only where the adapter still has the base class's), so that the tests of retraction across
processes run today and use the real one as soon as it exists::

    python -m tests.fakes.deleting "2026-12-01 10:40" --config … retract ID --reason …
"""

from __future__ import annotations

from typing import Any

PATHS = {"x": "/2/tweets/{}", "mastodon": "/api/v1/statuses/{}"}


def _delete_part(self: Any, connection: Any, part_id: str) -> None:
    """``DELETE`` the part; 404 means it is already gone (counts as deleted)."""
    import requests

    from hospipost.networks.base import PermanentError, TransientError

    url = self.api_base.rstrip("/") + PATHS[self.name].format(part_id)
    try:
        response = requests.delete(url, timeout=self.timeout)
    except requests.RequestException as error:
        raise TransientError(f"could not reach {self.who} ({type(error).__name__}): nothing was deleted") from None
    if response.status_code == 404 or response.ok:
        return
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(f"{self.who} answered {response.status_code} while deleting a post")
    raise PermanentError(f"{self.who} answered {response.status_code} while deleting a post")


def install() -> None:
    from hospipost.networks import network_class
    from hospipost.networks.base import Network

    for name in PATHS:
        adapter = network_class(name)
        if adapter.delete_part is Network.delete_part:
            adapter.delete_part = _delete_part  # type: ignore[method-assign]


if __name__ == "__main__":
    from tests import clock

    install()
    clock.main()
