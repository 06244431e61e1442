"""The work behind `hospipost publish`, imported only when the command runs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from hospipost.errors import HospipostError

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Ledger
    from hospipost.posts import Post
    from hospipost.publisher import Outcome, RunResult

SYMBOLS = {"sent": "✔", "retry": "↻", "failed": "✖", "unknown": "?", "missed": "✖", "blocked": "⏸"}


def run_publish(config: "Config", now: datetime, dry_run: bool, post_id: str | None, network: str | None,
                output_format: str, quiet: bool, until: datetime | None = None) -> int:
    """Publish (or preview) what is due; return the exit status.

    ``until`` (dry runs only) previews every post due up to then, each judged at its own time.
    """
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
        result = run(config, posts, open_ledger, clock, dry_run=dry_run, network=network, until=until)
    if dry_run:
        _print_preview(result, config, output_format, quiet)
    else:
        _print_outcomes(result, config, output_format, quiet)
    if result.ledger_error:
        click.echo(f"Error: {result.ledger_error}", err=True)
    if load_errors or result.ledger_error:
        return 2
    return 0 if result.ok or dry_run else 1


def _only_post(posts: list["Post"], post_id: str, load_errors: list) -> list["Post"]:
    chosen = [post for post in posts if post.id == post_id]
    if not chosen:
        hint = " (some queue files could not be read)" if load_errors else ""
        raise HospipostError(f"No post with id {post_id!r}{hint}.")
    return chosen


@contextmanager
def _ledger(config: "Config", read_only: bool) -> Iterator[Callable[[], "Ledger | None"]]:
    """Opens the ledger for a run when first asked, and closes it after: to publish, opened
    (created on first use); for a dry run, read only, and None when there is none yet."""
    opened: list[Ledger | None] = []

    def open_ledger() -> "Ledger | None":
        from hospipost.ledger import Ledger, LedgerError

        if not opened:
            try:
                opened.append(Ledger.open_existing(config.state_url) if read_only else Ledger.open(config.state_url))
            except LedgerError as error:
                raise HospipostError(str(error)) from None
        return opened[0]

    try:
        yield open_ledger
    finally:
        if opened and opened[0] is not None:
            opened[0].close()


def _print_preview(result: "RunResult", config: "Config", output_format: str, quiet: bool) -> None:
    if output_format == "json":
        click.echo(json.dumps(result.previews, ensure_ascii=False, indent=2, default=str))
        return
    if result.idle:
        if not quiet:
            click.echo("Nothing is due.")
        return
    from hospipost.cli.output import console

    out = console()
    for preview in result.previews:
        out.print(_preview_text(preview, config))
    for outcome in result.outcomes:
        if outcome.state == "blocked":
            out.print(f"⏸ {outcome.post_id}: not sent, {outcome.message}", style="yellow")
        else:
            out.print(f"✖ {outcome.post_id} → {outcome.network}: missed, {outcome.message}", style="red")
    count = len(result.previews)
    out.print(f"Dry run: {count} {'delivery' if count == 1 else 'deliveries'} would be sent; "
              "nothing was sent or written.", style="bold")


def _preview_text(preview: dict[str, Any], config: "Config"):
    from rich.console import Group
    from rich.text import Text

    from hospipost.networks import network_class

    label = network_class(preview["network"]).label
    at = datetime.fromisoformat(preview["at"]).astimezone(config.timezone)
    blocks = [Text(f"{preview['post']} → {label}, {at:%Y-%m-%d %H:%M}", style="bold")]
    for index, part in enumerate(preview["parts"]):
        over = part["length"] > part["limit"]
        head = f"  part {index + 1}: " if len(preview["parts"]) > 1 else "  "
        blocks.append(Text(f"{head}{part['length']} / {part['limit']} {part['unit']}", style="red" if over else "dim"))
        blocks.append(Text("    " + part["text"].replace("\n", "\n    ")))
    for item in preview["media"]:
        size = f"{item['bytes']:,} bytes" if item["bytes"] is not None else "missing"
        blocks.append(Text(f"  image {item['file']} ({size}), alt: {item['alt']}", style="cyan"))
    for request in preview["requests"]:
        blocks.append(Text(f"  {request['method']} {request['url']}", style="magenta"))
        body = {k: v for k, v in request.items() if k not in ("method", "url")}
        if body:
            blocks.append(Text("    " + json.dumps(body, ensure_ascii=False, default=str), style="dim"))
    blocks.append(Text(""))
    return Group(*blocks)


def _print_outcomes(result: "RunResult", config: "Config", output_format: str, quiet: bool) -> None:
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
        if quiet and outcome.state == "sent" and not outcome.ledger_error:
            continue
        out.print(_outcome_line(outcome, config))


def _outcome_dict(outcome: "Outcome") -> dict[str, Any]:
    return {
        "post": outcome.post_id, "network": outcome.network, "state": outcome.state, "url": outcome.url,
        "error": outcome.message if outcome.state != "sent" or outcome.ledger_error else None,
        "retry_at": outcome.retry_at.isoformat() if outcome.retry_at else None,
        "ledger_error": outcome.ledger_error,
    }


def _outcome_line(outcome: "Outcome", config: "Config") -> str:
    symbol = SYMBOLS.get(outcome.state, "·")
    where = f"{outcome.post_id} → {outcome.network}" if outcome.network != "-" else outcome.post_id
    if outcome.state == "sent":
        return f"{symbol} sent     {where}  {outcome.message if outcome.ledger_error else outcome.url or ''}"
    if outcome.state == "retry" and outcome.retry_at:
        when = outcome.retry_at.astimezone(config.timezone).strftime("%H:%M")
        return f"{symbol} retry    {where}: {outcome.message} (next try at {when})"
    return f"{symbol} {outcome.state:<8} {where}: {outcome.message}"
