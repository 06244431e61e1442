"""`hospipost report` over a year of posts: how long a month's and the year's page and CSV take, and the README's picture.

A demo site: about 150 posts over 2027 (the CHU's yearly volume), each sent to five networks
(about 750 deliveries, recorded in a real SQLite ledger as `publish` records them), and 30 daily
snapshots of figures for each (about 22 000 snapshots), shaped as real posts' figures grow: most
views in the first days. Mastodon and Bluesky give no views. Then each month's report is built
(page and CSV) in this process, then the year's (the annual report), and one month's and the
year's by the `hospipost` command in a fresh process, as a user runs it. With --shot, the July page is rendered by headless Chromium into a PNG for the
README (cropped to its top, at most 300 KB).

    .venv/bin/python bench/report.py [--keep DIR] [--shot docs/report.png]
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hospipost.config import load_config
from hospipost.ledger import DueDelivery, Ledger, Snapshot
from hospipost.posts import load_readable_queues
from hospipost.stats_report import Period, build, to_csv, to_html
from tests.helpers import CONFIG_YAML

HOSPIPOST = str(Path(sys.executable).with_name("hospipost"))
YEAR = 2027
NOW = datetime(YEAR + 1, 1, 20, 9, 0, tzinfo=UTC)
NETWORKS = ["facebook", "x", "linkedin", "mastodon", "bluesky"]
# per network: views at the peak of an ordinary post, and which figures it gives
AUDIENCE = {
    "facebook": (2400, ("views", "reach", "likes", "comments", "shares", "clicks")),
    "x": (900, ("views", "likes", "comments", "shares", "quotes", "bookmarks")),
    "linkedin": (1500, ("views", "likes", "comments", "shares", "clicks")),
    "mastodon": (0, ("likes", "comments", "shares")),
    "bluesky": (0, ("likes", "comments", "shares", "quotes")),
}
POSTS = [
    (
        "alert",
        3.0,
        "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. Buvez régulièrement, restez au frais. Canicule info service : 0 800 06 66 66. Urgence : 15.",
    ),
    (
        "innovation",
        4.0,
        "Le babicoc, un cocon imaginé par nos équipes de soins, permet aux nourrissons de passer une IRM sans anesthésie. https://www.chu-angers.fr/babicoc",
    ),
    (
        "news",
        1.0,
        "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. https://www.chu-angers.fr/actualites",
    ),
    (
        "prevention",
        1.2,
        "Dépistage du cancer colorectal : dès 50 ans, parlez-en à votre médecin traitant. Un test simple, à faire chez soi.",
    ),
    (
        "recruitment",
        1.5,
        "Rejoignez-nous ! Le pôle femme-mère-enfant recrute des infirmiers et infirmières. https://www.chu-angers.fr/recrutement",
    ),
    (
        "event",
        0.8,
        "HospiLike, la conférence sur les hôpitaux et les réseaux sociaux : inscriptions ouvertes. https://www.chu-angers.fr/hospilike",
    ),
    ("news", 0.9, "Nouveau parking visiteurs : 300 places de plus dès lundi devant les urgences."),
    (
        "prevention",
        1.1,
        "Vaccination contre la grippe : les professionnels du CHU se mobilisent. Protégez-vous, protégez les autres.",
    ),
]
SLOTS = ("09:00", "12:30", "17:30")


def write_site(folder: Path, count: int) -> Path:
    """config.yaml and one queue of ``count`` posts spread over the year, weekdays only."""
    (folder / "posts").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    day, step, posts = datetime(YEAR, 1, 4), 365 / count, []
    for number in range(count):
        at = datetime(YEAR, 1, 4) + timedelta(days=int(number * step))
        while at.weekday() >= 5:
            at += timedelta(days=1)
        day = at
        kind, _weight, text = POSTS[number % len(POSTS)]
        posts.append(
            {
                "id": f"{kind}-{day:%Y-%m-%d}-{number}",
                "at": f"{day:%Y-%m-%d} {SLOTS[number % 3]}",
                "kind": kind,
                "text": text,
            }
        )
    document = {"defaults": {"networks": NETWORKS, "author": "c.dupuis", "approved_by": "a.renier"}, "posts": posts}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000)
    (folder / "posts" / "news.yaml").write_text(text, encoding="utf-8")
    return folder / "config.yaml"


def fill_ledger(config_path: Path, days: int, seed: int = 2027) -> tuple[int, int]:
    """Every post sent to its networks at its time, then ``days`` daily snapshots of each."""
    config = load_config(config_path)
    queues, _ = load_readable_queues(config)
    posts = [post for queue in queues for post in queue.posts]
    weights = {text: weight for _kind, weight, text in POSTS}
    rng = random.Random(seed)
    ledger = Ledger.open_for_publishing(config)
    snapshots: list[Snapshot] = []
    sent = 0
    try:
        for post in posts:
            at = post.at
            assert at is not None
            due = [DueDelivery(post.id, "news", network, "once", at) for network in post.networks]
            ledger.ensure(due, at)
            for item in ledger.claim([d.id for d in due], at, timedelta(minutes=15)):
                ledger.request_started(item, at)
                remote = f"{rng.randrange(10**15, 10**16)}"
                ledger.mark_sent(item, at, remote, f"https://{item.network}.example.org/chuangers/{remote}", "h")
                sent += 1
                peak, given = AUDIENCE[item.network]
                scale = weights.get(post.text, 1.0) * rng.uniform(0.5, 1.6)
                fans = {"views": peak * scale, "likes": 0.02, "comments": 0.003, "shares": 0.006}
                for day in range(1, days + 1):
                    grown = 1 - math.exp(-day / 2.5)  # most of it in the first days
                    views = int(peak * scale * grown)
                    base = views if views else int(40 * scale * grown)  # no views given: a following's size
                    figures = {
                        "views": views,
                        "reach": int(views * 0.7),
                        "likes": int(base * fans["likes"] * 1.5),
                        "comments": int(base * fans["comments"]),
                        "shares": int(base * fans["shares"] * 1.4),
                        "quotes": int(base * 0.001),
                        "bookmarks": int(base * 0.002),
                        "clicks": int(base * 0.015),
                    }
                    if not views:
                        figures.update(likes=int(base * 0.25), comments=int(base * 0.03), shares=int(base * 0.08))
                    taken = at + timedelta(days=day, hours=rng.uniform(-0.5, 0.5))
                    snapshots.append(Snapshot(item.id, post.id, item.network, taken, {k: figures[k] for k in given}))
        for start in range(0, len(snapshots), 2000):
            ledger.record_snapshots(snapshots[start : start + 2000])
    finally:
        ledger.close()
    return sent, len(snapshots)


def screenshot(page: Path, target: Path) -> None:
    from PIL import Image

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("--shot needs chromium")
    with tempfile.TemporaryDirectory() as profile:
        raw = Path(profile) / "shot.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--screenshot={raw}", "--window-size=1100,1900", page.as_uri()],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        with Image.open(raw) as image:
            small = image.convert("RGB").resize((770, 1330), Image.Resampling.LANCZOS)
    small = small.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    target.parent.mkdir(parents=True, exist_ok=True)
    small.save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=150)
    parser.add_argument("--days", type=int, default=30, help="daily snapshots per delivery")
    parser.add_argument("--keep", type=Path, help="build the demo site in this (new) folder and keep it")
    parser.add_argument("--shot", type=Path, help="write a PNG of the July page here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary) / "site"
        config_path = write_site(folder, args.posts)
        started = time.perf_counter()
        sent, taken = fill_ledger(config_path, args.days)
        print(
            f"demo ledger: {args.posts} posts, {sent} deliveries, {taken} snapshots ({time.perf_counter() - started:.1f} s)"
        )
        config = load_config(config_path)
        queues, _ = load_readable_queues(config)
        posts = [post for queue in queues for post in queue.posts]
        ledger = Ledger.open_existing(config.state_url)
        assert ledger is not None
        out = folder / "out"
        timings = []
        try:
            for number in range(1, 13):
                month = Period(YEAR, number)
                started = time.perf_counter()
                report = build(config, ledger, posts, month, NOW)
                page, table = to_html(report), to_csv(report)
                timings.append(time.perf_counter() - started)
                (out / str(month)).mkdir(parents=True, exist_ok=True)
                (out / str(month) / "index.html").write_text(page, encoding="utf-8")
                (out / f"{month}.csv").write_bytes(table)
            started = time.perf_counter()
            report = build(config, ledger, posts, Period(YEAR), NOW)
            built = time.perf_counter() - started
            page, table = to_html(report), to_csv(report)
            yearly = time.perf_counter() - started
        finally:
            ledger.close()
        print(
            f"12 monthly reports (page + CSV) in one process: {sum(timings):.2f} s in all, "
            f"{min(timings):.2f}–{max(timings):.2f} s each (the first imports matplotlib)"
        )
        print(
            f"the annual report {YEAR} (page + CSV, {len(report.rows)} deliveries, {len(report.days)} weekly points) "
            f"in the same process: {yearly:.2f} s (build {built:.2f} s)"
        )
        for option, value, name in (("--month", f"{YEAR}-07", "cli"), ("--year", str(YEAR), "year")):
            report_in_a_new_process(config_path, out / name, option, value)
        if args.shot:
            screenshot(out / "cli" / "index.html", args.shot)


def report_in_a_new_process(config_path: Path, folder: Path, option: str, value: str) -> None:
    """`hospipost report OPTION VALUE --html --csv` as a user runs it: its time and the page's size."""
    command = [HOSPIPOST, "--config", str(config_path), "report", option, value,
               "--html", str(folder), "--csv", f"{folder}.csv", "--now", NOW.isoformat()]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    print(f"`hospipost report {option} {value} --html --csv` in a fresh process: {elapsed:.2f} s")
    print(f"its page: {(folder / 'index.html').stat().st_size // 1024} KB, self-contained")


if __name__ == "__main__":
    main()
