from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.config import Config
from tests.helpers import make_config

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config or credentials."""
    monkeypatch.delenv("HOSPIPOST_CONFIG", raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("HOSPIPOST_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The CHU d'Angers test config in a fresh folder."""
    return make_config(tmp_path / "site")
