"""`hospipost stats` and `stats fetch`: what the published posts did on each network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.networks import NETWORK_NAMES, network_label

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from hospipost.config import Config
    from hospipost.metrics import FetchResult, PostFigures, Total

SINCE = click.option(
    "--since", "since_option", metavar="AGE|DATE", help="Posts published since: 30d, 12h or a date (2027-01-01)."
)
TOP = 10


@click.group(invoke_without_command=True)
@SINCE
@click.option(
    "--by", "by", type=click.Choice(["network", "kind", "queue"]), help="Totals by this only (default: network, kind)."
)
@click.option("--top", "top", type=click.IntRange(0, 1000), default=TOP, show_default=True, help="Top posts shown.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--now", "now_option", metavar="TIME", hidden=True)
@click.pass_context
def stats(
    context: click.Context,
    since_option: str | None,
    by: str | None,
    top: int,
    output_format: str,
    now_option: str | None,
) -> None:
    """What the published posts did: top posts, totals per network and per kind.

    Figures are the latest read by `hospipost stats fetch` (the daemon reads them
    every day), each named with the network's own word (reactions, boosts,
    impressions…). A network that does not give a figure shows none, not 0:
    Mastodon and Bluesky give no views.

    \b
    Example:
      hospipost stats
      hospipost stats --by kind --since 90d
      hospipost stats fetch --since 30d
    """
    if context.invoked_subcommand is not None:
        return
    from hospipost.ledger import open_for_reading
    from hospipost.metrics import latest_figures
    from hospipost.posts import readable_posts

    config = context.find_object(AppContext).config  # type: ignore[union-attr]
    now = parse_now(now_option, config)
    since = now - _age(since_option, config, now) if since_option else None
    ledger = open_for_reading(config)
    rows = latest_figures(ledger, readable_posts(config), since) if ledger else []
    last = ledger.last_stats_fetch() if ledger else None
    groupings = [by] if by else ["network", "kind"]
    if output_format == "json":
        click.echo(_as_json(rows, groupings, top, last))
        return
    _show(rows, groupings, top, last, config)


@stats.command("fetch")
@SINCE
@click.option("--network", "networks", multiple=True, type=click.Choice(NETWORK_NAMES), help="Only this network.")
@click.option("--now", "now_option", metavar="TIME", hidden=True)
@pass_app
def fetch_command(app: AppContext, since_option: str | None, networks: tuple[str, ...], now_option: str | None) -> None:
    """Read the figures of the posts published since (default: stats.since, 30d).

    Each network that gives figures is read in parallel, in batches as large as
    its API allows; the figures are kept in the ledger, dated, beside the earlier
    ones. X bills every read: it is read only with `stats: {x: true}` in
    config.yaml. A rate limit or a missing permission stops that network only
    (exit 1); the next fetch starts with the posts not read.

    \b
    Example:
      hospipost stats fetch
      hospipost stats fetch --since 7d --network facebook
    """
    from contextlib import closing

    from hospipost.ledger import Ledger, open_for_reading
    from hospipost.metrics import fetch

    config = app.config
    now = parse_now(now_option, config)
    since = _age(since_option, config, now) if since_option else None
    existing = open_for_reading(config, absent_ok=True)  # never create a ledger here: it is publishing's
    if existing is None:
        click.echo("Nothing was published from here yet: no figures to read.")
        return
    existing.close()
    with closing(Ledger.open_for_publishing(config)) as ledger:  # migrated: snapshots need schema 4
        result = fetch(config, ledger, now, since=since, networks=networks or None)
    _report(result)
    if not result.ok:
        raise SystemExit(1)


def _age(value: str, config: Config, now: datetime) -> timedelta:
    """--since: an age ("30d") or a date, as the time span back from now."""
    from datetime import timedelta

    from hospipost.errors import HospipostError
    from hospipost.timeutil import TimeValueError, parse_datetime, parse_relative

    try:
        return parse_relative("+" + value)
    except TimeValueError:
        pass
    try:
        return max(now - parse_datetime(value, config.timezone)[0], timedelta())
    except TimeValueError:
        raise HospipostError(f"--since: {value!r} is neither an age (30d, 12h) nor a date (2027-01-01)") from None


def _report(result: FetchResult) -> None:
    from hospipost.cli.output import console, print_hanging

    out = console()
    if not result.readings:
        out.print("No published post to read figures of.", markup=False)
    for reading in result.readings:
        label = network_label(reading.network)
        if reading.skipped:
            print_hanging(out, f"{label}: not read. {reading.skipped}", 0)
            continue
        unread = f" ({reading.unread} without figures: deleted there, or not counted)" if reading.unread else ""
        line = f"{label}: {reading.read} of {reading.asked} posts read in {reading.seconds:.1f} s{unread}"
        print_hanging(out, line + (f". {reading.problem}" if reading.problem else "."), 0)


def _show(rows: list[PostFigures], groupings: list[str], top: int, last: dict[str, Any] | None, config: Config) -> None:
    from hospipost.cli.output import console, print_hanging
    from hospipost.metrics import missing_figures, totals

    out = console()
    if not rows:
        out.print("No figures yet: run `hospipost stats fetch` (the daemon does it every day).", markup=False)
        return
    out.print(_fetched_line(last, config), markup=False)
    if top:
        out.print(_top_table(rows[:top], config))
    for by in groupings:
        out.print(_totals_table(totals(rows, by), by))
    for note in [*missing_figures(row.network for row in rows), *_problems(last)]:
        print_hanging(out, f"Note: {note}.", 0)


def _fetched_line(last: dict[str, Any] | None, config: Config) -> str:
    from datetime import datetime

    if not last:
        return "Figures as last read."
    at = datetime.fromisoformat(last["at"]).astimezone(config.timezone)
    return f"Figures as read on {at:%Y-%m-%d %H:%M} ({config.timezone_name})."


def _problems(last: dict[str, Any] | None) -> list[str]:
    networks = (last or {}).get("networks", {})
    return [str(reading["problem"]).rstrip(".") for reading in networks.values() if reading.get("problem")]


def _top_table(rows: list[PostFigures], config: Config) -> Any:
    from rich.table import Table

    from hospipost.metrics import in_own_words

    table = Table(title="Top posts (by likes, comments, shares)", title_justify="left", expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Post", ratio=3, overflow="fold")
    table.add_column("Network", no_wrap=True)
    table.add_column("Figures", ratio=2)
    table.add_column("Sent", no_wrap=True)
    for rank, row in enumerate(rows, 1):
        text = " ".join(row.text.split())
        snippet = text if len(text) <= 60 else text[:59] + "…"
        table.add_row(
            str(rank),
            f"{row.post_id}\n{snippet}" if snippet else row.post_id,
            network_label(row.network),
            in_own_words(row.network, row.figures),
            f"{row.sent_at.astimezone(config.timezone):%d/%m/%y}",
        )
    return table


def _totals_table(groups: list[Total], by: str) -> Any:
    from rich.table import Table

    from hospipost.metrics import in_own_words

    title = {"network": "Per network", "kind": "Per kind of post", "queue": "Per queue"}[by]
    table = Table(title=title, title_justify="left")
    table.add_column(by.capitalize(), overflow="fold")
    table.add_column("Posts", justify="right", no_wrap=True)
    if by == "network":
        table.add_column("Figures (the network's words)")
        for group in groups:
            table.add_row(network_label(group.name), str(group.posts), in_own_words(group.name, group.figures))
        return table
    table.add_column("Views / post", justify="right")
    table.add_column("Interactions", justify="right")
    table.add_column("Per post", justify="right")
    for group in groups:
        views = group.per_post("views")
        table.add_row(
            group.name,
            str(group.posts),
            "—" if views is None else _round(views),
            _round(group.interactions),
            _round(group.interactions / group.posts),
        )
    return table


def _round(value: float) -> str:
    from hospipost.metrics import count_text

    return count_text(round(value)) if value >= 10 or value == int(value) else f"{value:.1f}"


def _as_json(rows: list[PostFigures], groupings: list[str], top: int, last: dict[str, Any] | None) -> str:
    import json

    from hospipost.metrics import totals

    def row_json(row: PostFigures) -> dict[str, Any]:
        return {
            "post": row.post_id,
            "network": row.network,
            "queue": row.queue,
            "kind": row.kind,
            "sent_at": row.sent_at.isoformat(),
            "url": row.url,
            "figures": row.figures,
            "read_at": row.taken_at.isoformat(),
        }

    by_group = {
        by: [
            {"name": t.name, "posts": t.posts, "figures": t.figures, "interactions": t.interactions}
            for t in totals(rows, by)
        ]
        for by in groupings
    }
    document = {"fetched": last, "top": [row_json(row) for row in rows[:top]], "totals": by_group}
    return json.dumps(document, ensure_ascii=False, indent=2)
