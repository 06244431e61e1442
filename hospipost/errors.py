"""The errors a user can cause: each is printed as one line, never as a traceback."""

from __future__ import annotations

from pathlib import Path

import click


class HospipostError(click.ClickException):
    """A user-facing error: unreadable input, bad usage or a broken configuration (exit 2)."""

    exit_code = 2


class InputError(HospipostError):
    """An error located in a file, shown as ``file:line: message``."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
