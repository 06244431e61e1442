"""`hospipost publish`: send what is due, once; `--dry-run` shows it and touches nothing."""

from __future__ import annotations

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.networks import NETWORK_NAMES


@click.command()
@click.option("--dry-run", is_flag=True, help="Show exactly what each network would receive; send and write nothing.")
@click.option("--post", "post_id", metavar="ID", help="Only this post.")
@click.option("--network", type=click.Choice(NETWORK_NAMES), help="Only this network.")
@click.option("--now", "now_option", metavar="TIME",
              help="With --dry-run: show what would be due at TIME (local, or +6h, +3d), for rehearsals.")
@click.option("--until", "until_option", metavar="TIME",
              help="With --dry-run: preview every delivery due up to TIME (e.g. +7d), not only what is due now.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only what needs attention (for cron).")
@pass_app
def publish(app: AppContext, dry_run: bool, post_id: str | None, network: str | None, now_option: str | None,
            until_option: str | None, output_format: str, quiet: bool) -> None:
    """Publish every post that is due and not yet published, exactly once per network.

    Safe to run every minute from cron, several at once, and after a crash: each
    delivery is claimed in the ledger before it is sent. Posts with check errors are
    never sent. Exit status: 0 when all went well, 1 when a delivery failed, is of
    unknown outcome, was missed or is blocked, 2 on bad input.

    \b
    Examples:
      hospipost publish --dry-run
      hospipost publish --dry-run --until +7d
      hospipost publish --post canicule-2027-07-19 --network x
      hospipost publish --dry-run --now "2027-07-19 09:00"
      * * * * *  cd /srv/chu && hospipost publish --quiet     (crontab)
    """
    from hospipost.cli.publishing import run_publish
    from hospipost.errors import HospipostError

    config = app.config
    if until_option and not dry_run:
        raise HospipostError("--until previews: use it with --dry-run.")
    if now_option and not dry_run:
        raise HospipostError("--now is for rehearsals and never sends: use it with --dry-run.")
    now = parse_now(now_option, config)
    until = parse_now(until_option, config, "--until", base=now) if until_option else None
    raise SystemExit(run_publish(config, now, dry_run, post_id, network, output_format, quiet, until))
