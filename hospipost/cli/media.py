"""`hospipost media export`: the copies of the posts' media a web server publishes at media_url."""

from __future__ import annotations

from pathlib import Path

import click

from hospipost.cli.context import AppContext, pass_app


@click.group()
def media() -> None:
    """The posts' media files."""


@media.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_app
def export(app: AppContext, folder: Path) -> None:
    """Write the copies your web server must publish at media_url, without metadata.

    Instagram and Threads fetch each image from media_url; hospipost checks, before each
    post, that the copy there is exactly the file it publishes: the image without its
    metadata (no GPS position, no camera), a video as it is. This writes those copies
    into FOLDER, with the same paths as under media/, ready to copy to the web server.

    \b
    Example:
      hospipost media export site-media/ && rsync -a site-media/ www:/var/www/reseaux/media/
    """
    from hospipost.config import MEDIA_DIR
    from hospipost.errors import HospipostError
    from hospipost.posts import load_readable_queues
    from hospipost.publicmedia import served_copies

    config = app.config
    queues, errors = load_readable_queues(config)
    for error in errors:
        click.echo(f"Error: {error.format_message()} (this queue is skipped)", err=True)
    media_items = [item for queue in queues for post in queue.posts for item in post.media]
    try:
        written, skipped = served_copies(media_items, config.resolve(MEDIA_DIR), folder)
    except OSError as error:
        raise HospipostError(f"Cannot write into {folder}: {error.strerror or error}.") from None
    for reason in skipped:
        click.echo(f"Skipped: {reason}", err=True)
    click.echo(f"Wrote {written} file{'s' if written != 1 else ''} into {folder}.")
    raise SystemExit(2 if errors or skipped else 0)
