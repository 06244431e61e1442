"""Where command output goes: one rich console per command, created when used.

Creating it on demand (not at import) lets Click's test runner, NO_COLOR and pipes
apply, and keeps rich out of `hospipost --help`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console


def console(stderr: bool = False) -> "Console":
    from rich.console import Console

    stream = click.get_text_stream("stderr" if stderr else "stdout")
    return Console(file=stream, highlight=False, soft_wrap=False, emoji=False)
