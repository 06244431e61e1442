"""The tests' clock: run hospipost as if it were another time.

Real publishing always reads the real clock (`publish --now` only serves dry runs), so the
tests that publish move the clock itself, with time-machine: in-process with
``at("2026-12-01 10:30")`` around a CliRunner call, and in a subprocess with
``python -m tests.clock "2026-12-01 10:30" --config … publish``. Times are Paris wall-clock
times, as in the test posts. The clock keeps ticking from there.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[1]


def at(local: str) -> time_machine.travel:
    """A context manager (or decorator) that sets the clock to a Paris wall-clock time."""
    return time_machine.travel(datetime.fromisoformat(local).replace(tzinfo=PARIS), tick=True)


def command(local: str, *args: str) -> list[str]:
    """The command line that runs `hospipost ARGS` at ``local`` in a subprocess."""
    return [sys.executable, "-m", "tests.clock", local, *args]


def main() -> None:
    local, *args = sys.argv[1:]
    from hospipost.cli import cli

    with at(local):
        cli.main(args, prog_name="hospipost")


if __name__ == "__main__":
    main()
