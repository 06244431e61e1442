"""`hospipost ledger reset --start-afresh`: a new ledger, deliberately, after the old one was lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hospipost.cli.context import AppContext, pass_app

if TYPE_CHECKING:
    from datetime import datetime


@click.group()
def ledger() -> None:
    """The ledger that records what was sent where."""


@ledger.command()
@click.option("--start-afresh", is_flag=True, help="Required: start a new ledger; nothing due before now is sent.")
@pass_app
def reset(app: AppContext, start_afresh: bool) -> None:
    """Start a new ledger when the old one is lost and no backup exists.

    The history is gone, so hospipost cannot know what was already sent: deliveries due
    before now are recorded as not sent automatically (check the accounts), and only
    what is due from now on is published. A damaged SQLite file is kept aside.

    \b
    Example:
      hospipost ledger reset --start-afresh
    """
    from hospipost.errors import HospipostError
    from hospipost.ledger import Ledger, redact_url, write_marker
    from hospipost.timeutil import utcnow

    if not start_afresh:
        raise HospipostError(
            "Say --start-afresh to start a new ledger (restore the old one from its backup instead if you can)."
        )
    config = app.config
    now = utcnow()
    _set_aside_sqlite(config.state_url, now)
    new = Ledger.open(config.state_url)
    try:
        identity = new.start_afresh(now)
    finally:
        new.close()
    write_marker(config, identity)
    local = now.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
    click.echo(
        f"A new ledger was started at {redact_url(config.state_url)}: only what is due from {local} on will be sent."
    )


def _set_aside_sqlite(url: str, now: datetime) -> None:
    """Keep the old SQLite file (emptied, damaged or foreign) beside, never delete it."""
    import os

    if not url.startswith("sqlite:///"):
        return
    path = url[len("sqlite:///") :]
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.replace(path + suffix, f"{path}.before-reset-{stamp}{suffix}")
