"""`hospipost archive export|verify`: posts published by `hospipost publish` (fake networks, a real
SQLite ledger), archived, verified, tampered with; bad folders are one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from tests import clock
from tests.fakes.adapter import FakeNetworkSet
from tests.test_exactly_once import SECRETS, make_site


def hospipost(config: Path, *args: str, at: str = "2026-12-01 10:30") -> Result:
    with clock.at(at):
        return CliRunner(env=SECRETS).invoke(cli, ["--config", str(config), *args])


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two posts published on X and Facebook at 10:30, then one retracted."""
    fakes = FakeNetworkSet()
    monkeypatch.setattr("hospipost.publisher.adapter_factory", lambda config, credentials: fakes)
    config = make_site(tmp_path / "site", "http://127.0.0.1:9", "sqlite:///.hospipost/state.db", 2)
    published = hospipost(config, "publish")
    assert published.exit_code == 0, published.output
    retracted = hospipost(config, "retract", "info-1", "--reason", "Chiffres erronés", "--by", "a.renier")
    assert retracted.exit_code == 0, retracted.output
    return config


def test_export_then_verify(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    exported = hospipost(site, "archive", "export", str(folder))
    assert exported.exit_code == 0, exported.output
    assert "Archived 4 deliveries and 0 media files" in exported.output
    records = [json.loads(line) for line in (folder / "deliveries.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(r["post"], r["network"], r["state"]) for r in records} == {
        (post, network, "sent") for post in ("info-0", "info-1") for network in ("x", "facebook")
    }
    retracted = [r for r in records if r["retraction"]]
    assert {r["post"] for r in retracted} == {"info-1"}
    assert all(r["retraction"]["reason"] == "Chiffres erronés" for r in retracted)
    assert all(r["approvals"][0]["by"] == "a.renier" for r in records)
    assert "SECRET" not in (folder / "deliveries.jsonl").read_text(encoding="utf-8")
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("Archive des publications") and "sha256sum -c MANIFEST.sha256" in readme

    verified = hospipost(site, "archive", "verify", str(folder))
    assert verified.exit_code == 0 and verified.output.strip().endswith("intact: 2 files verified.")

    again = hospipost(site, "archive", "export", str(folder))  # into the previous archive
    assert again.exit_code == 0, again.output


def test_verify_names_every_problem_and_exits_1(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    hospipost(site, "archive", "export", str(folder))
    with (folder / "deliveries.jsonl").open("r+b") as handle:
        handle.seek(10)
        byte = handle.read(1)
        handle.seek(10)
        handle.write(bytes([byte[0] ^ 1]))
    (folder / "notes.txt").write_text("ajout")
    verified = hospipost(site, "archive", "verify", str(folder))
    assert verified.exit_code == 1
    assert "changed: deliveries.jsonl" in verified.output and "extra: notes.txt" in verified.output
    assert "NOT intact: 2 problems" in verified.output
    (folder / "README.txt").unlink()
    assert "missing: README.txt" in hospipost(site, "archive", "verify", str(folder)).output


def test_year_option(site: Path, tmp_path: Path) -> None:
    exported = hospipost(site, "archive", "export", "--year", "2027", str(tmp_path / "a"))
    assert exported.exit_code == 0 and "Archived 0 deliveries" in exported.output
    assert (tmp_path / "a" / "deliveries.jsonl").read_text(encoding="utf-8") == ""
    assert hospipost(site, "archive", "export", "--year", "2026", str(tmp_path / "b")).output.startswith(
        "Archived 4 deliveries"
    )


@pytest.mark.parametrize("kind", ["file", "foreign"])
def test_bad_folders_are_one_line_and_exit_2(site: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / kind
    if kind == "file":
        target.write_text("x")
    else:
        target.mkdir()
        (target / "photo.jpg").write_bytes(b"x")
    for command in ("export", "verify"):
        result = hospipost(site, "archive", command, str(target))
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: ")
        assert "Traceback" not in result.output


def test_export_without_anything_published(tmp_path: Path) -> None:
    config = make_site(tmp_path / "site", "http://127.0.0.1:9", "sqlite:///.hospipost/state.db", 1)
    result = hospipost(config, "archive", "export", str(tmp_path / "archive"))
    assert result.exit_code == 0 and "Archived 0 deliveries" in result.output
    assert hospipost(config, "archive", "verify", str(tmp_path / "archive")).exit_code == 0


def test_help_is_readable() -> None:
    result = CliRunner().invoke(cli, ["archive", "export", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--year" in result.output
