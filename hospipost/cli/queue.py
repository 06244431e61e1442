"""`hospipost queue`: placeholder, being written."""

import click


@click.group()
def queue() -> None:
    """Add, list and show the posts of the queues."""
