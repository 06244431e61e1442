"""`hospipost pause` and `resume`: stop every publisher at once, in a crisis, and start again."""

from __future__ import annotations

import click

from hospipost.cli.context import AppContext, parse_now, pass_app


@click.command()
@click.option("--reason", required=True, metavar="TEXT", help="Why (shown by status and kept in history).")
@click.option("--until", "until_option", metavar="TIME", help="End the pause by itself then (local time, or +6h, +2d).")
@click.option("--all", "alerts_too", is_flag=True, help="Hold alerts too (by default they still go out).")
@click.option("--by", metavar="NAME", help="Who decides (default: your user name).")
@pass_app
def pause(app: AppContext, reason: str, until_option: str | None, alerts_too: bool, by: str | None) -> None:
    """Stop publishing at once, for cron and every daemon sharing the ledger.

    A bad buzz or a tragedy must never be followed by a cheerful scheduled post. What
    is due meanwhile waits; after `hospipost resume` it goes out if it is not later
    than late_window by then (else it is reported as missed). Alerts still go out
    unless --all.

    \b
    Examples:
      hospipost pause --reason "Deuil : hommage au Dr Martin"
      hospipost pause --reason "Crise en cours" --until +24h
      hospipost pause --all --reason "Panne du standard : aucune publication"
    """
    import getpass

    from hospipost.errors import HospipostError
    from hospipost.ledger import Ledger, Pause
    from hospipost.timeutil import utcnow

    config = app.config
    now = utcnow()
    until = parse_now(until_option, config, "--until", base=now) if until_option else None
    if until is not None and until <= now:
        raise HospipostError("--until is already past: give a later time, or no --until.")
    if not reason.strip():
        raise HospipostError("--reason must say why publishing stops.")
    ledger = Ledger.open_for_publishing(config)
    try:
        ledger.pause(Pause(now, by or getpass.getuser(), " ".join(reason.split()), until, alerts_too))
    finally:
        ledger.close()
    what = "Nothing is published" if alerts_too else "Nothing but alerts is published"
    end = f" until {until.astimezone(config.timezone):%Y-%m-%d %H:%M}" if until else " until `hospipost resume`"
    click.echo(f"Paused. {what}{end}, by cron or any daemon sharing this ledger.")


@click.command()
@pass_app
def resume(app: AppContext) -> None:
    """End the pause: what is due goes out again (what became too late is reported as missed).

    \b
    Example:
      hospipost resume
    """
    from hospipost.ledger import Ledger
    from hospipost.timeutil import utcnow

    config = app.config
    ledger = Ledger.open_for_publishing(config)
    try:
        ended = ledger.resume(utcnow())
    finally:
        ledger.close()
    if ended is None:
        click.echo("Publishing was not paused.")
        return
    since = ended.since.astimezone(config.timezone)
    click.echo(
        f"Resumed: the pause of {since:%Y-%m-%d %H:%M} ({ended.reason}) is over; the next run publishes what is due."
    )
