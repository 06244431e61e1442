"""What `status`, `history` and `reconcile` show and do, imported only when they run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from hospipost.errors import HospipostError

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Delivery, Ledger, Pause, Retraction

NEEDS_HUMAN = ("unknown", "failed")
RETRACTION_WORDS = {
    "requested": "retracting",
    "deleting": "retracting",
    "retracted": "retracted",
    "failed": "retraction failed",
}
MASTODON_RESEND = (
    "re-sending is safe: Mastodon deduplicates by Idempotency-Key within about an hour of the first attempt"
)
UPCOMING_SHOWN = 10
UPCOMING_WINDOW = timedelta(days=31)


def open_ledger(config: Config) -> Ledger | None:
    """The ledger for reading, or None when nothing was ever published from this config."""
    from hospipost.ledger import open_for_reading

    return open_for_reading(config)


def delivery_dict(item: Delivery, retraction: Retraction | None = None) -> dict[str, Any]:
    found = {"retraction": retraction_dict(retraction)} if retraction is not None else {}
    return found | {
        "post": item.post_id,
        "network": item.network,
        "state": item.state,
        "url": item.remote_url,
        "attempts": item.attempts,
        "error": item.last_error,
        "occurrence": item.occurrence,
        "due_at": item.due_at.isoformat(),
        "sent_at": item.sent_at.isoformat() if item.sent_at else None,
        "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
    }


def retraction_dict(item: Retraction) -> dict[str, Any]:
    """A retraction as history and status show it in JSON."""
    return {
        "state": RETRACTION_WORDS[item.state],
        "reason": item.reason,
        "by": item.requested_by,
        "by_hand": item.by_hand,
        "requested_at": item.requested_at.isoformat(),
        "retracted_at": item.retracted_at.isoformat() if item.retracted_at else None,
        "attempts": item.attempts,
        "error": item.last_error,
        "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        "parts_deleted": len(item.deleted),
    }


def _local(moment: datetime | None, config: Config) -> str:
    return moment.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M") if moment else ""


@dataclass
class LedgerView:
    """What status and history show from the ledger (all empty when nothing was published here)."""

    deliveries: list[Delivery] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    daemons: list[dict[str, Any]] = field(default_factory=list)
    pause: Pause | None = None
    retractions: dict[str, Retraction] = field(default_factory=dict)  # by delivery id
    retracted: dict[str, set[str]] = field(default_factory=dict)  # the networks each post was withdrawn from
    stats_fetch: dict[str, Any] | None = None  # what the last `stats fetch` read, per network


def _ledger_view(config: Config, now: datetime, post_id: str | None = None) -> LedgerView:
    """The deliveries (of one post), the last publish runs, the daemons' heartbeats, the pause."""
    ledger = open_ledger(config)
    if ledger is None:
        return LedgerView()
    try:
        retractions = {item.id: item for item in ledger.retractions(post_id)}
        return LedgerView(
            ledger.all(post_id=post_id),
            ledger.last_runs(),
            ledger.daemon_list(),
            ledger.pause_in_force(now),
            retractions,
            ledger.retracted_posts(),
            ledger.last_stats_fetch(),
        )
    finally:
        ledger.close()


def _upcoming(config: Config, now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """The deliveries due in the coming weeks; those that can never be sent (a network not
    enabled in config.yaml, or no network at all) are "blocked" and need a human."""
    from hospipost.posts import load_readable_queues
    from hospipost.publisher import upcoming

    queues, errors = load_readable_queues(config)
    posts = [p for q in queues for p in q.posts]
    coming = upcoming(posts, config, now, now + UPCOMING_WINDOW)
    enabled = set(config.enabled_networks())
    entries = [
        _due_entry(o.post.id, network, o.at.isoformat(), o.key, enabled)
        for o in coming
        for network in (o.post.networks or (None,))
    ]
    return entries, [error.format_message() for error in errors]


def _due_entry(post_id: str, network: str | None, due_at: str, occurrence: str, enabled: set[str]) -> dict[str, Any]:
    blocked = network not in enabled
    if network is None:
        why = "Blocked: the post has no network (none is enabled in config.yaml)."
    else:
        why = f"Blocked: {network} is not enabled in config.yaml, so this delivery can never be sent."
    return {
        "post": post_id,
        "network": network,
        "state": "blocked" if blocked else "scheduled",
        "url": None,
        "attempts": 0,
        "error": why if blocked else None,
        "occurrence": occurrence,
        "due_at": due_at,
        "sent_at": None,
        "next_attempt_at": None,
    }


def _kept_by_daemons(daemons: list[dict[str, Any]], due: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """What live daemons still publish from the last good version of a queue file that is broken
    now (status cannot read it): scheduled entries marked with the file they come from."""
    from hospipost.ledger import heartbeat_alive
    from hospipost.timeutil import utcnow

    listed = {(entry["post"], entry["network"]) for entry in due}
    alive = [daemon for daemon in daemons if heartbeat_alive(daemon, utcnow())]
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for daemon in alive:
        for kept in daemon["kept"]:
            key = (kept["post"], kept["network"])
            due_at = datetime.fromisoformat(kept["due_at"])
            if key in listed or key in entries or not now < due_at <= now + UPCOMING_WINDOW:
                continue
            entries[key] = {
                **_due_entry(kept["post"], kept["network"], kept["due_at"], "once", {kept["network"]}),
                "kept": f"kept running by {daemon['name']} from the last good version of {kept['file']}",
            }
    return list(entries.values())


def show_status(config: Config, now: datetime, output_format: str) -> int:
    from hospipost.timeutil import utcnow

    view = _ledger_view(config, now)
    rows, runs, daemons = view.deliveries, view.runs, view.daemons
    due, load_errors = _upcoming(config, now)
    due = [entry for entry in due if not view.retracted.get(entry["post"], set()) & {entry["network"], "*"}]
    due = sorted(due + _kept_by_daemons(daemons, due, now), key=lambda entry: entry["due_at"])
    blocked = [entry for entry in due if entry["state"] == "blocked"]
    upcoming = [entry for entry in due if entry["state"] != "blocked"]
    attention = [item for item in rows if item.state in NEEDS_HUMAN]
    retrying = [item for item in rows if item.state == "pending" and item.next_attempt_at]
    from hospipost.ledger import dead_claims

    stalled = dead_claims(rows, daemons, now)  # claimed by a process that died: publish recovers them
    attention += stalled
    in_flight = [item for item in rows if item.state == "sending" and item not in stalled]
    unretracted = [item for item in view.retractions.values() if item.state == "failed"]
    retracting = [item for item in view.retractions.values() if item.state in ("requested", "deleting")]
    code = 1 if attention or blocked or load_errors or unretracted else 0
    if output_format == "json":
        paused = [{"state": "paused", **view.pause.as_dict()}] if view.pause else []
        listed = [delivery_dict(item) for item in attention + in_flight + retrying]
        listed += [_retraction_entry(item) for item in unretracted + retracting]
        click.echo(json.dumps(paused + listed + blocked + upcoming, ensure_ascii=False, indent=2))
        return code
    from hospipost.cli.output import console

    out = console()
    if view.pause:
        out.print(_pause_line(view.pause, config), style="bold yellow")
    for message in load_errors:
        out.print(f"✖ unreadable queue: {message}", style="red")
    from hospipost.cli.output import print_hanging

    _section(
        out,
        "Needs a human",
        attention,
        config,
        lambda i: (
            f"{i.state}: {i.last_error}"
            if i.state != "sending"
            else f"claimed by {i.lease_owner}, which stopped: the next `hospipost publish` re-queues it, or marks it unknown"
        ),
        bool(blocked or unretracted),
    )
    for retraction in unretracted:
        print_hanging(out, f"{_local(retraction.updated_at, config)}  {_retraction_line(retraction, config)}", 2)
    for entry in blocked:
        where = f" → {entry['network']}" if entry["network"] else ""
        print_hanging(
            out,
            f"{_local(datetime.fromisoformat(entry['due_at']), config)}  {entry['post']}{where}  {entry['error']}",
            2,
        )
    _section(out, "Sending now", in_flight, config, lambda i: f"claimed by {i.lease_owner}")
    if retracting:
        out.print("[bold]Retracting[/bold]")
        for retraction in retracting:
            print_hanging(out, f"{_local(retraction.requested_at, config)}  {_retraction_line(retraction, config)}", 2)
    _section(
        out,
        "Retrying",
        retrying,
        config,
        lambda i: f"next try {_local(i.next_attempt_at, config)} (attempt {i.attempts}): {i.last_error}",
    )
    out.print("[bold]Next due[/bold]" if upcoming else "[bold]Next due[/bold]: nothing scheduled")
    shown: dict[tuple[str, str, str], list[str]] = {}
    for entry in upcoming:
        shown.setdefault((entry["post"], entry["due_at"], entry.get("kept", "")), []).append(entry["network"])
    for (post_id, due_at, kept), networks in list(shown.items())[:UPCOMING_SHOWN]:
        when = _local(datetime.fromisoformat(due_at), config)
        print_hanging(out, f"{when}  {post_id}  → {', '.join(networks)}" + (f"  ({kept})" if kept else ""), 2)
    _daemons(out, daemons, config, utcnow())
    for run in runs[:3]:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(run["counts"].items())) or "nothing to do"
        out.print(
            f"Last run by {run['actor']}: {_local(datetime.fromisoformat(run['at']), config)} ({counts})", style="dim"
        )
    _figures(out, view.stats_fetch, config)
    sent = sum(1 for item in rows if item.state == "sent")
    human = len(attention) + len(blocked) + len(unretracted)
    out.print(
        f"{_plural(sent, 'delivery', 'deliveries')} sent, {human} {'needs' if human == 1 else 'need'} a human, "
        f"{len(retrying)} retrying" + (f", {len(retracting)} retracting." if retracting else "."),
        style="bold red" if human else "bold",
    )
    return code


def _figures(out: Any, fetched: dict[str, Any] | None, config: Config) -> None:
    """When figures were last read (`stats fetch`), and what stopped a network then (a permission, a rate limit)."""
    from hospipost.cli.output import print_hanging

    if not fetched:
        return
    problems = [str(reading["problem"]) for reading in fetched.get("networks", {}).values() if reading.get("problem")]
    out.print(f"Figures last read {_local(datetime.fromisoformat(fetched['at']), config)}.", style="dim")
    for problem in problems:
        print_hanging(out, f"✖ figures: {problem}", 2, style="yellow")


def _retraction_entry(item: Retraction) -> dict[str, Any]:
    """A retraction in status's JSON: a failed one needs a human, one under way is retracting."""
    return {
        "post": item.post_id,
        "network": item.network,
        "state": RETRACTION_WORDS[item.state],
        "url": None,
        "attempts": item.attempts,
        "error": item.last_error,
        "occurrence": item.id.rsplit(":", 1)[-1],
        "due_at": item.requested_at.isoformat(),
        "sent_at": None,
        "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        "retraction": retraction_dict(item),
    }


def _retraction_line(item: Retraction, config: Config) -> str:
    """One retraction as status tells it (after its time)."""
    where = f"{item.post_id} → {item.network}"
    if item.state == "failed":
        return f"{where}  retraction failed: {item.last_error}"
    if item.state == "deleting":
        return f"{where}  deleting now (claimed by {item.lease_owner}; {len(item.deleted)} part(s) deleted so far)"
    if item.next_attempt_at is not None:
        return f"{where}  next try {_local(item.next_attempt_at, config)} (attempt {item.attempts}): {item.last_error}"
    return f"{where}  requested by {item.requested_by} ({item.reason}): the next `hospipost publish` deletes it"


def _pause_line(pause: Pause, config: Config) -> str:
    until = f" until {_local(pause.until, config)}" if pause.until else " until `hospipost resume`"
    alerts = "alerts too" if pause.alerts_too else "alerts still go out"
    return (
        f"‖ Publishing is paused since {_local(pause.since, config)}{until} ({alerts}), by {pause.by}: {pause.reason}"
    )


def _daemons(out: Any, daemons: list[dict[str, Any]], config: Config, now: datetime) -> None:
    """Which daemons are alive; a warning when they all went silent."""
    from hospipost.cli.output import print_hanging
    from hospipost.ledger import heartbeat_alive

    if not daemons:
        return
    alive = [daemon for daemon in daemons if heartbeat_alive(daemon, now)]
    out.print("[bold]Daemons[/bold]")
    for daemon in daemons[:10]:
        if daemon in alive:
            state = f"alive, since {_local(daemon['started_at'], config)}"
        elif daemon["stopped_at"] is not None:
            state = f"stopped at {_local(daemon['stopped_at'], config)}"
        else:
            state = f"silent since {_local(daemon['last_seen'], config)}"
        out.print(
            f"  {daemon['name']}  {state}  (hospipost {daemon['version']})", style=None if daemon in alive else "dim"
        )
        for problem in daemon["problems"] if daemon in alive else []:
            print_hanging(out, f"✖ {problem}", 4, style="red")
    if not alive:
        out.print("  ✖ no daemon is alive: posts go out only if `hospipost publish` runs from cron", style="bold red")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _section(out: Any, title: str, items: list[Delivery], config: Config, describe: Any, more: bool = False) -> None:
    if not items and not more:
        return
    out.print(f"[bold]{title}[/bold]")
    from hospipost.cli.output import print_hanging

    for item in items:
        print_hanging(out, f"{_local(item.due_at, config)}  {item.post_id} → {item.network}  {describe(item)}", 2)
        if item.state == "unknown":
            out.print(
                f"    resolve: hospipost reconcile {item.post_id} --network {item.network} (--sent URL | --not-sent)",
                style="dim",
            )
            if item.network == "mastodon":
                out.print(f"    {MASTODON_RESEND}", style="dim")


def state_word(item: Delivery) -> str:
    """A delivery's state in the words `status` uses: a pending delivery is "retrying" after a
    failed attempt (status: Retrying), "due" before its first (status: Next due)."""
    if item.state == "pending":
        return "retrying" if item.next_attempt_at else "due"
    return str(item.state)


def show_history(config: Config, post_id: str | None, output_format: str) -> None:
    from hospipost.timeutil import utcnow

    view = _ledger_view(config, utcnow(), post_id)
    rows, retractions = view.deliveries, view.retractions
    if output_format == "json":
        listed = [delivery_dict(item, retractions.get(item.id)) for item in rows]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    from hospipost.cli.output import console

    if not rows:
        click.echo("Nothing was published yet." if post_id is None else f"No delivery of {post_id} yet.")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("time", "post", "network", "state", "tries", "url / error"):
        table.add_column(column, overflow="fold")
    for item in rows:
        table.add_row(
            _local(item.sent_at or item.due_at, config),
            item.post_id,
            item.network,
            state_word(item),
            str(item.attempts),
            item.remote_url or item.last_error or "",
        )
        retraction = retractions.get(item.id)
        if retraction is not None:  # a row of its own, under the delivery it deletes
            hand = ", by hand" if retraction.by_hand else ""
            said = f"{retraction.reason} ({retraction.requested_by}{hand})"
            table.add_row(
                _local(retraction.retracted_at or retraction.updated_at, config),
                item.post_id,
                item.network,
                RETRACTION_WORDS[retraction.state],
                str(retraction.attempts),
                f"{said}: {retraction.last_error}" if retraction.last_error else said,
            )
    console().print(table)


def do_reconcile(config: Config, post_id: str, network: str, occurrence: str, sent_url: str | None) -> None:
    import getpass

    from hospipost.ledger import delivery_id
    from hospipost.timeutil import utcnow

    ledger = open_ledger(config)
    if ledger is None:
        raise HospipostError("nothing was published yet: there is nothing to reconcile")
    try:
        item = ledger.get(delivery_id(post_id, network, occurrence))
        if item is None:
            raise HospipostError(f"no delivery of {post_id} to {network} in the ledger")
        if item.state not in NEEDS_HUMAN:
            raise HospipostError(f"{post_id} → {network} is {item.state}: there is nothing to reconcile")
        ledger.reconcile(item, utcnow(), sent_url, getpass.getuser())
    finally:
        ledger.close()
    if sent_url:
        click.echo(f"✔ {post_id} → {network} recorded as sent: {sent_url}")
    else:
        click.echo(f"↻ {post_id} → {network} will be sent again at the next `hospipost publish`.")
        if network == "mastodon":
            click.echo(f"  {MASTODON_RESEND[0].upper()}{MASTODON_RESEND[1:]}.")
