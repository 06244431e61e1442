"""`hospipost init`: create a ready-to-use hospipost folder."""

from __future__ import annotations

import click


@click.command()
@click.argument("directory", metavar="[DIR]", default=".", required=False)
def init(directory: str) -> None:
    """Create config.yaml, posts/ with example queues, and media/ in DIR.

    DIR (default: the current folder) is created when missing. init refuses
    when DIR already holds a config.yaml and never overwrites any file. The
    example posts are dated on the next weekdays, so they pass `check` today.

    \b
    Example:
      hospipost init chu-angers
      cd chu-angers && hospipost check && hospipost queue list
    """
    from pathlib import Path

    from hospipost.scaffold import create_site

    result = create_site(Path(directory))
    click.echo(f"Created a hospipost folder in {result.folder.resolve()}:")
    for relative in result.created:
        click.echo(f"  {relative}")
    for relative in result.kept:
        click.echo(f"  {relative} (already there, kept as it is)")
    where = "" if Path(directory) == Path(".") else f"cd {directory} && "
    click.echo(f"Next: {where}hospipost check && hospipost queue list")
