"""The `hospipost` command line: a thin layer over the library.

Command modules import only Click at module level; everything heavier (YAML, rich,
the rules, network SDKs) is imported inside the commands that use it, so that
`hospipost --help` starts as fast as Click allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hospipost import __version__

if TYPE_CHECKING:
    from datetime import datetime

    from hospipost.config import Config


class AppContext:
    """What every command receives: where the config is, loaded on first use."""

    def __init__(self, config_option: str | None) -> None:
        self.config_option = config_option
        self._config: "Config | None" = None

    @property
    def config(self) -> "Config":
        """The config, required: a clear error when there is none."""
        if self._config is None:
            from hospipost.config import config_path, require_config

            self._config = require_config(*config_path(self.config_option))
        return self._config

    def config_or_default(self) -> "Config":
        """The config, or the embedded defaults when no config.yaml was named or found."""
        if self._config is None:
            from pathlib import Path

            from hospipost.config import config_path, default_config, require_config

            path, named = config_path(self.config_option)
            self._config = require_config(path, named) if named or path.exists() else default_config(Path.cwd())
        return self._config


pass_app = click.make_pass_decorator(AppContext)


def parse_now(value: str | None, config: "Config", option: str = "--now") -> "datetime":
    """A time option: local "YYYY-MM-DD HH:MM", ISO 8601, or relative ("+3d", "+6h", "+90m");
    the real clock when not given."""
    from hospipost.errors import HospipostError
    from hospipost.timeutil import TimeValueError, parse_datetime, parse_relative, utcnow

    if not value:
        return utcnow()
    try:
        if value.startswith("+"):
            return utcnow() + parse_relative(value)
        return parse_datetime(value, config.timezone)[0]
    except TimeValueError as error:
        raise HospipostError(f"{option}: {error}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_option",
    metavar="PATH",
    help="config.yaml to use (default: ./config.yaml, or $HOSPIPOST_CONFIG).",
)
@click.version_option(__version__, prog_name="hospipost")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None) -> None:
    """Plan, check and publish a hospital's social-media posts.

    Posts live as YAML files in posts/ (one queue per file). `check` runs the
    compliance checklist made for health institutions; `publish` sends what is
    due, exactly once per network.

    \b
    Example:
      hospipost init chu && cd chu
      hospipost check
      hospipost queue add news --text "…" --at "2027-03-02 09:00"
    """
    ctx.obj = AppContext(config_option)


def _register() -> None:
    from hospipost.cli.check import check, rules
    from hospipost.cli.daemon import daemon
    from hospipost.cli.init import init
    from hospipost.cli.ledger import ledger
    from hospipost.cli.networks import networks
    from hospipost.cli.publish import publish
    from hospipost.cli.queue import queue
    from hospipost.cli.status import history, reconcile, status

    for command in (init, queue, check, rules, publish, daemon, status, history, reconcile, networks, ledger):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="hospipost")
