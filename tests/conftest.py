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


PG_URL = __import__("os").environ.get("TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgresql_schema(request: pytest.FixtureRequest) -> str:
    """A fresh schema on the test PostgreSQL server, dropped after the test.

    Without a server the test is skipped, except in CI (CI=true), where it must run.
    """
    import os
    import uuid

    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as error:  # no server, no driver
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"no PostgreSQL at {PG_URL}: {error}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()

    request.addfinalizer(drop)
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger URL on each supported database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return _postgresql_schema(request)
