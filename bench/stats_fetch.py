"""`hospipost stats fetch` for 1 000 published posts against a local server standing in for the
seven networks, each request answered after 100 ms.

The posts are first published to the seven networks through the same server, answering at
once (143 posts x 7 networks = 1 001 deliveries). Then `stats fetch` runs as a user runs it,
in a new process, with `stats: {x: true}`. Networks are read in parallel and each in batches
as large as its API allows, so the time is the longest network's chain of requests, not the
sum: it is compared with the time one request per post would take.

    .venv/bin/python bench/stats_fetch.py [--latency 0.1] [--posts 143]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import clock
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, SEVEN, make_site


def hospipost(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        clock.command("2026-12-01 10:30", "--config", str(config), *args),
        env={**os.environ, **SECRETS},
        capture_output=True,
        text=True,
        cwd=clock.ROOT,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--posts", type=int, default=143)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running(public=Path(tmp) / "site" / "media") as server:
        config = make_site(Path(tmp) / "site", server.url, f"sqlite:///{tmp}/state.db", options.posts, SEVEN)
        with config.open("a", encoding="utf-8") as file:
            file.write("stats: {x: true}\n")
        published = hospipost(config, "publish", "--quiet")
        if published.returncode != 0:
            raise SystemExit(published.stdout + published.stderr)
        deliveries = len(server.posts())
        server.latency = options.latency
        started = time.perf_counter()
        fetched = hospipost(config, "stats", "fetch", "--now", "2026-12-02 10:30")
        elapsed = time.perf_counter() - started
        if fetched.returncode != 0:
            raise SystemExit(fetched.stdout + fetched.stderr)
    print(fetched.stdout.rstrip())
    one_by_one = deliveries * options.latency
    print(
        f"\n{deliveries} published deliveries, {options.latency * 1000:.0f} ms per request: stats fetch took"
        f" {elapsed:.2f} s (one request per post, one network after the other: {one_by_one:.0f} s)"
    )


if __name__ == "__main__":
    main()
