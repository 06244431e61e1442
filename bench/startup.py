"""Start-up time: `hospipost --help` and an idle `publish` against bare `python -c "import click"`.

Targets: `hospipost --help` within 1.5x the time of importing Click, an idle `publish`
and `publish --dry-run` (a queue with nothing due) within 3x. Each command runs N times
in a fresh process, with the package byte-compiled first as pip does on install; the
median wall time is reported.

    .venv/bin/python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_QUEUE = """\
defaults: {networks: [x, facebook], author: c.dupuis, approved_by: a.renier}
posts:
  - id: plus-tard
    at: 2099-01-01 10:00
    text: Journée portes ouvertes de l'institut de formation en soins infirmiers.
"""


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
    compileall.compile_dir(ROOT / "hospipost", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([hospipost, "init", folder], check=True, stdout=subprocess.DEVNULL)
        for queue in Path(folder, "posts").glob("*.yaml"):
            queue.unlink()
        Path(folder, "posts", "news.yaml").write_text(IDLE_QUEUE, encoding="utf-8")
        config = ["--config", str(Path(folder, "config.yaml"))]
        baseline = median_seconds([python, "-c", "import click"], args.runs)
        bare = median_seconds([python, "-c", "pass"], args.runs)
        timings = {
            "hospipost --help": (median_seconds([hospipost, "--help"], args.runs), 1.5),
            "hospipost --version": (median_seconds([hospipost, "--version"], args.runs), None),
            "idle publish": (median_seconds([hospipost, *config, "publish"], args.runs), 3.0),
            "idle publish --dry-run": (median_seconds([hospipost, *config, "publish", "--dry-run"], args.runs), 3.0),
        }
    print(f"{'python -c pass':<26}{bare * 1000:7.1f} ms")
    print(f"{'python -c import click':<26}{baseline * 1000:7.1f} ms")
    for name, (seconds, target) in timings.items():
        goal = f"; target <= {target}x" if target else ""
        print(f"{name:<26}{seconds * 1000:7.1f} ms  ({seconds / baseline:.2f}x import click{goal})")


if __name__ == "__main__":
    main()
