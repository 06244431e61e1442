"""Start-up time: `hospipost --help` against bare `python -c "import click"`.

The target is `hospipost --help` within 1.5x the time of importing Click. Each command
runs N times in a fresh process; the median wall time is reported.

    .venv/bin/python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(command: list[str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    python = sys.executable
    hospipost = str(Path(python).with_name("hospipost"))
    baseline = median_seconds([python, "-c", "import click"], args.runs)
    bare = median_seconds([python, "-c", "pass"], args.runs)
    help_time = median_seconds([hospipost, "--help"], args.runs)
    version_time = median_seconds([hospipost, "--version"], args.runs)
    print(f"python -c pass          {bare * 1000:7.1f} ms")
    print(f"python -c 'import click' {baseline * 1000:7.1f} ms")
    print(f"hospipost --help        {help_time * 1000:7.1f} ms  ({help_time / baseline:.2f}x import click; target <= 1.5x)")
    print(f"hospipost --version     {version_time * 1000:7.1f} ms  ({version_time / baseline:.2f}x)")


if __name__ == "__main__":
    main()
