"""How `check`, `queue list` and the year's dry run grow with the number of posts.

Realistic queues: ten files, every post to the five networks, texts that repeat
across weeks (a weekly reminder, the same campaign each Monday) with a share of
flaws. Each command runs in a fresh process, as a user runs it; the table shows
the seconds and each command's time relative to `check` at the same size.
Targets (issue 9): linear growth, `queue list` within 2x and the year's dry run
within 3x of `check`.

    .venv/bin/python bench/scaling.py [--sizes 2000 10000 50000] [--timeout 900]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.helpers import CONFIG_YAML

HOSPIPOST = str(Path(sys.executable).with_name("hospipost"))
NOW = "2026-12-01 08:00"
FILES = 10
NETWORKS = ["x", "facebook", "mastodon", "bluesky", "linkedin"]
TEXTS = [
    "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. Plus d'infos : https://www.chu-angers.fr/actualites",
    "Vaccination contre la grippe : les professionnels du CHU se mobilisent. Protégez-vous, protégez les autres.",
    "Dépistage du cancer colorectal : dès 50 ans, parlez-en à votre médecin traitant. Un test simple, à faire chez soi.",
    "Rejoignez-nous ! Le pôle femme-mère-enfant recrute des infirmiers et infirmières diplômés d'État. Candidatures sur https://www.chu-angers.fr/recrutement",
    "Semaine de la sécurité des patients : nos équipes vous accueillent dans le hall principal. #SemaineSécuritéPatients",
    "Conférence sur les hôpitaux et les réseaux sociaux : inscriptions ouvertes. https://www.chu-angers.fr/conference",
    "Le babicoc, un cocon imaginé par nos équipes de soins, permet aux nourrissons de passer une IRM sans anesthésie. #RechercheEnSoins",
    "Ce traitement guérit à 100 % sans effets secondaires ! Le meilleur service de France.",
]
KINDS = ["news", "prevention", "prevention", "recruitment", "event", "event", "innovation", "news"]
COMMANDS = {
    "check": ["check"],
    "queue list": ["queue", "list"],
    "dry run +365d": ["publish", "--dry-run", "--until", "+365d"],
}


def write_site(folder: Path, count: int) -> Path:
    """config.yaml and ten queue files holding ``count`` posts over the coming year."""
    (folder / "posts").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    start = datetime.fromisoformat(NOW) + timedelta(hours=1)
    step = timedelta(days=364) / count
    queues: list[list[dict]] = [[] for _ in range(FILES)]
    for number in range(count):
        week, theme = divmod(number, len(TEXTS) * 3)  # the same texts come back week after week
        at = start + step * number
        queues[number % FILES].append(
            {
                "id": f"post-{number}",
                "at": at.strftime("%Y-%m-%d %H:%M"),
                "kind": KINDS[theme % len(TEXTS)],
                "text": f"{TEXTS[theme % len(TEXTS)]} (semaine {week % 52 + 1})",
                "author": "c.dupuis",
                "approved_by": "a.renier",
            }
        )
    for index, posts in enumerate(queues):
        document = {"defaults": {"networks": NETWORKS}, "posts": posts}
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000)
        (folder / "posts" / f"queue-{index}.yaml").write_text(text, encoding="utf-8")
    return folder / "config.yaml"


def timed(config: Path, args: list[str], timeout: float) -> float | None:
    """Seconds for one fresh `hospipost` process (None past ``timeout``)."""
    started = time.perf_counter()
    try:
        subprocess.run(
            [HOSPIPOST, "--config", str(config), *args, "--now", NOW],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000, 50_000])
    parser.add_argument("--only", choices=list(COMMANDS), action="append", help="Time only this command (repeatable).")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds before a run is given up.")
    options = parser.parse_args()
    commands = {name: args for name, args in COMMANDS.items() if not options.only or name in options.only}
    print(f"{'posts':>7}  " + "  ".join(f"{name:>20}" for name in commands))
    with tempfile.TemporaryDirectory(prefix="hospipost-scaling-") as temporary:
        for count in options.sizes:
            config = write_site(Path(temporary) / f"site-{count}", count)
            times = {name: timed(config, args, options.timeout) for name, args in commands.items()}
            base = times.get("check")
            cells = []
            for name in commands:
                seconds = times[name]
                ratio = f" ({seconds / base:.1f}x)" if seconds is not None and base and name != "check" else ""
                cells.append(f"{'timeout' if seconds is None else f'{seconds:.1f} s'}{ratio}".rjust(20))
            print(f"{count:>7}  " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
