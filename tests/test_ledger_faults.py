"""Ledger faults through the CLI: damaged, emptied, deleted, full or foreign ledgers (issue 14)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.config import Config
from hospipost.ledger import DueDelivery, Ledger, LedgerError, marker_path
from tests import clock
from tests.fakes.faults import CuttableProxy, small_disk
from tests.helpers import CLEAN_POST, NOW, post_with

READERS = [
    ["publish"],
    ["publish", "--dry-run", "--now", "2026-12-01 12:00"],
    ["status"],
    ["history"],
    ["queue", "list"],
    ["queue", "show", "p1"],
    ["reconcile", "p1", "--network", "x", "--not-sent"],
]


def _published(config: Config) -> Path:
    """p1 sent on x through the ledger, as a publish run records it; returns the SQLite file."""
    text = yaml.safe_dump({"posts": [CLEAN_POST, post_with(id="p2")]}, allow_unicode=True, sort_keys=False)
    (config.path.parent / "posts" / "news.yaml").write_text(text, encoding="utf-8")
    ledger = Ledger.open_for_publishing(config)
    ledger.ensure([DueDelivery("p1", "news", "x", "once", NOW)], NOW)
    (item,) = ledger.claim(["p1:x:once"], NOW, timedelta(minutes=5))
    ledger.mark_sent(item, NOW, "1", "https://x.com/chu/status/1", "h")
    ledger.close()
    return config.path.parent / ".hospipost" / "state.db"


def _run(config: Config, args: list[str], at: str = "2026-12-01 12:00"):
    """The command with the clock at ``at`` (Paris time): real publishing has no --now."""
    with clock.at(at):
        return CliRunner().invoke(cli, ["--config", str(config.path), *args])


def _one_line_exit_2(result) -> None:
    assert result.exit_code == 2, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("damage", ["header", "middle"])
@pytest.mark.parametrize("args", READERS, ids=lambda args: " ".join(args[:2]))
def test_a_damaged_ledger_is_one_line_and_exit_2_for_every_command(
    config: Config, args: list[str], damage: str
) -> None:
    path = _published(config)
    data = bytearray(path.read_bytes())
    if damage == "header":
        data[:100] = b"\xff" * 100
    else:
        data[1024:] = b"\x5a" * (len(data) - 1024)  # the tables' pages, after the first
    path.write_bytes(bytes(data))
    result = _run(config, args)
    _one_line_exit_2(result)
    assert "state.db" in result.output


def test_a_dry_run_never_counts_sent_deliveries_when_the_ledger_is_unreadable(config: Config) -> None:
    path = _published(config)
    data = bytearray(path.read_bytes())
    data[1024:] = b"\x5a" * (len(data) - 1024)
    path.write_bytes(bytes(data))
    result = _run(config, ["publish", "--dry-run", "--now", "2026-12-01 12:00"])
    assert result.exit_code == 2 and "would be sent" not in result.output


@pytest.mark.parametrize("loss", ["emptied", "deleted", "another"])
def test_publish_refuses_a_lost_ledger_and_says_how_to_restore_it(config: Config, loss: str) -> None:
    path = _published(config)
    if loss == "emptied":
        path.write_bytes(b"")
    elif loss == "deleted":
        path.unlink()
    else:
        path.unlink()
        Ledger.open(config.state_url).close()  # a new, foreign ledger
    for args in (["publish"], ["status"], ["publish", "--dry-run", "--now", "2026-12-01 12:00"]):
        result = _run(config, args)
        _one_line_exit_2(result)
        assert "backup" in result.output and "ledger reset --start-afresh" in result.output


def test_a_brand_new_folder_gets_its_ledger_and_marker(config: Config) -> None:
    assert not marker_path(config).exists()
    Ledger.open_for_publishing(config).close()
    identity = Ledger.open(config.state_url).identity()
    assert identity and identity in marker_path(config).read_text(encoding="utf-8")
    Ledger.open_for_publishing(config).close()  # the same ledger again: accepted


def test_starting_afresh_sends_only_what_is_due_from_then_on(config: Config) -> None:
    path = _published(config)
    path.unlink()
    result = _run(config, ["ledger", "reset", "--start-afresh"], at="2026-12-01 11:00")
    assert result.exit_code == 0, result.output
    ledger = Ledger.open_for_publishing(config)
    before = DueDelivery("p2", "news", "x", "once", NOW)  # due before the reset: never sent automatically
    after = DueDelivery("p3", "news", "x", "once", NOW + timedelta(days=30))
    ledger.ensure([before, after], NOW + timedelta(days=30))
    claimed = ledger.claim([before.id, after.id], NOW + timedelta(days=30), timedelta(minutes=5))
    assert [item.id for item in claimed] == [after.id]
    assert ledger.get(before.id).state == "failed" and "started afresh" in ledger.get(before.id).last_error


def test_reset_needs_the_flag(config: Config) -> None:
    _one_line_exit_2(_run(config, ["ledger", "reset"]))


def test_a_full_disk_mid_run_is_one_ledger_error(config: Config, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "200k") as disk:
        ledger = Ledger.open(f"sqlite:///{disk / 'state.db'}")
        ledger.ensure([DueDelivery("p0", "news", "x", "once", NOW)], NOW)
        filler = disk / "filler"
        with pytest.raises(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
        with pytest.raises(LedgerError, match="state.db could not be written .*free space"):
            for n in range(2000):
                ledger.ensure([DueDelivery(f"p{n}" + "x" * 100, "news", "x", "once", NOW)], NOW)
        ledger.close()


def test_a_read_only_ledger_names_the_file_that_blocks(config: Config, tmp_path: Path) -> None:
    path = _published(config)
    folder = path.parent
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True, check=False)
    if done.returncode != 0 or shutil.which("mount") is None:
        pytest.skip("cannot make a read-only mount here")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=False)
    try:
        result = _run(config, ["publish"])
        _one_line_exit_2(result)
        assert "read-only" in result.output and "state.db" in result.output
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_status_right_after_a_crash_shows_the_dead_claims(config: Config) -> None:
    _published(config)
    ledger = Ledger.open_for_publishing(config, actor=f"{socket.gethostname()}:{_ended_pid()}")
    ledger.ensure([DueDelivery("p2", "news", "x", "once", NOW)], NOW)
    ledger.claim(["p2:x:once"], NOW, timedelta(hours=1))
    ledger.close()
    result = _run(config, ["status", "--now", "2026-11-23 11:05"])
    assert result.exit_code == 1, result.output
    assert "1 needs a human" in result.output and "which stopped" in result.output


def _ended_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_postgresql_connection_cut_mid_run_is_one_ledger_error(request: pytest.FixtureRequest) -> None:
    from urllib.parse import urlsplit

    from tests.conftest import _postgresql_schema

    url = _postgresql_schema(request)
    parts = urlsplit(url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    request.addfinalizer(proxy.close)
    through_proxy = url.replace(f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{proxy.port}", 1)
    ledger = Ledger.open(through_proxy)
    ledger.ensure([DueDelivery("p1", "news", "x", "once", NOW)], NOW)
    (item,) = ledger.claim(["p1:x:once"], NOW, timedelta(minutes=5))
    assert ledger.request_started(item, NOW)
    proxy.cut()  # the request left; the ledger is gone before mark_sent
    with pytest.raises(LedgerError) as caught:
        ledger.mark_sent(item, NOW, "1", "https://x.com/chu/status/1", "h")
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and "could not be written" in message and "reachable" in message
    ledger.close()


def test_a_dry_run_after_starting_afresh_counts_only_what_is_due_from_then_on(config: Config) -> None:
    _published(config).unlink()
    assert _run(config, ["ledger", "reset", "--start-afresh"], at="2026-12-01 11:00").exit_code == 0
    result = _run(config, ["publish", "--dry-run", "--now", "2026-12-01 11:30"])
    assert result.exit_code == 0, result.output
    assert "Dry run: 0 deliveries would be sent" in result.output


def test_a_read_only_shm_file_is_named_with_its_fix(tmp_path: Path) -> None:
    """After a read-only episode SQLite's state.db-shm stays another user's: the error names it."""
    import os
    import sys
    import tempfile

    from hospipost.config import load_config
    from tests.helpers import make_config

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a command as another user")
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        folder.chmod(0o755)
        config = make_config(folder / "site")
        _published(config)
        subprocess.run(["chown", "-R", "nobody", str(folder / "site")], check=True)
        shm = folder / "site" / ".hospipost" / "state.db-shm"
        shm.touch()
        os.chown(shm, 0, 0)
        shm.chmod(0o644)
        script = (
            "import sys; from pathlib import Path; from datetime import datetime, timezone; "
            "from hospipost.config import load_config; from hospipost.ledger import Ledger, LedgerError\n"
            "try:\n    Ledger.open_for_publishing(load_config(Path(sys.argv[1]))).record_run(datetime.now(timezone.utc), {})\n"
            "except LedgerError as error:\n    print(error)"
        )
        done = subprocess.run(
            [
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                sys.executable,
                "-c",
                script,
                str(config.path),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=folder,
        )
        assert "state.db-shm is read-only" in done.stdout and "delete it" in done.stdout, done.stdout + done.stderr
        assert load_config(config.path)
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("damage", ["damaged", "deleted"])
def test_the_daemon_refuses_a_damaged_or_lost_ledger_in_one_line(config: Config, damage: str) -> None:
    path = _published(config)
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"\xff" * 4096)
    result = _run(config, ["daemon"])
    _one_line_exit_2(result)
    assert "state.db" in result.output


def test_a_fresh_clone_without_the_ledger_can_still_check_and_list(config: Config) -> None:
    """The marker is committed with the posts; a colleague's clone (or CI) has no ledger:
    check and queue work there, only what would send (and status) refuses."""
    _published(config).unlink()
    assert marker_path(config).exists()
    for args in (["check"], ["queue", "list"], ["queue", "show", "p1"]):
        result = _run(config, args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "ledger" not in result.output, (args, result.output)
    _one_line_exit_2(_run(config, ["publish"]))
