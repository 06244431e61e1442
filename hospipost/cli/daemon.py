"""`hospipost daemon`: the long-running publisher (a systemd service, for example)."""

from __future__ import annotations

import click

from hospipost.cli.context import AppContext, pass_app


@click.command()
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable lines, or one JSON object per line for a log collector.",
)
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True
)
@pass_app
def daemon(app: AppContext, log_format: str, log_level: str) -> None:
    """Publish each post at its time, picking up edits without a restart.

    Runs until SIGTERM or Ctrl-C: in-flight deliveries finish, nothing new is claimed.
    Several daemons may share one PostgreSQL ledger (state: postgresql://…): each
    delivery is still sent exactly once. See contrib/hospipost.service for systemd.

    \b
    Example:
      hospipost --config /srv/chu/config.yaml daemon --log-format json
    """
    from hospipost.daemon import Daemon, configure_logging
    from hospipost.errors import HospipostError
    from hospipost.ledger import LedgerError

    config = app.config  # a clear error now if the config is missing or broken
    configure_logging(log_format, log_level, config.timezone)
    try:
        Daemon(config.path).run()
    except LedgerError as error:
        raise HospipostError(str(error)) from None
