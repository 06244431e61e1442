"""`hospipost queue add|list|show`: write to the queues and look at them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.cli.output import shrink_columns
from hospipost.wording import sentence

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from hospipost.compliance import Finding, Report
    from hospipost.config import Config
    from hospipost.posts import Post
    from hospipost.queuefile import AddResult


@click.group()
def queue() -> None:
    """Add, list and show the posts of the queues (posts/*.yaml)."""


# --- queue add ------------------------------------------------------------------------


@queue.command("add")
@click.argument("queue_name", metavar="QUEUE")
@click.option("--text", "-t", help="The post's text (or --text-file, or pipe it on stdin).")
@click.option("--text-file", metavar="FILE", help="Read the text from FILE ('-' for stdin).")
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help='"YYYY-MM-DD HH:MM" (local), ISO 8601 with an offset, now, or +10m/+2h; default: the next free slot (an alert: now).',
)
@click.option(
    "--network",
    "-n",
    "networks",
    multiple=True,
    metavar="N",
    help="Publish to N (repeatable); default: the queue's or every enabled network.",
)
@click.option("--media", multiple=True, metavar="FILE", help="An image to attach (repeatable).")
@click.option("--alt", multiple=True, metavar="TEXT", help="Alt text of each --media, in the same order.")
@click.option(
    "--consent",
    multiple=True,
    metavar="REF",
    help="Consent record of each --media, in order ('-' for an image showing nobody); sets people: true.",
)
@click.option(
    "--people", is_flag=True, help="Every --media shows an identifiable person (a --consent is then required)."
)
@click.option("--kind", metavar="KIND", help="alert, innovation, news, event, recruitment or prevention.")
@click.option("--author", metavar="WHO", help="Who wrote the post.")
@click.option("--approved-by", metavar="WHO", help="Who approved it (not the author).")
@click.option(
    "--id",
    "post_id",
    metavar="ID",
    help="The post's id (default: its kind or queue, date and a short hash, e.g. news-2027-03-02-3fa9).",
)
@click.option("--valid-until", metavar="TIME", help="Alerts: never published after this time.")
@click.option("--source", metavar="URL", help="The evidence behind an innovation or health-advice post.")
@click.option("--language", metavar="TAG", help="The text's language when it is not config's (e.g. en, en-GB).")
@click.option("--thread", multiple=True, metavar="TEXT", help="A follow-up post of a thread (repeatable).")
@click.option("--draft", is_flag=True, help="Save it even with content errors, as a draft that is never published.")
@click.option("--now", "now_option", hidden=True, metavar="TIME")
@pass_app
def add(app: AppContext, queue_name: str, now_option: str | None, **options: Any) -> None:
    """Append a post to posts/QUEUE.yaml, keeping the rest of the file as it is.

    The post is checked first: one with content errors is refused (exit 1)
    unless --draft. A missing approval does not stop it from being queued: it
    stops its publication. Without --at it takes the next free posting slot
    (an alert goes out now).

    \b
    Example:
      hospipost queue add news --text "Le CHU ouvre …" --network facebook \\
        --media media/salle.png --alt "La nouvelle salle d'attente" \\
        --author c.dupuis --approved-by a.renier
      echo "Texte du post" | hospipost queue add news --at "2027-03-02 09:00"
    """
    from hospipost.queuefile import add_post, check_queue_name

    check_queue_name(queue_name)
    config = app.config
    now = parse_now(now_option, config)
    fields = _post_fields(config, options, now)
    result = add_post(config, queue_name, fields, now)
    if not result.written:
        _print_refusal(result)
        raise click.exceptions.Exit(1)
    _print_added(result, config)


def _post_fields(config: Config, options: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The new post's keys as they will be written, validated one by one.

    An alert without --at goes out now (after its check), not at the next posting slot."""
    from hospipost.config import language_problem
    from hospipost.errors import HospipostError
    from hospipost.posts import KINDS

    kind, language = options["kind"], options["language"]
    if kind is not None and kind not in KINDS:
        raise HospipostError(f"Unknown --kind {kind!r}: expected one of {', '.join(KINDS)}")
    problem = language_problem(language) if language is not None else None
    if problem:
        raise HospipostError(f"--language {problem}")
    return {
        "id": options["post_id"],
        "at": _moment_option("--at", options["at"] or ("now" if kind == "alert" else None), config, now),
        "kind": kind,
        "networks": _networks_option(options["networks"], config),
        "text": _read_post_text(options["text"], options["text_file"]),
        "thread": [part.strip() for part in options["thread"] if part.strip()],
        "media": _media_option(config, options["media"], options["alt"], options["consent"], options["people"]),
        "author": options["author"],
        "approved_by": options["approved_by"],
        "valid_until": _moment_option("--valid-until", options["valid_until"], config, now),
        "source": options["source"],
        "language": language,
        "draft": True if options["draft"] else None,
    }


def _read_post_text(text: str | None, text_file: str | None) -> str:
    import sys
    from pathlib import Path

    from hospipost.errors import HospipostError
    from hospipost.yamlfile import read_text

    if text is not None and text_file is not None:
        raise HospipostError("Give the text with --text or --text-file, not both")
    if text is None and text_file not in (None, "-"):
        text = read_text(Path(text_file))
    elif text is None:
        if text_file is None and sys.stdin.isatty():
            raise HospipostError("No text: give --text TEXT, --text-file FILE, or pipe the text on stdin")
        text = sys.stdin.read()
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise HospipostError("The post's text is empty")
    return text


def _moment_option(option: str, value: str | None, config: Config, now: datetime) -> str | None:
    """A time option as it will be written: local "YYYY-MM-DD HH:MM", or ISO with its offset.

    "now" and relative times ("+10m", "+2h", "+3d") count from ``now``, as publish --now does."""
    from hospipost.errors import HospipostError
    from hospipost.timeutil import TimeValueError, parse_datetime, parse_relative

    if value is None:
        return None
    try:
        if value.strip().lower() in ("now", "+0m"):
            return _local_wall(now, config)
        if value.strip().startswith("+"):
            return _local_wall(now + parse_relative(value), config)
        moment, wall = parse_datetime(value, config.timezone)
    except TimeValueError as error:
        raise HospipostError(f"{option}: {error}") from None
    if ":" not in value:
        raise HospipostError(f'{option} {value!r}: give a time too, e.g. "{value.strip()} 09:00"')
    if wall is None:
        return moment.isoformat()
    return wall.strftime("%Y-%m-%d %H:%M:%S" if wall.second else "%Y-%m-%d %H:%M")


def _local_wall(moment: datetime, config: Config) -> str:
    wall = moment.astimezone(config.timezone)
    return wall.strftime("%Y-%m-%d %H:%M:%S" if wall.second else "%Y-%m-%d %H:%M")


def _networks_option(names: tuple[str, ...], config: Config) -> list[str] | None:
    """The --network names, each known and enabled in config.yaml (a post to a disabled one could never go out)."""
    from hospipost.errors import HospipostError
    from hospipost.networks import NETWORK_NAMES

    enabled = config.enabled_networks()
    for name in names:
        if name not in NETWORK_NAMES:
            raise HospipostError(f"--network {name!r}: unknown network; known networks: {', '.join(NETWORK_NAMES)}")
        if name not in enabled:
            where = f"enabled networks: {', '.join(enabled)}" if enabled else "no network is enabled"
            raise HospipostError(f"--network {name!r} is not enabled in config.yaml ({where}); enable it there first")
    return list(dict.fromkeys(names)) or None


def _media_option(
    config: Config, files: tuple[str, ...], alts: tuple[str, ...], consents: tuple[str, ...], people: bool
) -> list[dict[str, Any]]:
    """Media items: each --media with the --alt and --consent of the same rank."""
    from pathlib import Path

    from hospipost.errors import HospipostError

    for option, values in (("--alt", alts), ("--consent", consents)):
        if len(values) > len(files):
            raise HospipostError(
                f"{option} given {len(values)} times for {len(files)} --media: give them in the same order as --media"
            )
    if people and not files:
        raise HospipostError("--people describes the --media images; give --media FILE too")
    items = []
    for index, file in enumerate(files):
        path = Path(file).expanduser()
        if not path.is_file():
            raise HospipostError(f"--media {file}: no such file")
        item: dict[str, Any] = {"file": _config_relative(path, config)}
        if index < len(alts) and alts[index].strip():
            item["alt"] = alts[index].strip()
        consent = consents[index].strip() if index < len(consents) else ""
        consent = "" if consent == "-" else consent  # "-": this image shows nobody
        item["people"] = bool(people or consent)
        if consent:
            item["consent"] = consent
        items.append(item)
    return items


def _config_relative(path: Path, config: Config) -> str:
    """Media paths in posts are relative to config.yaml's folder when they are inside it."""
    absolute, root = path.resolve(), config.root.resolve()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else str(absolute)


def _print_refusal(result: AddResult) -> None:
    errors = len(result.blocking)
    click.echo(
        f"Refused: post {result.post.id} has {_plural(errors, 'content error')}; "
        f"nothing was written to {_display(result.path)}.",
        err=True,
    )
    for finding in result.findings:
        if finding.rule != "approval-required":
            click.echo("  " + _finding_line(finding), err=True)
    click.echo("Fix the post, or save it as a draft with --draft.", err=True)


def _print_added(result: AddResult, config: Config) -> None:
    from hospipost.timeutil import format_local

    post = result.post
    when = format_local(post.at, config.timezone) if post.at else "?"
    how = " (next free slot)" if result.slot_taken else ""
    state = "draft " if post.draft else ""
    new_queue = " (new queue)" if result.created else ""
    click.echo(
        f"Added {state}post {post.id} to {_display(result.path)}{new_queue}: {when} {config.timezone_name}{how}, "
        f"{', '.join(post.networks) or 'no network'}."
    )
    for finding in result.findings:
        if finding.rule != "approval-required":
            click.echo("  " + _finding_line(finding))
    if any(f.rule == "approval-required" for f in result.findings):
        click.echo(
            "Not approved yet: it will not be published until someone other than the author approves it"
            f" (hospipost approve {post.id})."
        )
    if post.draft:
        click.echo("It is a draft: it will not be published while it has draft: true.")


# --- queue list -----------------------------------------------------------------------


@queue.command("list")
@click.argument("queue_name", metavar="[QUEUE]", required=False)
@click.option("--all", "show_all", is_flag=True, help="Past posts too.")
@click.option(
    "--pending-approval", "pending", is_flag=True, help="Only the posts waiting for an approval, and for whose."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--now", "now_option", hidden=True, metavar="TIME")
@pass_app
def list_posts(
    app: AppContext,
    queue_name: str | None,
    show_all: bool,
    pending: bool,
    output_format: str,
    now_option: str | None,
) -> None:
    """List the upcoming posts (all queues, or QUEUE), sorted by time.

    Each row: local time, id, queue, networks, kind, check status (✓, or the
    numbers of errors and warnings) and publication state. With
    --pending-approval: the posts (drafts aside) that wait for an approval,
    whose, and why (never approved, or changed since).

    \b
    Example:
      hospipost queue list
      hospipost queue list health-alerts --all --format json
      hospipost queue list --pending-approval
    """
    from hospipost.cli.output import console
    from hospipost.errors import HospipostError

    config = app.config
    now = parse_now(now_option, config)
    posts, report = _checked_posts(config, now)
    if queue_name is not None:
        if queue_name not in {p.queue for p in posts} and not _queue_exists(config, queue_name):
            raise HospipostError(f"No queue {queue_name!r} in {_display(config.resolve(config.posts_dir))}")
        posts = [p for p in posts if p.queue == queue_name]
    if pending:
        _list_pending(posts, config, now, show_all, output_format)
        return
    from hospipost.publication import ledger_deliveries

    deliveries = ledger_deliveries(config, absent_ok=True)
    findings = _findings_by_post(report)
    rows = [
        _row(post, findings.get(post.id, []), config, now, deliveries.get(post.id, ()))
        for post in _sorted(posts, config, now)
        if show_all or _upcoming(post, now)
    ]
    if output_format == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No upcoming posts." + ("" if show_all else " (--all shows past ones)"))
        return
    out = console()
    if out.is_terminal:
        out.print(_rich_table(rows, config, out.width))
    else:
        click.echo(_plain_table(rows, config))


LIST_COLUMNS = ("time", "id", "queue", "networks", "kind", "check", "state")


def _findings_by_post(report: Report) -> dict[str, list[Finding]]:
    """The findings grouped by post in one pass (Report.for_post scans them all, for each post)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in report.findings:
        grouped.setdefault(finding.post.id, []).append(finding)
    return grouped


def _row(post: Post, findings: list[Finding], config: Config, now: datetime, deliveries: Any = ()) -> dict[str, Any]:
    from hospipost.publication import next_time
    from hospipost.timeutil import format_local

    when = next_time(post, config, now)
    return {
        "time": (format_local(when, config.timezone) if when else "ended")
        + (f" (every {post.every})" if post.every else ""),
        "at": when.isoformat() if when else None,
        "every": post.every,
        "id": post.id,
        "queue": post.queue,
        "networks": list(post.networks),
        "kind": post.kind,
        "check": _check_status(findings),
        "errors": _count(findings, "error"),
        "warnings": _count(findings, "warning"),
        "state": _state(post, config, now, deliveries),
        "file": str(post.file),
        "line": post.line,
    }


def _state(post: Post, config: Config, now: datetime, deliveries: Any = ()) -> str:
    """The publication state, or why a post that looks scheduled can never go out."""
    from hospipost.publication import SCHEDULED, publication_state

    state = publication_state(post, now, deliveries)
    if not state.startswith(SCHEDULED):
        return state
    blocked = never_sent_networks(post, config)
    if not post.networks:
        return "blocked: no network enabled"
    return f"blocked: {', '.join(blocked)} not enabled" if blocked else state


def never_sent_networks(post: Post, config: Config) -> list[str]:
    """The post's networks that are disabled (or absent) in config.yaml: publish blocks those deliveries."""
    enabled = config.enabled_networks()
    return [name for name in post.networks if name not in enabled]


def _sorted(posts: list[Post], config: Config, now: datetime) -> list[Post]:
    from hospipost.publication import next_time

    times = {post.id: next_time(post, config, now) for post in posts}

    def key(post: Post) -> tuple[bool, float, str]:
        when = times[post.id]
        return (when is None, when.timestamp() if when else 0, post.id)

    return sorted(posts, key=key)


def _upcoming(post: Post, now: datetime) -> bool:
    if post.every is not None:
        return post.until is None or post.until >= now
    return post.at is not None and post.at >= now


def _count(findings: list[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity and f.ignored is None)


def _check_status(findings: list[Finding]) -> str:
    errors, warnings = _count(findings, "error"), _count(findings, "warning")
    parts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(parts) or "✓"


def _cell(row: dict[str, Any], column: str) -> str:
    value = row[column]
    return ", ".join(value) if isinstance(value, list) else str(value)


def _plain_table(rows: list[dict[str, Any]], config: Config) -> str:
    """Aligned columns, no truncation: for pipes, files and scripts."""
    headers = [c.upper() if c != "time" else f"TIME ({config.timezone_name})" for c in LIST_COLUMNS]
    table = [headers, *[[_cell(row, c) for c in LIST_COLUMNS] for row in rows]]
    widths = [max(len(line[i]) for line in table) for i in range(len(LIST_COLUMNS))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)).rstrip() for line in table)


# Columns a narrow terminal drops first; time, id, check and state always stay.
DROPPED_FIRST = ("queue", "kind", "networks")
# Columns that wrap (between words) to make room, the first first.
SHRUNK_FIRST = ("time", "id", "networks", "check", "state", "kind", "queue")
COLUMN_GAP = 3  # padding, divider, padding
ID_FOLD = 24  # a longer id folds over lines rather than squeeze the other columns


def _rich_table(rows: list[dict[str, Any]], config: Config, width: int) -> Any:
    """The list for a terminal of ``width`` columns: cells wrap between words and never cut
    one (a state is always whole); low-priority columns go when even that does not fit."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    headers = {c: f"time ({config.timezone_name})" if c == "time" else c for c in LIST_COLUMNS}
    widths = _column_widths(rows, headers, width)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    for column, column_width in widths.items():
        table.add_column(headers[column], width=column_width, overflow="fold")
    for row in rows:
        style = "red" if row["errors"] else "yellow" if row["warnings"] else "green"
        table.add_row(*[Text(_cell(row, c), style=style if c == "check" else "") for c in widths])
    return table


def _column_widths(rows: list[dict[str, Any]], headers: dict[str, str], width: int) -> dict[str, int]:
    """Each shown column's width: its longest cell, shrunk (never below its longest word) until the
    table fits; when it cannot, the low-priority columns are dropped one by one."""
    columns = list(LIST_COLUMNS)
    for dropped in (None, *DROPPED_FIRST):
        if dropped:
            columns.remove(dropped)
        cells = {c: [_cell(row, c) for row in rows] + [headers[c]] for c in columns}
        widths = {c: max(len(cell) for cell in cells[c]) for c in columns}
        least = {c: max(len(word) for cell in cells[c] for word in _words(c, cell)) for c in columns}
        excess = sum(widths.values()) + COLUMN_GAP * (len(columns) - 1) - width
        if shrink_columns(widths, least, [c for c in SHRUNK_FIRST if c in columns], excess) <= 0:
            break
    return widths


def _words(column: str, cell: str) -> list[str]:
    """What must stay on one line: the words of a cell; a time's date and hour; a long id may fold."""
    if column == "time":
        return ["YYYY-MM-DD HH:MM"]
    if column == "id":
        return [cell[:ID_FOLD]]
    return cell.split() or [""]


PENDING_COLUMNS = ("time", "id", "kind", "waits_for", "why")
PENDING_KIND_WIDTH = 100  # a narrower terminal leaves the kind out of --pending-approval


def _list_pending(posts: list[Post], config: Config, now: datetime, show_all: bool, output_format: str) -> None:
    """`queue list --pending-approval`: one row per approval a post waits for."""
    from hospipost.approval import waiting
    from hospipost.cli.output import console
    from hospipost.publication import next_time
    from hospipost.timeutil import format_local

    rows: list[dict[str, Any]] = []
    cache: dict[str, Any] = {}
    for post in _sorted(posts, config, now):
        if post.draft or not (show_all or _upcoming(post, now)):
            continue
        when = next_time(post, config, now)
        for who, why in waiting(post, config, cache):
            rows.append(
                {
                    "time": format_local(when, config.timezone) if when else "ended",
                    "at": when.isoformat() if when else None,
                    "id": post.id,
                    "kind": post.kind,
                    "waits_for": who,
                    "why": why,
                    "file": str(post.file),
                    "line": post.line,
                }
            )
    if output_format == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No post waits for an approval.")
        return
    headers = {c: f"time ({config.timezone_name})" if c == "time" else c.replace("_", " ") for c in PENDING_COLUMNS}
    out = console()
    if not out.is_terminal:
        table = [list(headers.values()), *[[str(row[c]) for c in PENDING_COLUMNS] for row in rows]]
        widths = [max(len(line[i]) for line in table) for i in range(len(PENDING_COLUMNS))]
        click.echo(
            "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table)
        )
        return
    from rich import box
    from rich.table import Table

    columns = [c for c in PENDING_COLUMNS if c != "kind" or out.width >= PENDING_KIND_WIDTH]
    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    for column, column_width in _pending_widths(rows, headers, columns, out.width).items():
        grid.add_column(headers[column], width=column_width, overflow="fold")
    for row in rows:
        grid.add_row(*[str(row[c]) for c in columns])
    out.print(grid)


def _pending_widths(
    rows: list[dict[str, Any]], headers: dict[str, str], columns: list[str], width: int
) -> dict[str, int]:
    """Each column's width: its longest cell, narrowed until the table fits ``width``: a long id
    folds past ID_FOLD and the time's header wraps first, then the widest of the other columns
    gives a character at a time (never below its longest word)."""
    cells = {c: [str(row[c]) for row in rows] + [headers[c]] for c in columns}
    widths = {c: max(len(cell) for cell in cells[c]) for c in columns}
    least = {c: max(len(word) for cell in cells[c] for word in _words(c, cell)) for c in columns}
    excess = sum(widths.values()) + COLUMN_GAP * (len(columns) - 1) - width
    for column in ("id", "time"):
        cut = max(0, min(excess, widths[column] - least[column]))
        widths[column] -= cut
        excess -= cut
    while excess > 0:
        shrinkable = [c for c in columns if widths[c] > least[c]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda c: widths[c] - least[c])
        widths[widest] -= 1
        excess -= 1
    return widths


def _queue_exists(config: Config, name: str) -> bool:
    folder = config.resolve(config.posts_dir)
    return (folder / f"{name}.yaml").is_file() or (folder / f"{name}.yml").is_file()


# --- queue show -----------------------------------------------------------------------


@queue.command("show")
@click.argument("post_id", metavar="ID")
@click.option("--now", "now_option", hidden=True, metavar="TIME")
@pass_app
def show(app: AppContext, post_id: str, now_option: str | None) -> None:
    """Show a post as each of its networks will receive it, with its checks.

    For each network: every part of the text with its length against the
    network's limit, the media with their alt text and size; then the post's
    findings.

    \b
    Example:
      hospipost queue show canicule-2027-07-19
    """
    from hospipost.errors import HospipostError

    config = app.config
    now = parse_now(now_option, config)
    posts, report = _checked_posts(config, now)
    post = next((p for p in posts if p.id == post_id), None)
    if post is None:
        raise HospipostError(f"No post with id {post_id!r}; `hospipost queue list --all` lists them")
    click.echo("\n".join(_post_view(post, report.for_post(post.id), config, now)))


def _post_view(post: Post, findings: list[Finding], config: Config, now: datetime) -> list[str]:
    from hospipost.publication import ledger_deliveries
    from hospipost.recurrence import next_occurrences
    from hospipost.timeutil import format_local

    if post.every is None:
        when = f"{format_local(post.at, config.timezone)} {config.timezone_name}" if post.at else ""
    else:
        coming = [format_local(o.at, config.timezone) for o in next_occurrences(post, now, config.timezone_name, 3)]
        when = f"every {post.every} (next: {', '.join(coming) or 'none'})"
    deliveries = ledger_deliveries(config, absent_ok=True).get(post.id, [])
    lines = [
        click.style(post.id, bold=True) + f"  ({post.queue}, {_display(post.file)}:{post.line})",
        f"  {when} · {post.kind} · in {post.language} · {_state(post, config, now, deliveries)}",
        f"  author: {post.author or '—'} · approved by: {_approvers(post)}",
    ]
    for extra, value in (("valid until", post.valid_until), ("until", post.until)):
        if value is not None:
            lines.append(f"  {extra}: {format_local(value, config.timezone)}")
    if post.source:
        lines.append(f"  source: {post.source}")
    for network in post.networks:
        lines += ["", *_network_view(network, post, config)]
    if post.media:
        lines += ["", click.style("Media", bold=True), *_media_view(post)]
    lines += ["", click.style("Checks", bold=True), *_findings_view(findings)]
    return lines


def _approvers(post: Post) -> str:
    names = [f"{a.by} ({a.role})" if a.role else a.by for a in post.approvals]
    return ", ".join(names) or "—"


def _network_view(network: str, post: Post, config: Config) -> list[str]:
    from hospipost.networks import network_class

    adapter = network_class(network)
    limits = adapter.effective_limits(config.networks.get(network), config.cache_dir)  # as check and the dry run
    rendering = adapter.render(post)
    lines = []
    for index, part in enumerate(rendering.parts):
        length = limits.count(part)
        which = f" part {index + 1}/{len(rendering.parts)}:" if len(rendering.parts) > 1 else ""
        verdict = click.style(f"  over by {length - limits.max_length}", fg="red") if length > limits.max_length else ""
        title = click.style(adapter.label, bold=True)
        lines.append(f"{title}{which} {length} / {limits.max_length} {limits.length_unit}{verdict}")
        lines += ["    " + line if line else "" for line in part.splitlines()]
    if rendering.media:
        count = len(rendering.media)
        over = click.style("  too many", fg="red") if count > limits.max_images else ""
        lines.append(f"  {_plural(count, 'image')} (at most {limits.max_images}){over}")
    return lines


def _media_view(post: Post) -> list[str]:
    lines = []
    for item in post.media:
        size = _file_size(item.path)
        people = f"people: yes, consent {item.consent or 'MISSING'}" if item.people else "people: no"
        lines.append(f"  {item.file}  {size} · {people}")
        lines.append(f"    alt: {item.alt}" if item.alt else "    alt: (none)")
    return lines


def _file_size(path: Path) -> str:
    try:
        size: float = path.stat().st_size  # an int of bytes, divided into KB and MB below
    except OSError:
        return click.style("file not found", fg="red")
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _findings_view(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["  " + click.style("✓ no finding", fg="green")]
    return ["  " + _finding_line(f, with_line=True) for f in findings]


# --- shared ---------------------------------------------------------------------------


def _checked_posts(config: Config, now: datetime) -> tuple[list[Post], Report]:
    """Every post of every queue, and the checklist's report over all of them."""
    from hospipost.compliance import run_checks
    from hospipost.errors import HospipostError
    from hospipost.posts import QueueLoadError, load_queues

    try:
        queues = load_queues(config)
    except QueueLoadError as error:
        raise HospipostError("\n".join(e.format_message() for e in error.errors)) from None
    posts = [post for q in queues for post in q.posts]
    return posts, run_checks(posts, config, now)


def _finding_line(finding: Finding, with_line: bool = False) -> str:
    colour = {"error": "red", "warning": "yellow"}.get(finding.severity, "cyan")
    severity = click.style(f"{finding.severity.value:<10}", fg=colour)
    where = f"line {finding.line}: " if with_line else ""
    network = f" [{finding.network}]" if finding.network else ""
    line = f"{severity} {finding.rule}{network}: {where}{sentence(finding.message)}"
    if finding.ignored is not None:
        line += f" (ignored: {finding.ignored})"
    return line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _display(path: Path) -> str:
    """A path relative to the current folder when it is below it."""
    from pathlib import Path

    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
