"""`hospipost archive export|verify`: the public archive of what was published (hospipost/archive.py)."""

from __future__ import annotations

from pathlib import Path

import click

from hospipost.cli.context import AppContext, pass_app


@click.group()
def archive() -> None:
    """The public archive of what was published, where and when, and what was deleted.

    A public hospital's posts are public archives (Code du patrimoine, L211-1 and L211-4).
    """


@archive.command("export")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--year", type=click.IntRange(1970, 9999), metavar="YYYY", help="Only what was sent that year (local time)."
)
@pass_app
def export(app: AppContext, folder: Path, year: int | None) -> None:
    """Write the archive of every delivery into DIR (new, empty, or a previous archive).

    DIR/deliveries.jsonl holds one JSON object per delivery: the exact content sent (texts,
    alt texts, media hashes), the network's id and address, times, author and approvals, the
    checks and ignored rules at send time, metrics, retractions with their reason. DIR/media/
    holds the media files sent, named by their sha256; DIR/MANIFEST.sha256 the sha256 of every
    file (`hospipost archive verify DIR`, or `sha256sum -c MANIFEST.sha256` in DIR).

    \b
    Example:
      hospipost archive export --year 2027 /srv/archives/reseaux-2027
    """
    from hospipost.archive import export as export_archive
    from hospipost.ledger import open_for_reading

    config = app.config
    ledger = open_for_reading(config)
    try:
        result = export_archive(config, ledger, folder, year)
    finally:
        if ledger is not None:
            ledger.close()
    media = f"{result.media} media file{'s' if result.media != 1 else ''}"
    click.echo(
        f"Archived {result.deliveries} deliver{'ies' if result.deliveries != 1 else 'y'} and {media} in {folder}."
    )
    if result.content_unknown:
        click.echo(
            f"Note: for {result.content_unknown} of them only the hash of what was sent is known"
            " (sent before hospipost recorded content, and the post changed since)."
        )
    if result.media_missing:
        click.echo(f"Note: {result.media_missing} media file(s) are no longer as sent: their hash only is archived.")


@archive.command("verify")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
def verify(folder: Path) -> None:
    """Check DIR against its MANIFEST.sha256: every missing, extra or changed file.

    Exit 0 when the archive is intact, 1 when anything is wrong, 2 when DIR is not an archive.

    \b
    Example:
      hospipost archive verify /srv/archives/reseaux-2027
    """
    from hospipost.archive import verify as verify_archive

    result = verify_archive(folder)
    for problem in result.problems:
        click.echo(problem)
    if not result.ok:
        count = len(result.problems)
        click.echo(f"The archive in {folder} is NOT intact: {count} problem{'s' if count != 1 else ''}.", err=True)
        raise SystemExit(1)
    click.echo(f"The archive in {folder} is intact: {result.files} file{'s' if result.files != 1 else ''} verified.")
