"""What every command shares: the app context (the config, loaded on first use) and the
parsing of time options. Commands import this module, never the `hospipost.cli` package
that registers them, so that there is no import cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from datetime import datetime

    from hospipost.config import Config


class AppContext:
    """What every command receives: where the config is, loaded on first use."""

    def __init__(self, config_option: str | None) -> None:
        self.config_option = config_option
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The config, required: a clear error when there is none."""
        if self._config is None:
            from hospipost.config import config_path, require_config

            self._config = require_config(*config_path(self.config_option))
        return self._config

    def config_or_default(self) -> Config:
        """The config, or the embedded defaults when no config.yaml was named or found."""
        if self._config is None:
            from pathlib import Path

            from hospipost.config import config_path, default_config, require_config

            path, named = config_path(self.config_option)
            self._config = require_config(path, named) if named or path.exists() else default_config(Path.cwd())
        return self._config


pass_app = click.make_pass_decorator(AppContext)


def parse_now(value: str | None, config: Config, option: str = "--now", base: datetime | None = None) -> datetime:
    """A time option: local "YYYY-MM-DD HH:MM", ISO 8601, or relative ("+3d", "+6h", "+90m")
    to ``base`` (the real clock by default); the real clock when not given."""
    from hospipost.errors import HospipostError
    from hospipost.timeutil import TimeValueError, parse_datetime, parse_relative, utcnow

    if not value:
        return utcnow()
    try:
        if value.startswith("+"):
            return (base or utcnow()) + parse_relative(value)
        return parse_datetime(value, config.timezone)[0]
    except TimeValueError as error:
        raise HospipostError(f"{option}: {error}") from None
