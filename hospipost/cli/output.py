"""Where command output goes: one rich console per command, created when used.

Creating it on demand (not at import) lets Click's test runner, NO_COLOR and pipes
apply, and keeps rich out of `hospipost --help`. Output that is not a terminal is never
wrapped, so file paths and messages stay whole for grep, CI logs and cron mail.
A terminal is what rich detects (FORCE_COLOR makes one, COLUMNS sets its width).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

UNWRAPPED_WIDTH = 10_000


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    out = Console(file=stream, highlight=False, emoji=False)
    if not out.is_terminal:
        out.soft_wrap = True
        out.width = UNWRAPPED_WIDTH
    return out


def print_hanging(out: Console, text: str, indent: int, hang: int = 4, style: str | None = None) -> None:
    """One line item; on a terminal its continuation lines start under the text, never at column 0."""
    import textwrap

    lines = (
        textwrap.wrap(
            text,
            width=max(out.width, indent + hang + 20),
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + hang),
            break_on_hyphens=False,
        )
        if out.is_terminal
        else [" " * indent + text]
    )
    out.print("\n".join(lines), style=style, soft_wrap=True, markup=False)


def shrink_columns(widths: dict[str, int], least: dict[str, int], order: list[str], excess: int) -> int:
    """Take ``excess`` characters off the columns in ``order`` (each down to its ``least``, in
    ``widths``); what is still in excess afterwards (0 or less: the table fits)."""
    for column in order:
        cut = max(0, min(excess, widths[column] - least[column]))
        widths[column] -= cut
        excess -= cut
    return excess
