"""`hospipost check` and `hospipost rules`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hospipost.cli.context import AppContext, parse_now, pass_app

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Delivery
    from hospipost.posts import Post

FORMATS = ("text", "json", "sarif", "github")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json, sarif (2.1.0) or github annotations for tools and CI.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--now", "now_option", metavar="TIME", help="Check as if it were TIME (local), e.g. for a rehearsal.")
@pass_app
def check(app: AppContext, paths: tuple[Path, ...], output_format: str, strict: bool, now_option: str | None) -> None:
    """Run the compliance checklist over the queues (or the given files and folders).

    Exit status: 0 when there is no error, 1 when errors were found (warnings too with
    --strict), 2 when a file cannot be read or the command is misused.

    \b
    Examples:
      hospipost check
      hospipost check posts/health-alerts.yaml --strict
      hospipost check --format sarif > hospipost.sarif
    """
    from hospipost.gcpause import gc_paused

    with gc_paused():  # a one-shot run that makes no garbage cycles worth collecting: see gcpause
        from hospipost.compliance import active_rules, run_checks
        from hospipost.posts import QueueLoadError, expand_paths, load_queues

        config = app.config_or_default() if paths else app.config
        now = parse_now(now_option, config)
        try:
            queues = load_queues(config, expand_paths(paths) if paths else None)
        except QueueLoadError as error:
            for problem in error.errors:
                click.echo(f"Error: {problem.format_message()}", err=True)
            raise SystemExit(2) from None
        posts = [post for queue in queues for post in queue.posts]
        from hospipost.consents import load_register

        load_register(config)  # a malformed consents.yaml stops the check in one line (file:line), exit 2
        report = run_checks(posts, config, now, published_in_ledger(config))
        _print_report(report, output_format, active_rules(config))
    raise SystemExit(report.exit_code(strict))


def published_in_ledger(config: Config) -> Callable[[Post], bool]:
    """Whether the ledger records a post as sent; the ledger is read on the first question
    only (most checks never ask), and without a ledger nothing was published."""
    from hospipost.publisher import sent_posts

    def history() -> list[Delivery]:
        from hospipost.publication import ledger_deliveries

        return [item for items in ledger_deliveries(config, absent_ok=True).values() for item in items]

    return sent_posts(history)


def _print_report(report, output_format: str, rules) -> None:
    from hospipost import report as render

    if output_format == "text":
        from hospipost.cli.output import console

        console().print(render.render_text(report))
    elif output_format == "json":
        click.echo(render.render_json(report))
    elif output_format == "sarif":
        click.echo(render.render_sarif(report, rules))
    else:
        click.echo(render.render_github(report))


@click.command()
@click.option(
    "--explain", "explain_id", metavar="RULE", help="Print what RULE checks, why (its source) and how to fix it."
)
@pass_app
def rules(app: AppContext, explain_id: str | None) -> None:
    """List the rules of the compliance checklist, their severity and whether they are on.

    Severities and `off` come from compliance.rules in config.yaml.

    \b
    Examples:
      hospipost rules
      hospipost rules --explain pii-nir
    """
    from hospipost.cli.output import console
    from hospipost.compliance import active_rules
    from hospipost.rules import all_rules

    known = all_rules()
    active = {rule_obj.id: rule_obj for rule_obj in active_rules(app.config_or_default())}
    if explain_id:
        console().print(_explanation(_known_rule(explain_id, known), active.get(explain_id)))
        return
    console().print(_rules_table(known, active))


def _known_rule(rule_id: str, known):
    from difflib import get_close_matches

    from hospipost.errors import HospipostError

    if rule_id not in known:
        close = get_close_matches(rule_id, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; `hospipost rules` lists them"
        raise HospipostError(f"unknown rule {rule_id!r}{hint}")
    return known[rule_id]


def _explanation(rule_obj, active_rule):
    from rich.console import Group
    from rich.text import Text

    state = active_rule.severity.value if active_rule else "off"
    title = Text(rule_obj.id, style="bold").append(f"  ({state}", style="dim")
    title.append(
        ", default " + rule_obj.severity.value if active_rule and active_rule.severity != rule_obj.severity else "",
        style="dim",
    )
    title.append(")" if rule_obj.ignorable else ", cannot be ignored)", style="dim")
    parts = [title, Text(""), Text(rule_obj.doc)]
    if rule_obj.options:
        parts += [Text(""), Text(f"Options, in config.yaml under compliance.rules.{rule_obj.id}:")]
        parts += [Text(f"  {option.name}: {option.help} (default {option.default!r})") for option in rule_obj.options]
    return Group(*parts)


def _rules_table(known, active):
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("rule", "severity", "on", "checks"):
        table.add_column(column, no_wrap=column != "checks")
    for rule_id, rule_obj in known.items():
        current = active.get(rule_id)
        severity = (current or rule_obj).severity.value
        if current and current.severity != rule_obj.severity:
            severity += f" (default {rule_obj.severity.value})"
        flag = ("yes" if current else "off") + ("" if rule_obj.ignorable else ", not ignorable")
        table.add_row(rule_id, severity, flag, rule_obj.summary)
    return table
