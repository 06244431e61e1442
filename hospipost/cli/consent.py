"""`hospipost consent list` and `hospipost consent withdraw`: the consent register (consents.yaml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hospipost.cli.context import AppContext, pass_app

if TYPE_CHECKING:
    from datetime import date

    from hospipost.config import Config
    from hospipost.consents import Consent
    from hospipost.ledger import Delivery
    from hospipost.posts import Post


@click.group()
def consent() -> None:
    """The consent register, consents.yaml beside config.yaml.

    Each record is a signed consent: its id (a reference such as C-2026-014, what posts
    write in `consent:`), who consented (it stays in the file: never shown unless asked),
    what it covers (images, testimony, name), its networks (or all), valid_until,
    withdrawn_on and a note.
    """


@consent.command("list")
@click.option("--show-names", is_flag=True, help="Show who consented and the notes (personal data).")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
@pass_app
def list_consents(app: AppContext, show_names: bool, output_format: str) -> None:
    """List the register: each consent, what it covers, its networks and state.

    Who consented is left out unless --show-names is given, so that the list can be
    shown or pasted without spreading personal data.

    \b
    Examples:
      hospipost consent list
      hospipost consent list --show-names
    """
    from hospipost.consents import load_register
    from hospipost.timeutil import utcnow

    config = app.config
    register = load_register(config)
    today = utcnow().astimezone(config.timezone).date()
    records = sorted(register.consents.values(), key=lambda record: record.id)
    if output_format == "json":
        import json

        listed = [{**record.public(show_names), "state": _state(record, today)} for record in records]
        click.echo(json.dumps({"file": str(register.path), "exists": register.exists, "consents": listed}, indent=2))
        return
    from hospipost.cli.output import console

    out = console()
    if not register.exists:
        out.print(f"No consent register: {register.path} does not exist.", markup=False)
        return
    if not records:
        out.print(f"{register.path}: no consent recorded.", markup=False)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("id", *(("who",) if show_names else ()), "covers", "networks", "valid until", "state"):
        table.add_column(column, overflow="fold")
    if show_names:
        table.add_column("note", overflow="fold")
    for record in records:
        shown = record.public(show_names)
        networks = shown["networks"] if isinstance(shown["networks"], str) else ", ".join(shown["networks"])
        row = [record.id, *((record.who,) if show_names else ()), ", ".join(shown["covers"]), networks]
        row += [shown["valid_until"], _state(record, today)]
        if show_names:
            row.append(record.note or "")
        table.add_row(*row)
    out.print(table)


def _state(record: Consent, today: date) -> str:
    if record.withdrawn_on is not None and record.withdrawn_on <= today:
        return f"withdrawn {record.withdrawn_on.isoformat()}"
    if record.valid_until < today:
        return "expired"
    if record.withdrawn_on is not None:
        return f"valid, withdrawn from {record.withdrawn_on.isoformat()}"
    return "valid"


@consent.command()
@click.argument("reference", metavar="REF")
@click.option("--on", "on_option", metavar="DATE", help="The day it was withdrawn (YYYY-MM-DD; default: today).")
@pass_app
def withdraw(app: AppContext, reference: str, on_option: str | None) -> None:
    """Record that consent REF was withdrawn, and list every post that uses it.

    consents.yaml gains `withdrawn_on:` in that record only (the rest of the file,
    comments included, is untouched). From then on `check` and `publish` block every post
    that uses it. Posts already published are listed with their addresses, followed by
    the command that retracts each one.

    \b
    Examples:
      hospipost consent withdraw C-2026-014
      hospipost consent withdraw C-2026-014 --on 2027-03-02
    """
    from hospipost.consents import withdraw as record_withdrawal
    from hospipost.posts import load_readable_queues
    from hospipost.publication import ledger_deliveries

    config = app.config
    on = _parse_day(on_option, config)
    done = record_withdrawal(config, reference, on)
    where = f"{done.path}:{done.line}"
    if done.recorded:
        click.echo(f"Consent {reference} withdrawn on {on.isoformat()} (recorded in {where}).")
    else:
        withdrawn = done.consent.withdrawn_on.isoformat() if done.consent.withdrawn_on else "?"
        click.echo(f"Consent {reference} was already withdrawn on {withdrawn} ({where}): the file is unchanged.")
    queues, errors = load_readable_queues(config)
    users = [post for queue in queues for post in queue.posts if _uses(post, reference)]
    deliveries = ledger_deliveries(config, absent_ok=True) if users else {}
    if not users:
        click.echo("No post uses it.")
    else:
        click.echo(f"{len(users)} post{'s' if len(users) > 1 else ''} use{'' if len(users) > 1 else 's'} it:")
    published = []
    for post in users:
        sent = [item for item in deliveries.get(post.id, []) if item.state == "sent"]
        click.echo(f"  {post.queue}/{post.id}  networks: {', '.join(post.networks)}  {_standing(sent, on)}")
        for item in sent:
            click.echo(f"      {item.network}: {item.remote_url or '(no address recorded)'}")
        doubtful = sorted(
            {item.network for item in deliveries.get(post.id, []) if item.state in ("unknown", "sending")}
        )
        if doubtful:
            click.echo(f"      outcome not known on {', '.join(doubtful)}: `hospipost status`, then `reconcile`")
        if sent or doubtful:
            published.append(post)
    if published:
        click.echo("Retract each published post:")
        for post in published:
            click.echo(f'  hospipost retract {post.id} --reason "consent {reference} withdrawn"')
    for error in errors:
        click.echo(f"Error: {error.format_message()} (its posts are not listed)", err=True)
    if errors:
        raise SystemExit(2)


def _uses(post: Post, reference: str) -> bool:
    return post.consent == reference or any(item.consent == reference for item in post.media)


def _standing(sent: list[Delivery], on: date) -> str:
    if sent:
        return "published on " + ", ".join(sorted({item.network for item in sent}))
    return f"not published (`check` and `publish` block it from {on.isoformat()})"


def _parse_day(value: str | None, config: Config) -> date:
    from datetime import date

    from hospipost.errors import HospipostError
    from hospipost.timeutil import utcnow

    if not value:
        return utcnow().astimezone(config.timezone).date()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HospipostError(f"--on {value!r}: expected a date such as 2027-03-02 (YYYY-MM-DD)") from None
