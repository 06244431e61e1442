"""`hospipost status`, `history` and `reconcile`: what happened, and a human's verdict."""

from __future__ import annotations

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.networks import NETWORK_NAMES

FORMAT = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.command()
@FORMAT
@click.option("--now", "now_option", metavar="TIME", hidden=True)
@pass_app
def status(app: AppContext, output_format: str, now_option: str | None) -> None:
    """What needs a human, what is retrying, and what is due next.

    Deliveries whose outcome is unknown (the process stopped or the network timed out
    after the request left) are never re-sent blindly: resolve them with `reconcile`.

    \b
    Example:
      hospipost status
      hospipost status --format json
    """
    from hospipost.cli.views import show_status

    config = app.config
    raise SystemExit(show_status(config, parse_now(now_option, config), output_format))


@click.command()
@click.option("--post", "post_id", metavar="ID", help="Only this post.")
@FORMAT
@pass_app
def history(app: AppContext, post_id: str | None, output_format: str) -> None:
    """Every delivery: when, where, with the network's URL, and how it ended.

    \b
    Example:
      hospipost history --post canicule-2027-07-19
    """
    from hospipost.cli.views import show_history

    show_history(app.config, post_id, output_format)


@click.command()
@click.argument("post_id", metavar="ID")
@click.option("--network", required=True, type=click.Choice(NETWORK_NAMES), help="The network of the delivery.")
@click.option("--sent", "sent_url", metavar="URL", help="It was published: record its URL.")
@click.option("--not-sent", is_flag=True, help="It was not published: send it again at the next run.")
@click.option("--occurrence", default="once", show_default=True, help="For a recurring post: which occurrence.")
@pass_app
def reconcile(
    app: AppContext, post_id: str, network: str, sent_url: str | None, not_sent: bool, occurrence: str
) -> None:
    """Resolve a delivery whose outcome is unknown (or that failed): sent, or not sent.

    Look at the account first. If the post is there, record it with --sent URL; if it
    is not, --not-sent lets the next `publish` send it.

    \b
    Examples:
      hospipost reconcile canicule-2027-07-19 --network x --sent https://x.com/chu/status/1
      hospipost reconcile canicule-2027-07-19 --network facebook --not-sent
    """
    from hospipost.cli.views import do_reconcile
    from hospipost.errors import HospipostError

    if bool(sent_url) == not_sent:
        raise HospipostError("say either --sent URL or --not-sent")
    do_reconcile(app.config, post_id, network, occurrence, sent_url)
