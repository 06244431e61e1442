"""`hospipost check` and `hospipost rules`."""

from __future__ import annotations

import click


@click.command()
def check() -> None:
    """Run the compliance checklist (being written)."""


@click.command()
def rules() -> None:
    """List the rules (being written)."""
