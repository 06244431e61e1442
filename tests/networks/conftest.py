"""Fixtures of the adapter tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.meta_server import MetaServer, running


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[MetaServer]:
    """The local server imitating Meta's containers (Instagram, Threads), its public images in tmp_path."""
    with running(tmp_path / "public") as server:
        yield server
