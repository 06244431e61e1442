"""Credentials: only from environment variables (or a 0600 file), never from config.yaml.

config.yaml names the variables (``token_env: HOSPIPOST_FACEBOOK_TOKEN``). A team that
prefers a file sets ``HOSPIPOST_CREDENTIALS_FILE`` to a ``NAME=value`` file readable by
its owner only (mode 0600); the environment wins over the file. Values are never
printed: every message names the variable, not its value.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospipost.config import Config

FILE_ENV = "HOSPIPOST_CREDENTIALS_FILE"


class CredentialsError(Exception):
    """A credential is missing or its file is unsafe; the message says what to set."""


class Credentials:
    """Looks credentials up by variable name; remembers every value it handed out."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self._file: dict[str, str] | None = None
        self.handed_out: set[str] = set()

    def configured(self, config: Config) -> set[str]:
        """The values of every variable config names as a credential (used or not), and of every
        network's default credential variables (a network may echo another's token): all to redact."""
        from hospipost.networks import NETWORK_NAMES, network_class

        names = {
            value
            for settings in config.networks.values()
            for key, value in settings.options.items()
            if key.endswith("_env") and value
        }
        names |= {
            spec.default
            for name in NETWORK_NAMES
            for key, spec in network_class(name).config_keys.items()
            if key.endswith("_env") and isinstance(spec.default, str)
        }
        store = config.public_media.store if config.public_media else None
        if store is not None:
            names |= {store.access_key_env, store.secret_key_env}
        values = {self.environ.get(name) or self._from_file().get(name) for name in names}
        return {value for value in values if value} | self.handed_out

    def verify(self) -> None:
        """Read the credentials file now, if one is set: CredentialsError (one line) when it is unsafe.

        A publish run calls this before claiming any delivery, so that an unsafe file stops
        the run up front instead of failing inside a delivery.
        """
        self._from_file()

    def get(self, name: str, purpose: str) -> str:
        value = self.environ.get(name) or self._from_file().get(name)
        if not value:
            raise CredentialsError(f"{purpose} are missing: set the environment variable {name}.")
        self.handed_out.add(value)
        return value

    def _from_file(self) -> dict[str, str]:
        if self._file is None:
            path = self.environ.get(FILE_ENV)
            self._file = read_credentials_file(Path(path)) if path else {}
        return self._file


def read_credentials_file(path: Path) -> dict[str, str]:
    try:
        mode = path.stat().st_mode
    except OSError:
        raise CredentialsError(
            f"The credentials file {path} (named by {FILE_ENV}) cannot be read: check the path."
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"The credentials file {path} can be read by other users: run `chmod 600 {path}`, then try again."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CredentialsError(f"The credentials file {path} (named by {FILE_ENV}) cannot be read: check it.") from None
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def redact(text: str, secrets: set[str] | list[str]) -> str:
    """The text with every secret value (and its URL-encoded form) replaced by ***."""
    from urllib.parse import quote, quote_plus

    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) < 4:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return text
