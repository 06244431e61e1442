"""Credentials: an unsafe credentials file is caught once, up front, by Credentials.verify()."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.credentials import FILE_ENV, Credentials, CredentialsError


def write(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "credentials.env"
    path.write_text("HOSPIPOST_X_API_KEY=s3cr3t-value\n", encoding="utf-8")
    path.chmod(mode)
    return path


def test_a_file_readable_by_others_is_refused_up_front_in_one_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, 0o644)
    with pytest.raises(CredentialsError) as raised:
        Credentials({FILE_ENV: str(path)}).verify()
    assert (
        str(raised.value)
        == f"The credentials file {path} can be read by other users: run `chmod 600 {path}`, then try again."
    )
    assert "s3cr3t" not in str(raised.value)


def test_a_missing_file_is_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "absent.env"
    with pytest.raises(CredentialsError, match=r"^The credentials file .* cannot be read: check the path\.$"):
        Credentials({FILE_ENV: str(path)}).verify()


def test_an_owner_only_file_or_no_file_passes(tmp_path: Path) -> None:
    Credentials({FILE_ENV: str(write(tmp_path, 0o600))}).verify()
    Credentials({}).verify()
    assert Credentials({FILE_ENV: str(tmp_path / "credentials.env")}).get("HOSPIPOST_X_API_KEY", "X") == "s3cr3t-value"


def test_a_missing_credential_is_one_sentence_naming_the_variable() -> None:
    with pytest.raises(CredentialsError) as raised:
        Credentials({}).get("HOSPIPOST_X_API_KEY", "X credentials (networks.x.api_key_env)")
    assert str(raised.value) == (
        "X credentials (networks.x.api_key_env) are missing: set the environment variable HOSPIPOST_X_API_KEY."
    )
