"""`hospipost init`: placeholder, being written."""

import click


@click.command()
def init() -> None:
    """Create a ready-to-use hospipost folder."""
