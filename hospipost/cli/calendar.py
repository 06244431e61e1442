"""`hospipost calendar`: what goes out when, in the terminal, as an iCalendar file, as a page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

from hospipost.cli.context import AppContext, parse_now, pass_app
from hospipost.cli.output import shrink_columns

if TYPE_CHECKING:
    from datetime import date, datetime
    from pathlib import Path

    from hospipost.calendar import Entry, Period
    from hospipost.config import Config


@click.command()
@click.option("--week", "week", is_flag=True, help="Seven days: this week, Monday to Sunday (the default on screen).")
@click.option("--month", "month", is_flag=True, help="A month: this one (the default for --ics and --html).")
@click.option("--from", "from_option", metavar="DATE", help="Start the week or month on DATE (YYYY-MM-DD).")
@click.option("--ics", "ics", metavar="FILE", help="Write an iCalendar file (Outlook, Thunderbird) instead.")
@click.option("--html", "html_dir", metavar="DIR", help="Write DIR/index.html, a static page with previews, instead.")
@click.option("--now", "now_option", hidden=True, metavar="TIME")
@pass_app
def calendar(
    app: AppContext,
    week: bool,
    month: bool,
    from_option: str | None,
    ics: str | None,
    html_dir: str | None,
    now_option: str | None,
) -> None:
    """Show what goes out when, per network, with its check and approval state.

    Days are rows: each post at its local time, the state of each network's
    delivery (sent, scheduled, blocked, draft…), its checks and its approval.
    --ics writes one event per post occurrence, for a calendar the team
    subscribes to; --html a page with the text as each network receives it.
    Only public content goes into them: post ids, texts and states.

    \b
    Example:
      hospipost calendar
      hospipost calendar --month --from 2027-03-01
      hospipost calendar --ics /srv/www/calendar/posts.ics --html /srv/www/calendar
    """
    from hospipost.calendar import build, period
    from hospipost.errors import HospipostError

    if week and month:
        raise HospipostError("Give --week or --month, not both")
    config = app.config
    now = parse_now(now_option, config)
    start = _from_date(from_option)
    files = ics is not None or html_dir is not None
    kind = "week" if week else "month" if month or files else "week"
    window = period(kind, start, now.astimezone(config.timezone).date())
    entries = build(config, window, now)
    if not files:
        _print_calendar(entries, config, window)
        return
    if ics is not None:
        _write_ics(ics, entries, config, window, now)
    if html_dir is not None:
        _write_html(html_dir, entries, config, window, now)


def _from_date(value: str | None) -> date | None:
    import re
    from datetime import date

    from hospipost.errors import HospipostError

    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise HospipostError(f"--from {value!r}: expected a date such as 2027-03-01 (YYYY-MM-DD)")


def _write_ics(file: str, entries: list[Entry], config: Config, window: Period, now: datetime) -> None:
    from pathlib import Path

    from hospipost.calendar import to_ics

    path = Path(file).expanduser()
    _write(path, to_ics(entries, config, window, now))
    click.echo(f"Wrote {path}: {_plural(len(entries), 'event')} ({window.title}).")


def _write_html(folder: str, entries: list[Entry], config: Config, window: Period, now: datetime) -> None:
    from pathlib import Path

    from hospipost.calendar import to_html
    from hospipost.errors import HospipostError

    path = Path(folder).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HospipostError(f"--html {folder}: cannot create the folder: {error.strerror}") from None
    _write(path / "index.html", to_html(entries, config, window, now).encode())
    click.echo(f"Wrote {path / 'index.html'}: {_plural(len(entries), 'post')} ({window.title}).")


def _write(path: Path, data: bytes) -> None:
    from hospipost.errors import HospipostError
    from hospipost.queuefile import atomic_write

    if path.is_dir():
        raise HospipostError(f"{path} is a folder: give a file name such as {path / 'posts.ics'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except OSError as error:
        raise HospipostError(f"cannot write {path}: {error.strerror or error}") from None


# --- the terminal ---------------------------------------------------------------------

COLUMNS = ("when", "post", "network", "state", "check", "approval")
COLUMN_GAP = 3  # padding, divider, padding (as queue list)
POST_FOLD = (24, 12)
SHRUNK_FIRST = (
    "post",
    "check",
    "state",
    "approval",
    "network",
    "when",
)  # a long post id folds at 24 characters, at 12 on a very narrow terminal
TRAILING = re.compile(r"(?:\s|\x1b\[[0-9;]*m)+$")  # padding at the end of a line, and the colour codes around it
STYLES = {"good": "green", "waiting": "cyan", "bad": "bold red", "quiet": "dim"}


def _print_calendar(entries: list[Entry], config: Config, window: Period) -> None:
    from hospipost.calendar import summary
    from hospipost.cli.output import console

    out = console()
    out.print(f"[bold]{window.title}[/bold] ({config.timezone_name})")
    rows = _rows(entries, config, window)
    if out.is_terminal:
        with out.capture() as captured:
            out.print(_table(rows, out.width))
        click.echo("\n".join(TRAILING.sub(_reset, line) for line in captured.get().splitlines()), color=True)
    else:
        click.echo(_plain_table(rows))
    out.print(summary(entries))


def _reset(match: re.Match[str]) -> str:
    return "\x1b[0m" if "\x1b" in match.group() else ""


def _rows(entries: list[Entry], config: Config, window: Period) -> list[dict[str, Any]]:
    """The table's rows: a row per day (each day of a week; a month's days with posts), then
    a row per delivery, the post's time, id, check and approval on its first."""
    from hospipost.calendar import day_label

    tz = config.timezone
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.at.astimezone(tz).date(), []).append(entry)
    rows: list[dict[str, Any]] = []
    days = window.days if window.kind == "week" else sorted(by_day)
    for day in days:
        rows.append({"day": True, "when": (day_label(day), "bold"), "post": ("" if day in by_day else "—", "dim")})
        for entry in by_day.get(day, []):
            first = {
                "when": (f"  {entry.at.astimezone(tz):%H:%M}", ""),
                "post": (entry.post.id, "dim" if entry.post.draft else ""),
                "check": (entry.check, STYLES[entry.check_tone]),
                "approval": (entry.approval, STYLES[entry.approval_tone]),
            }
            if not entry.networks:
                rows.append({**first, "network": ("none", "bold red")})
            for index, state in enumerate(entry.networks):
                cells = first if index == 0 else {}
                rows.append({**cells, "network": (state.network, ""), "state": (state.state, STYLES[state.tone])})
    return rows


def _plain_table(rows: list[dict[str, Any]]) -> str:
    """Aligned columns, no wrapping, a blank line between days: for pipes, files and scripts."""
    widths = _column_widths(rows, None)
    lines = [
        "  ".join(column.ljust(widths[column]) for column in COLUMNS).rstrip(),
        "-" * (sum(widths.values()) + 2 * (len(COLUMNS) - 1)),
    ]
    for index, row in enumerate(rows):
        if row.get("day") and index:
            lines.append("")
        lines.append("  ".join(row.get(c, ("", ""))[0].ljust(widths[c]) for c in COLUMNS).rstrip())
    return "\n".join(lines)


def _table(rows: list[dict[str, Any]], width: int | None) -> Any:
    """The calendar for a terminal ``width`` wide (None: no limit): cells wrap between words and
    a state is never cut; a long post id folds first."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    widths = _column_widths(rows, width)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    for column in COLUMNS:
        table.add_column(column, width=widths[column], overflow="fold")
    for index, row in enumerate(rows):
        cells = [Text(*row.get(column, ("", ""))) for column in COLUMNS]
        last_of_day = index + 1 < len(rows) and rows[index + 1].get("day", False)
        table.add_row(*cells, end_section=last_of_day)
    return table


def _column_widths(rows: list[dict[str, Any]], width: int | None) -> dict[str, int]:
    """Each column's width: its longest cell, shrunk (never below its longest word; a day's
    label stays whole) until the table fits; a long post id folds at 24, then at 12."""
    widths = {c: max([len(c)] + [len(row[c][0]) for row in rows if c in row]) for c in COLUMNS}
    if width is None:
        return widths
    least = {c: max([len(c)] + [len(word) for row in rows if c in row for word in _words(row, c)]) for c in COLUMNS}
    excess = sum(widths.values()) + COLUMN_GAP * (len(COLUMNS) - 1) - width
    for fold in POST_FOLD:
        least["post"] = min(widths["post"], max(len("post"), fold))
        excess = shrink_columns(widths, least, list(SHRUNK_FIRST), excess)
        if excess <= 0:
            break
    return widths


def _words(row: dict[str, Any], column: str) -> list[str]:
    """What must stay on one line: a day's label, a state, an approval, each count of a check
    ("1 error", "2 warnings"); the words of an id."""
    text = row[column][0]
    if column == "check":
        return text.split(", ")
    return text.split() or [""] if column == "post" else [text]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
