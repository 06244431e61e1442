"""The limits an adapter learns from the account (Network.learn_limits), for any network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import PermanentError
from hospipost.networks.x import X
from hospipost.posts import Media


def settings(api_base: str = "https://api.x.example") -> NetworkSettings:
    return NetworkSettings("x", True, {"api_base": api_base}, 1)


def test_what_an_account_states_applies_over_the_declared_limits(tmp_path: Path) -> None:
    adapter = X(settings(), Credentials(environ={}), tmp_path / "cache")
    assert adapter.learn_limits({"max_length": 4000, "max_images": 0, "supports_threads": False, "other": 1}) == ""
    limits = X.effective_limits(settings(), tmp_path / "cache")
    assert limits.max_length == 4000  # a positive integer that names a Limits field
    assert (limits.max_images, limits.supports_threads, limits.count) == (
        X.limits.max_images,
        X.limits.supports_threads,
        X.limits.count,
    )
    assert X.effective_limits(settings("https://other.example"), tmp_path / "cache") == X.limits  # per account
    stored = json.loads((tmp_path / "cache" / "x-limits.json").read_text(encoding="utf-8"))
    assert list(stored) == ["https://api.x.example"] and "checked_at" in stored["https://api.x.example"]
    assert [path.name for path in (tmp_path / "cache").iterdir()] == ["x-limits.json"]  # no temporary file left


def test_images_are_checked_against_what_was_learnt(tmp_path: Path) -> None:
    X(settings(), Credentials(environ={}), tmp_path).learn_limits({"max_images": 1})
    adapter = X(settings(), Credentials(environ={}), tmp_path)
    with pytest.raises(PermanentError, match="at most 1 images per post and this one has 2"):
        media = [Media(name, tmp_path / name, "alt", False, None, 1) for name in ("a.png", "b.png")]
        adapter.read_images(media)  # refused before any file is read
