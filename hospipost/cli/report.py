"""`hospipost report`: a month's or a year's figures as a static page with charts, and as a CSV file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hospipost.cli.context import pass_app

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from hospipost.cli.context import AppContext
    from hospipost.stats_report import Period, Report

INSTALL = "`hospipost report --html` draws its charts with matplotlib: pip install 'hospipost[report]'"


@click.command()
@click.option("--html", "html_dir", metavar="DIR", help="Write DIR/index.html: one page, charts included, no server.")
@click.option("--csv", "csv_file", metavar="FILE", help="Write FILE: one row per post and network, for spreadsheets.")
@click.option("--month", "month_option", metavar="YYYY-MM", help="The month of the posts (default: this month).")
@click.option("--year", "year_option", metavar="YYYY", help="The whole year instead: the annual report (bilan annuel).")
@click.option("--now", "now_option", metavar="TIME", hidden=True)
@pass_app
def report(
    app: AppContext,
    html_dir: str | None,
    csv_file: str | None,
    month_option: str | None,
    year_option: str | None,
    now_option: str | None,
) -> None:
    """A month's or a year's figures: a page with charts to share, a CSV file for spreadsheets.

    The page shows each network's views day by day (a year: at each week's end),
    the interactions per kind of post and the top posts with their text and link
    (a year's page also has a table per month); each chart has its data as a
    table under it. It needs no server and fetches nothing. The CSV file has one
    row per post and network with its latest figures (UTF-8, ";" between fields,
    as Excel in French opens it). A figure a network does not give is left out,
    never 0: Mastodon and Bluesky give no views. Figures are those read by
    `hospipost stats fetch`.

    Exit 0 written, 1 nothing to report for that month or year, 2 bad usage.

    \b
    Example:
      hospipost report --html /srv/www/stats --month 2027-07
      hospipost report --csv juillet.csv --month 2027-07
      hospipost report --html /srv/www/bilan-2027 --csv bilan-2027.csv --year 2027
    """
    from pathlib import Path

    from hospipost.cli.context import parse_now
    from hospipost.errors import HospipostError
    from hospipost.stats_report import Period

    if html_dir is None and csv_file is None:
        raise HospipostError("Give --html DIR, --csv FILE or both: where to write the report")
    if month_option is not None and year_option is not None:
        raise HospipostError("Give --month or --year, not both: a report covers one month or one year")
    period = _period("--month", month_option) or _period("--year", year_option)
    folder = Path(html_dir).expanduser() if html_dir is not None else None
    table = Path(csv_file).expanduser() if csv_file is not None else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise HospipostError(f"--html {html_dir}: is a file; give a folder (the page is written as DIR/index.html)")
    if table is not None and table.is_dir():
        raise HospipostError(f"--csv {csv_file}: is a folder; give a file name such as {table / 'report.csv'}")
    if folder is not None:
        _need_matplotlib()
    config = app.config
    now = parse_now(now_option, config)
    if period is None:
        period = Period.of(now.astimezone(config.timezone).date())
    built = _build(app, period, now)
    if not built.rows and not built.unread:
        click.echo(f"Nothing to report for {period.title}: no post was sent that {period.unit}.")
        raise SystemExit(1)
    if not built.rows:
        click.echo(
            f"Nothing to report for {period.title}: {len(built.unread)} deliveries were sent but no figures "
            "were read; run `hospipost stats fetch`."
        )
        raise SystemExit(1)
    from hospipost.stats_report import to_csv, to_html

    if folder is not None:
        _write(folder / "index.html", to_html(built).encode(), f"--html {html_dir}")
        click.echo(f"Wrote {folder / 'index.html'}: {len(built.rows)} deliveries with figures ({period.title}).")
    if table is not None:
        _write(table, to_csv(built), f"--csv {csv_file}")
        click.echo(f"Wrote {table}: {len(built.rows) + len(built.unread)} rows ({period.title}).")


def _period(option: str, value: str | None) -> Period | None:
    """``--month YYYY-MM`` or ``--year YYYY``; a month given to --year (or a year to --month) is refused."""
    from hospipost.errors import HospipostError
    from hospipost.stats_report import Period

    if value is None:
        return None
    try:
        period = Period.parse(value)
    except ValueError:
        period = None
    if period is None or period.is_year != (option == "--year"):
        wanted = "a year such as 2027 (YYYY)" if option == "--year" else "a month such as 2027-07 (YYYY-MM)"
        raise HospipostError(f"{option} {value!r}: expected {wanted}")
    return period


def _need_matplotlib() -> None:
    from hospipost.errors import HospipostError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise HospipostError(INSTALL) from None


def _build(app: AppContext, period: Period, now: datetime) -> Report:
    from contextlib import closing, nullcontext

    from hospipost.ledger import open_for_reading
    from hospipost.posts import readable_posts
    from hospipost.stats_report import build

    config = app.config
    ledger = open_for_reading(config)
    with closing(ledger) if ledger is not None else nullcontext():
        return build(config, ledger, readable_posts(config), period, now)


def _write(path: Path, data: bytes, option: str) -> None:
    from hospipost.errors import HospipostError
    from hospipost.queuefile import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except OSError as error:
        raise HospipostError(f"{option}: cannot write {path}: {error.strerror or error}") from None
