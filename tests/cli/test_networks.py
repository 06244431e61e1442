"""`hospipost networks check` speaks of checking credentials, never of publishing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from tests.test_exactly_once import SECRETS, make_site


@pytest.fixture
def answering() -> Iterator[list[int]]:
    """A local X whose every answer has the status in the list (429 by default)."""
    status = [429]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = json.dumps({"title": "Refused", "detail": "Refused", "status": status[0]}).encode()
            self.send_response(status[0])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    status.append(server.server_address[1])
    try:
        yield status
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [429, 503, 401])
def test_a_failed_check_speaks_of_credentials_not_of_publishing(
    tmp_path: Path, answering: list[int], status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering[0] = status
    site = make_site(
        tmp_path / "site", f"http://127.0.0.1:{answering[1]}", "sqlite:///unused.db", posts=0, networks=("x",)
    )
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--config", str(site), "networks", "check"], catch_exceptions=False)
    assert result.exit_code == 1
    line, billing = result.output.splitlines()  # the check, then what X's terms say (X bills per use)
    assert billing.startswith("  ⚠ X is billed per use")
    assert line.startswith("✖ X: ")
    assert "publish" not in line and "will try again" not in line, line
    assert line.endswith(
        "hospipost networks check again later." if status != 401 else "hospipost networks check again."
    )
