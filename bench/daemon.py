"""The daemon: timeliness, idle CPU and memory.

1. Timeliness: 100 deliveries (100 posts to X), one per second, against a local server;
   for each, the time from its scheduled instant to its request reaching the server.
   Target: median and 99th percentile under 1 s.
2. Idle: a daemon with 10 000 queued posts (all in the future) left alone for a minute:
   its CPU use (from /proc) and its resident memory at the start and the end.

    .venv/bin/python bench/daemon.py [--deliveries 100] [--idle-seconds 60]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, make_site

HOSPIPOST = str(Path(sys.executable).with_name("hospipost"))
PARIS = ZoneInfo("Europe/Paris")


def start_daemon(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [HOSPIPOST, "--config", str(config), "daemon"],
        env={**os.environ, **SECRETS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def write_posts(config: Path, times: list[datetime], networks: str = "[x]") -> None:
    lines = [f"defaults:\n  networks: {networks}\n  author: c.dupuis\n  approved_by: a.renier\nposts:\n"]
    for number, moment in enumerate(times):
        lines.append(
            f"  - id: ponctuel-{number}\n    at: {moment.isoformat()}\n"
            f"    text: Message ponctuel numéro {number} du CHU d'Angers pour les familles.\n"
        )
    (config.parent / "posts" / "news.yaml").write_text("".join(lines), encoding="utf-8")


def timeliness(count: int) -> None:
    with running() as server, tempfile.TemporaryDirectory() as tmp:
        config = make_site(Path(tmp) / "site", server.url, f"sqlite:///{tmp}/state.db", posts=0, networks=("x",))
        start = datetime.now(PARIS).replace(microsecond=0) + timedelta(seconds=8)
        times = [start + timedelta(seconds=n) for n in range(count)]
        write_posts(config, times)
        daemon = start_daemon(config)
        try:
            deadline = time.time() + count + 30
            while len(server.posts()) < count and time.time() < deadline:
                time.sleep(0.2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
        arrived = {r.text: r.arrived for r in server.posts()}
    lags = sorted(
        arrived[f"Message ponctuel numéro {n} du CHU d'Angers pour les familles."] - t.timestamp()
        for n, t in enumerate(times)
        if f"Message ponctuel numéro {n} du CHU d'Angers pour les familles." in arrived
    )
    p99 = lags[min(len(lags) - 1, round(0.99 * (len(lags) - 1)))]
    print(
        f"timeliness: {len(lags)}/{count} deliveries; lag from scheduled instant to the server: "
        f"median {statistics.median(lags) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms"
    )


def process_stats(pid: int) -> tuple[float, int]:
    """CPU seconds used so far and resident memory in KiB, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS")
    )
    return cpu, rss


def idle(posts: int, seconds: float) -> None:
    with running() as server, tempfile.TemporaryDirectory() as tmp:
        config = make_site(Path(tmp) / "site", server.url, f"sqlite:///{tmp}/state.db", posts=0)
        start = datetime.now(PARIS).replace(microsecond=0) + timedelta(days=2)
        write_posts(config, [start + timedelta(minutes=n) for n in range(posts)], "[x, facebook]")
        daemon = start_daemon(config)
        try:
            time.sleep(10)  # started, loaded, first sweep and exact-time jobs done
            cpu0, rss0 = process_stats(daemon.pid)
            time.sleep(seconds)
            cpu1, rss1 = process_stats(daemon.pid)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
    print(
        f"idle with {posts} queued posts over {seconds:.0f} s: CPU {100 * (cpu1 - cpu0) / seconds:.2f} % "
        f"({cpu1 - cpu0:.2f} s), memory {rss0 / 1024:.1f} MiB → {rss1 / 1024:.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--posts", type=int, default=10_000)
    args = parser.parse_args()
    timeliness(args.deliveries)
    idle(args.posts, args.idle_seconds)


if __name__ == "__main__":
    main()
