"""The `hospipost` command line: a thin layer over the library.

Command modules import only Click at module level; everything heavier (YAML, rich,
the rules, network SDKs) is imported inside the commands that use it, so that
`hospipost --help` starts as fast as Click allows.
"""

from __future__ import annotations

import click

from hospipost import __version__
from hospipost.cli.context import AppContext


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
    from hospipost.cli.approve import approve
    from hospipost.cli.archive import archive
    from hospipost.cli.calendar import calendar
    from hospipost.cli.check import check, rules
    from hospipost.cli.consent import consent
    from hospipost.cli.daemon import daemon
    from hospipost.cli.init import init
    from hospipost.cli.ledger import ledger
    from hospipost.cli.media import media
    from hospipost.cli.networks import networks
    from hospipost.cli.pause import pause, resume
    from hospipost.cli.publish import publish
    from hospipost.cli.queue import queue
    from hospipost.cli.report import report
    from hospipost.cli.retract import retract
    from hospipost.cli.stats import stats
    from hospipost.cli.status import history, reconcile, status

    for command in (
        init,
        queue,
        approve,
        check,
        rules,
        publish,
        pause,
        resume,
        daemon,
        status,
        history,
        reconcile,
        retract,
        calendar,
        stats,
        report,
        networks,
        ledger,
        media,
        consent,
        archive,
    ):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="hospipost")
