"""Publishing speed against a local server standing in for X and Facebook.

1. Fan-out: one post to two networks, to five, then to all seven (with an image: Instagram
   takes no post without one, fetched by Meta from media_url), each request answered after
   300 ms, against the same run with an instant server: the networks go out in parallel, so
   the difference is the longest chain of requests of one network, not their sum.
2. Throughput: 1 000 due deliveries (500 posts x 2 networks), first against an instant
   server (what hospipost's own bookkeeping allows: ledger claims, one commit before and
   one after each request), then against a server with a fixed latency per request,
   compared with the floor that latency sets (deliveries x latency / parallel requests).

    .venv/bin/python bench/publish.py [--latency 0.05] [--posts 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hospipost.publisher import Publisher
from tests import clock
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, SEVEN, make_site

CONCURRENCY = Publisher.__init__.__defaults__[-1]


def publish(config: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        clock.command("2026-12-01 10:30", "--config", str(config), "publish", "--quiet"),
        env={**os.environ, **SECRETS},
        capture_output=True,
        text=True,
        cwd=clock.ROOT,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return elapsed


@contextmanager
def fresh_ledger(ledger: str, folder: str) -> Iterator[str]:
    """A SQLite file in folder, or a new schema on the PostgreSQL server (dropped after)."""
    if ledger == "sqlite":
        yield f"sqlite:///{folder}/state.db"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ledger, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{ledger}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def run_against(latency: float, posts: int, ledger: str, networks: tuple[str, ...] = ("x", "facebook")) -> float:
    with tempfile.TemporaryDirectory() as tmp, running(latency=latency, public=Path(tmp) / "site" / "media") as server:
        with fresh_ledger(ledger, tmp) as url:
            config = make_site(Path(tmp) / "site", server.url, url, posts=posts, networks=networks)
            elapsed = publish(config)
            assert len(server.posts()) == posts * len(networks), len(server.posts())
    return elapsed


def fan_out(networks: tuple[str, ...]) -> None:
    instant = min(run_against(0.0, 1, "sqlite", networks) for _ in range(3))
    slow = min(run_against(0.3, 1, "sqlite", networks) for _ in range(3))
    print(
        f"fan-out: 1 post to {len(networks)} networks ({', '.join(networks)}): {instant:.2f} s with an instant "
        f"server, {slow:.2f} s at 300 ms per request: +{slow - instant:.2f} s"
    )


def throughput(posts: int, latency: float, ledger: str) -> None:
    deliveries = posts * 2
    name = "sqlite" if ledger == "sqlite" else "postgresql"
    instant = run_against(0.0, posts, ledger)
    slow = run_against(latency, posts, ledger)
    floor = deliveries * latency / CONCURRENCY
    print(
        f"throughput ({name}): {deliveries} deliveries; instant server {instant:.2f} s ({deliveries / instant:.0f}/s, "
        f"hospipost's own ceiling); at {latency * 1000:.0f} ms per request with {CONCURRENCY} in parallel "
        f"{slow:.2f} s ({deliveries / slow:.0f}/s) against a latency floor of {floor:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument(
        "--postgresql", metavar="URL", help="also measure with this PostgreSQL ledger (an empty schema)"
    )
    args = parser.parse_args()
    fan_out(("x", "facebook"))
    fan_out(("x", "facebook", "mastodon", "bluesky", "linkedin"))
    fan_out(SEVEN)
    throughput(args.posts, args.latency, "sqlite")
    if args.postgresql:
        throughput(args.posts, args.latency, args.postgresql)


if __name__ == "__main__":
    main()
