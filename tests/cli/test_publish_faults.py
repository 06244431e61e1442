"""A ledger that fails in the middle of `publish` (issue 14.4): a disk that fills up, a
PostgreSQL connection cut. One error line, every delivery's outcome printed, a non-zero exit,
and the next run sends nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from tests import clock
from tests.fakes.faults import CuttableProxy, small_disk
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, make_site

NOW = "2026-12-01 10:30"
POSTS = 30  # 60 deliveries: x and facebook


@pytest.fixture
def server():
    with running() as fake:
        yield fake


def run(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def outcome_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line[:1] in "✔↻✖?⏸·"]


def assert_nothing_sent_twice(server) -> None:
    for network in ("x", "facebook"):
        texts = server.texts(network)
        assert len(texts) == len(set(texts)), f"a post was sent twice to {network}"


def test_a_full_disk_mid_run_is_one_line_and_nothing_is_sent_twice(
    tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from hospipost.ledger import Ledger

    with small_disk(tmp_path / "disk", "1m") as disk:
        for name, value in SECRETS.items():
            monkeypatch.setenv(name, value)
        site = make_site(tmp_path / "site", server.url, f"sqlite:///{disk / 'state.db'}", posts=POSTS)
        Ledger.open(f"sqlite:///{disk / 'state.db'}").close()
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * (free - FREE_LEFT))
        with clock.at(NOW):
            result = run(site, "publish")
        assert result.exit_code != 0, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert errors and "free space on its disk" in errors[-1] and str(disk / "state.db") in errors[-1], result.output
        assert ("Traceback" not in result.output and result.exception is None) or isinstance(
            result.exception, SystemExit
        )
        sent = len(server.texts("x")) + len(server.texts("facebook"))
        assert 0 < sent < 2 * POSTS
        assert len(outcome_lines(result.output)) >= sent, result.output

        (disk / "filler").unlink()
        with clock.at(NOW):
            again = run(site, "publish")
        assert_nothing_sent_twice(server)
        assert "Traceback" not in again.output


FREE_LEFT = 160 * 1024


def test_a_postgresql_connection_cut_mid_run_is_one_line_and_nothing_is_sent_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    import threading
    import time

    from tests.conftest import _postgresql_schema

    url = _postgresql_schema(request)
    proxy = CuttableProxy(("127.0.0.1", 5432))
    request.addfinalizer(proxy.close)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with running(latency=0.05) as server:
        site = make_site(
            tmp_path / "site", server.url, url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), posts=POSTS
        )

        def cut_after_a_few_posts() -> None:
            deadline = time.monotonic() + 30
            while len(server.posts()) < 6 and time.monotonic() < deadline:
                time.sleep(0.005)
            proxy.cut()

        threading.Thread(target=cut_after_a_few_posts, daemon=True).start()
        with clock.at(NOW):
            result = run(site, "publish")
        assert result.exit_code != 0, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert errors and "could not be" in errors[-1] and "reachable" in errors[-1], result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        sent = len(server.posts())
        assert 0 < sent < 2 * POSTS
        assert len(outcome_lines(result.output)) >= sent, result.output

        proxy.restore()
        with clock.at(NOW):
            again = run(site, "publish")
        assert "Traceback" not in again.output
        assert_nothing_sent_twice(server)
