"""Where command output goes: one rich console per command, created when used.

Creating it on demand (not at import) lets Click's test runner, NO_COLOR and pipes
apply, and keeps rich out of `hospipost --help`. Output that is not a terminal is never
wrapped, so file paths and messages stay whole for grep, CI logs and cron mail.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

UNWRAPPED_WIDTH = 10_000


def console(stderr: bool = False) -> "Console":
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream,
        highlight=False,
        emoji=False,
        soft_wrap=not terminal,
        width=None if terminal else UNWRAPPED_WIDTH,
    )
