"""The work behind `hospipost publish`, imported only when the command runs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from hospipost.errors import HospipostError

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.publisher import Outcome, Plan

SYMBOLS = {"sent": "✔", "retry": "↻", "failed": "✖", "unknown": "?", "missed": "✖", "blocked": "⏸"}


def run_publish(config: "Config", now: datetime, dry_run: bool, post_id: str | None, network: str | None,
                output_format: str, quiet: bool, until: datetime | None = None) -> int:
    """Publish (or preview) what is due; return the exit status.

    ``until`` (dry runs only) previews every post due up to then, each judged at its own time.
    """
    from hospipost.posts import load_readable_queues
    from hospipost.publisher import candidates, upcoming

    queues, load_errors = load_readable_queues(config)
    for error in load_errors:
        click.echo(f"Error: {error.format_message()} (this queue is skipped)", err=True)
    posts = [post for queue in queues for post in queue.posts]
    if post_id is not None:
        posts = _only_post(posts, post_id, load_errors)
    due = candidates(posts, config, now)
    coming = upcoming(posts, config, now, until) if until else []
    if not due and not coming:
        if not quiet and output_format == "text":
            click.echo("Nothing is due.")
        elif output_format == "json":
            click.echo("[]")
        return 1 if load_errors else 0
    work = _plan(due, config, now, network)
    if coming:
        work.extend(_plan(coming, config, now, network, check_lateness=False))
    if dry_run:
        return _dry_run(work, config, output_format)
    outcomes = _publish(work, config, now)
    _print_outcomes(outcomes, config, output_format, quiet)
    return 0 if all(o.ok for o in outcomes) and not load_errors else 1


def _only_post(posts: list, post_id: str, load_errors: list) -> list:
    chosen = [post for post in posts if post.id == post_id]
    if not chosen:
        hint = " (some queue files could not be read)" if load_errors else ""
        raise HospipostError(f"no post with id {post_id!r}{hint}")
    return chosen


def _plan(due: list, config: "Config", now: datetime, network: str | None, check_lateness: bool = True) -> "Plan":
    from hospipost.publisher import plan

    if network is not None and network not in config.networks:
        raise HospipostError(f"network {network} is not configured in {config.path}")
    return plan(due, config, now, network, check_lateness)


def _open_ledger(config: "Config"):
    from hospipost.ledger import Ledger, LedgerError

    try:
        return Ledger.open_for_publishing(config)
    except LedgerError as error:
        raise HospipostError(str(error)) from None


def _publish(work: "Plan", config: "Config", now: datetime) -> list["Outcome"]:
    from hospipost.credentials import Credentials
    from hospipost.publisher import Publisher, adapter_factory
    from hospipost.timeutil import utcnow

    credentials = Credentials()
    offset = now - utcnow()  # --now shifts the clock; ledger times keep flowing from it
    ledger = _open_ledger(config)
    try:
        publisher = Publisher(ledger, adapter_factory(config, credentials), lambda: utcnow() + offset,
                              secrets=lambda: credentials.configured(config))
        return publisher.run(work)
    finally:
        ledger.close()


def _dry_run(work: "Plan", config: "Config", output_format: str) -> int:
    from hospipost.credentials import Credentials
    from hospipost.publication import already_handled
    from hospipost.publisher import adapter_factory, describe_payloads

    already = already_handled(config, work.due)
    make = adapter_factory(config, Credentials(environ={}))  # a dry run never reads a credential
    previews = [describe_payloads(due, make(due.network)) for due in work.due if due.id not in already]
    if output_format == "json":
        click.echo(json.dumps(previews, ensure_ascii=False, indent=2, default=str))
        return 0
    from hospipost.cli.output import console

    out = console()
    for preview in previews:
        out.print(_preview_text(preview, config))
    for post, reason in work.blocked:
        out.print(f"⏸ {post.id}: not sent, {reason}", style="yellow")
    for due, reason in work.missed:
        if due.id not in already:
            out.print(f"✖ {due.post.id} → {due.network}: missed, {reason}", style="red")
    out.print(f"Dry run: {len(previews)} deliveries would be sent; nothing was sent or written.", style="bold")
    return 0


def _preview_text(preview: dict[str, Any], config: "Config"):
    from rich.console import Group
    from rich.text import Text

    from hospipost.networks import network_class

    label = network_class(preview["network"]).label
    blocks = [Text(f"{preview['post']} → {label}", style="bold")]
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


def _print_outcomes(outcomes: list["Outcome"], config: "Config", output_format: str, quiet: bool) -> None:
    if output_format == "json":
        click.echo(json.dumps([_outcome_dict(o) for o in outcomes], ensure_ascii=False, indent=2))
        return
    from hospipost.cli.output import console

    out = console()
    for outcome in outcomes:
        if quiet and outcome.state == "sent":
            continue
        out.print(_outcome_line(outcome, config))


def _outcome_dict(outcome: "Outcome") -> dict[str, Any]:
    return {
        "post": outcome.post_id, "network": outcome.network, "state": outcome.state, "url": outcome.url,
        "error": outcome.message, "retry_at": outcome.retry_at.isoformat() if outcome.retry_at else None,
    }


def _outcome_line(outcome: "Outcome", config: "Config") -> str:
    symbol = SYMBOLS.get(outcome.state, "·")
    where = f"{outcome.post_id} → {outcome.network}" if outcome.network != "-" else outcome.post_id
    if outcome.state == "sent":
        return f"{symbol} sent     {where}  {outcome.url or ''}"
    if outcome.state == "retry" and outcome.retry_at:
        when = outcome.retry_at.astimezone(config.timezone).strftime("%H:%M")
        return f"{symbol} retry    {where}: {outcome.message} (next try at {when})"
    return f"{symbol} {outcome.state:<8} {where}: {outcome.message}"
