"""`hospipost publish`: send what is due, once; `--dry-run` shows it and touches nothing.

The command loads the queues, opens the ledger when something is due, hands both to the
publish run shared with the daemon (`hospipost.publisher.run`), and prints its result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.errors import HospipostError
from hospipost.networks import NETWORK_NAMES

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Ledger
    from hospipost.posts import Post
    from hospipost.publisher import Outcome, RunResult


@click.command()
@click.option("--dry-run", is_flag=True, help="Show exactly what each network would receive; send and write nothing.")
@click.option("--post", "post_id", metavar="ID", help="Only this post.")
@click.option("--network", type=click.Choice(NETWORK_NAMES), help="Only this network.")
@click.option(
    "--now",
    "now_option",
    metavar="TIME",
    help="With --dry-run: show what would be due at TIME (local, or +6h, +3d), for rehearsals.",
)
@click.option(
    "--until",
    "until_option",
    metavar="TIME",
    help="With --dry-run: preview every delivery due up to TIME (e.g. +7d), not only what is due now.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only what needs attention (for cron).")
@pass_app
def publish(
    app: AppContext,
    dry_run: bool,
    post_id: str | None,
    network: str | None,
    now_option: str | None,
    until_option: str | None,
    output_format: str,
    quiet: bool,
) -> None:
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
    config = app.config
    if until_option and not dry_run:
        raise HospipostError("--until previews: use it with --dry-run.")
    if now_option and not dry_run:
        raise HospipostError("--now is for rehearsals and never sends: use it with --dry-run.")
    now = parse_now(now_option, config)
    until = parse_now(until_option, config, "--until", base=now) if until_option else None
    raise SystemExit(run_publish(config, now, dry_run, post_id, network, output_format, quiet, until))


SYMBOLS = {
    "sent": "✔",
    "retry": "↻",
    "failed": "✖",
    "unknown": "?",
    "missed": "✖",
    "blocked": "⏸",
    "skipped": "·",
    "paused": "‖",
    "retracted": "✔",
}


def run_publish(
    config: Config,
    now: datetime,
    dry_run: bool,
    post_id: str | None,
    network: str | None,
    output_format: str,
    quiet: bool,
    until: datetime | None = None,
) -> int:
    """Publish (or preview) what is due; return the exit status.

    ``until`` (dry runs only) previews every post due up to then, each judged at its own time.
    """
    from hospipost.credentials import CredentialsError
    from hospipost.posts import load_readable_queues
    from hospipost.publisher import run
    from hospipost.timeutil import utcnow

    queues, load_errors = load_readable_queues(config)
    for error in load_errors:
        click.echo(f"Error: {error.format_message()} (this queue is skipped)", err=True)
    posts = [post for queue in queues for post in queue.posts]
    if post_id is not None:
        posts = _only_post(posts, post_id, load_errors)
    if network is not None and network not in config.networks:
        raise HospipostError(f"Network {network} is not configured in {config.path}.")
    clock = (lambda: now) if dry_run else utcnow
    with _ledger(config, dry_run) as open_ledger:
        try:
            result = run(config, posts, open_ledger, clock, dry_run=dry_run, network=network, until=until)
        except CredentialsError as error:
            raise HospipostError(str(error)) from None
    if dry_run:
        _print_preview(result, config, output_format, quiet)
    else:
        _print_outcomes(result, config, output_format, quiet)
    if result.ledger_error:
        click.echo(f"Error: {result.ledger_error}", err=True)
    if load_errors or result.ledger_error:
        return 2
    return 0 if result.ok or dry_run else 1


def _only_post(posts: list[Post], post_id: str, load_errors: list) -> list[Post]:
    chosen = [post for post in posts if post.id == post_id]
    if not chosen:
        hint = " (some queue files could not be read)" if load_errors else ""
        raise HospipostError(f"No post with id {post_id!r}{hint}.")
    return chosen


@contextmanager
def _ledger(config: Config, read_only: bool) -> Iterator[Callable[[], Ledger | None]]:
    """Opens the ledger for a run when first asked, and closes it after: to publish, the
    ledger this folder's marker names (created with it in a new folder); for a dry run, the
    read-only view, None when nothing was published here yet. A LedgerError is one line."""
    opened: list[Ledger | None] = []

    def open_ledger() -> Ledger | None:
        from hospipost.ledger import Ledger, open_for_reading

        if not opened:
            opened.append(open_for_reading(config) if read_only else Ledger.open_for_publishing(config))
        return opened[0]

    try:
        yield open_ledger
    finally:
        if opened and opened[0] is not None:
            opened[0].close()


def _print_preview(result: RunResult, config: Config, output_format: str, quiet: bool) -> None:
    """The dry run for people: plain lines, styled and wrapped only on a terminal (a year's
    preview holds tens of thousands of deliveries: rich would take most of the run)."""
    from hospipost.publisher import Result

    if output_format == "json":
        click.echo(_json_lines([_with_x_cost(preview) for preview in result.previews]))
        return
    if result.idle:
        if not quiet:
            click.echo("Nothing is due.")
        return
    lines = [line for preview in result.previews for line in _preview_lines(preview, config)]
    for outcome in result.outcomes:
        if outcome.state == Result.BLOCKED:
            lines.append((f"⏸ {outcome.post_id}: not sent, {outcome.message}", "yellow"))
        elif outcome.state == Result.PAUSED:
            lines.append((f"‖ {outcome.post_id} → {outcome.network}: {outcome.message}", "yellow"))
        else:
            lines.append((f"✖ {outcome.post_id} → {outcome.network}: missed, {outcome.message}", "red"))
    count = len(result.previews)
    lines.append(
        (
            f"Dry run: {count} {'delivery' if count == 1 else 'deliveries'} would be sent; "
            "nothing was sent or written.",
            "bold",
        )
    )
    x_requests = [
        request for preview in result.previews if preview["network"] == "x" for request in preview["requests"]
    ]
    if x_requests:
        from hospipost.networks.terms import x_cost

        lines.append((x_cost(x_requests).sentence(), "bold"))
    click.echo(_terminal_text(lines))


def _with_x_cost(preview: dict[str, Any]) -> dict[str, Any]:
    """A preview, with what X would bill for it when it goes to X."""
    if preview["network"] != "x":
        return preview
    from hospipost.networks.terms import terms, x_cost

    prices = terms()["x"]
    cost = {"amount": x_cost(preview["requests"]).total, "currency": prices["currency"]}
    return {**preview, "estimated_cost": {**cost, "prices_of": prices["as_of"].isoformat()}}


Line = tuple[str, str | None]  # a line of text and its style (a colour, "bold", "dim" or None)


def _preview_lines(preview: dict[str, Any], config: Config) -> list[Line]:
    """One delivery of the dry run: where and when, each part with its length, the media and
    the requests."""
    from hospipost.networks import network_class

    label = network_class(preview["network"]).label
    at = datetime.fromisoformat(preview["at"]).astimezone(config.timezone)
    lines: list[Line] = [(f"{preview['post']} → {label}, {at:%Y-%m-%d %H:%M}", "bold")]
    for index, part in enumerate(preview["parts"]):
        over = part["length"] > part["limit"]
        head = f"  part {index + 1}: " if len(preview["parts"]) > 1 else "  "
        lines.append((f"{head}{part['length']} / {part['limit']} {part['unit']}", "red" if over else "dim"))
        lines.extend(("    " + line, None) for line in part["text"].split("\n"))
    for item in preview["media"]:
        size = f"{item['bytes']:,} bytes" if item["bytes"] is not None else "missing"
        captions = f", captions: {item['captions']}" if item.get("captions") else ""
        lines.append((f"  {item['kind']} {item['file']} ({size}), alt: {item['alt']}{captions}", "cyan"))
    for request in preview["requests"]:
        lines.append((f"  {request['method']} {request['url']}", "magenta"))
        body = {k: v for k, v in request.items() if k not in ("method", "url")}
        if body:
            lines.append(("    " + json.dumps(body, ensure_ascii=False, default=str), "dim"))
    lines.append(("", None))
    return lines


def _terminal_text(lines: list[Line]) -> str:
    """The lines as one text: on a terminal wrapped to its width (continuations indented
    under their line) and styled unless NO_COLOR is set; elsewhere plain and whole."""
    import os
    import sys

    if not sys.stdout.isatty():
        return "\n".join(text for text, _ in lines)
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    color = "NO_COLOR" not in os.environ
    out = []
    for text, style in lines:
        indent = " " * (len(text) - len(text.lstrip(" ")) + 2)
        for piece in textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]:
            out.append(_styled(piece, style) if color and style else piece)
    return "\n".join(out)


def _styled(text: str, style: str) -> str:
    if style == "bold":
        return click.style(text, bold=True)
    if style == "dim":
        return click.style(text, dim=True)
    return click.style(text, fg=style)


def _print_outcomes(result: RunResult, config: Config, output_format: str, quiet: bool) -> None:
    from hospipost.publisher import Result

    outcomes = result.outcomes
    if output_format == "json":
        click.echo(json.dumps([_outcome_dict(o) for o in outcomes], ensure_ascii=False, indent=2))
        return
    from hospipost.cli.output import console

    if result.idle:
        if not quiet:
            click.echo("Nothing is due.")
        return
    out = console()
    for outcome in outcomes:
        if quiet and outcome.state in (Result.SENT, Result.PAUSED, Result.RETRACTED) and not outcome.ledger_error:
            continue  # cron mails what it prints: a pause is shown by `status`, not every minute
        out.print(_outcome_line(outcome, config))


def _json_lines(items: list[dict[str, Any]]) -> str:
    """A JSON array with one item per line: as readable as indented JSON for long lists,
    and written by json's C encoder (indentation falls back to the pure-Python one)."""
    if not items:
        return "[]"
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, default=str) for item in items) + "\n]"


def _outcome_dict(outcome: Outcome) -> dict[str, Any]:
    from hospipost.publisher import Result

    fine = outcome.state in (Result.SENT, Result.RETRACTED) and not outcome.ledger_error
    return {
        "post": outcome.post_id,
        "network": outcome.network,
        "state": outcome.state,
        "url": outcome.url,
        "error": None if fine else outcome.message,
        "retry_at": outcome.retry_at.isoformat() if outcome.retry_at else None,
        "ledger_error": outcome.ledger_error,
        **({"action": outcome.action} if outcome.action != "publish" else {}),
    }


def _outcome_line(outcome: Outcome, config: Config) -> str:
    from hospipost.publisher import Result

    symbol = SYMBOLS.get(outcome.state, "·")
    where = f"{outcome.post_id} → {outcome.network}" if outcome.network != "-" else outcome.post_id
    if outcome.state == Result.SENT:
        return f"{symbol} sent     {where}  {outcome.message if outcome.ledger_error else outcome.url or ''}"
    if outcome.state == Result.RETRACTED:
        return f"{symbol} retracted {where}  {outcome.ledger_error or outcome.message or ''}"
    if outcome.state == Result.RETRY and outcome.retry_at:
        when = outcome.retry_at.astimezone(config.timezone).strftime("%H:%M")
        return f"{symbol} retry    {where}: {outcome.message} (next try at {when})"
    return f"{symbol} {outcome.state:<8} {where}: {outcome.message}"
