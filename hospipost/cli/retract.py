"""`hospipost retract`: delete a published post from every network it went to, once, or record a
deletion a person made on the network by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hospipost.cli.context import AppContext, pass_app
from hospipost.networks import NETWORK_NAMES

if TYPE_CHECKING:
    from hospipost.config import Config


@click.command()
@click.argument("post_id", metavar="ID")
@click.option("--network", type=click.Choice(NETWORK_NAMES), help="Only on this network (default: every one).")
@click.option("--reason", required=True, metavar="TEXT", help="Why (kept in history).")
@click.option("--by-hand", is_flag=True, help="It was deleted on the network by a person: record it (with --network).")
@click.option("--by", metavar="NAME", help="Who decides (default: your user name).")
@pass_app
def retract(app: AppContext, post_id: str, network: str | None, reason: str, by_hand: bool, by: str | None) -> None:
    """Delete a published post (every part of its thread) wherever it was sent, exactly once.

    The retraction is recorded in the ledger and carried out at once, then by every
    `publish` run (cron or daemon) until it is done: a network that fails for a while is
    tried again later, one that refuses says what to do by hand. A retracted post is never
    published again, even while it stays in its queue file. When a person deleted the post
    on the network, --by-hand records it.

    \b
    Examples:
      hospipost retract canicule-2027-07-19 --reason "Chiffres erronés"
      hospipost retract canicule-2027-07-19 --network x --reason "Doublon"
      hospipost retract canicule-2027-07-19 --network linkedin --by-hand --reason "Supprimé sur LinkedIn"
    """
    import getpass

    from hospipost.errors import HospipostError

    reason = " ".join(reason.split())
    if not reason:
        raise HospipostError("--reason must say why the post is retracted.")
    if by_hand and network is None:
        raise HospipostError("--by-hand needs --network: say on which network the post was deleted by hand.")
    raise SystemExit(do_retract(app.config, post_id, network, reason, by_hand, by or getpass.getuser()))


def do_retract(config: Config, post_id: str, network: str | None, reason: str, by_hand: bool, by: str) -> int:
    """Record the retraction, then (unless by hand) carry it out for this post; the exit status."""
    from hospipost.errors import HospipostError
    from hospipost.ledger import EVERY_NETWORK, Ledger, open_for_reading
    from hospipost.timeutil import utcnow

    reader = open_for_reading(config)
    if reader is None:
        raise HospipostError(f"Nothing was published from this folder yet: there is no {post_id} to retract.")
    reader.close()
    ledger = Ledger.open_for_publishing(config)
    try:
        everything = ledger.all(post_id=post_id)
        if not everything:
            raise HospipostError(_never_published(config, post_id))
        items = [item for item in everything if network is None or item.network == network]
        targets = [item for item in items if item.state == "sent" or (by_hand and item.state == "unknown")]
        in_flight = [item.network for item in items if item.state == "sending"]
        where = f" to {network}" if network else ""
        if not targets and in_flight and not by_hand:  # deleted by the run after the one sending it
            ledger.request_retraction(post_id, network, reason, by, utcnow())
            click.echo(
                f"{post_id} → {', '.join(in_flight)} is being published right now: it is deleted by the next"
                " `hospipost publish` once it is recorded (`hospipost status` shows how it goes)."
            )
            return 0
        if not targets:
            unknown = [item.network for item in items if item.state == "unknown"]
            if unknown:
                raise HospipostError(
                    f"{post_id} → {', '.join(unknown)}: whether it went out is unknown; check the account, and if it is"
                    f" online delete it there, then `hospipost retract {post_id} --network {unknown[0]} --by-hand"
                    " --reason …`."
                )
            raise HospipostError(f"{post_id} was never published{where}: there is nothing to retract.")
        still = {None, "failed"} if not by_hand else {None, "failed", "requested", "deleting"}
        to_do = [item for item in targets if item.retraction in still]
        scope = ledger.retracted_posts().get(post_id, set())
        if not to_do and scope & {network or EVERY_NETWORK, EVERY_NETWORK}:
            networks = ", ".join(item.network for item in targets)
            if all(item.retraction == "retracted" for item in targets):
                raise HospipostError(f"{post_id} is already retracted from {networks}.")
            raise HospipostError(
                f"{post_id} is already being retracted from {networks}: `hospipost status` shows how it goes."
            )
        ledger.request_retraction(post_id, network, reason, by, utcnow(), by_hand)
    finally:
        ledger.close()
    if by_hand:
        click.echo(f"✔ {post_id} → {network} recorded as deleted by hand, by {by}: {reason}")
        return 0
    networks = ", ".join(item.network for item in to_do) or "nowhere (already done)"
    click.echo(f"Retracting {post_id} from {networks}: {reason}")
    return _carry_out(config, post_id)


def _never_published(config: Config, post_id: str) -> str:
    from hospipost.posts import readable_posts

    if any(post.id == post_id for post in readable_posts(config)):
        return f"{post_id} was never published: there is nothing to retract (to keep it from going out, remove it or set draft: true)."
    return f"No post {post_id!r} was ever published from this folder: check the id (`hospipost history` lists them)."


def _carry_out(config: Config, post_id: str) -> int:
    """The publish run, for this post's retractions only, and what it did."""
    from hospipost.cli.publish import _ledger, _print_outcomes
    from hospipost.credentials import CredentialsError
    from hospipost.errors import HospipostError
    from hospipost.publisher import run
    from hospipost.timeutil import utcnow

    with _ledger(config, read_only=False) as open_ledger:
        try:
            result = run(config, [], open_ledger, utcnow, retract_post=post_id)
        except CredentialsError as error:
            raise HospipostError(
                f"{error} The retraction is recorded: the next `hospipost publish` carries it out."
            ) from None
    _print_outcomes(result, config, "text", quiet=False)
    if result.ledger_error:
        click.echo(f"Error: {result.ledger_error}", err=True)
        return 2
    if not result.outcomes:
        click.echo("Another publisher is carrying it out now: `hospipost status` shows how it goes.")
    return 0 if result.ok else 1
