"""`hospipost check` over 10 000 posts in 10 queue files, against PyYAML's C loader alone.

The target is the whole `hospipost check` (a fresh process: imports, config, loading,
all the rules, the report) within 4x the time the C loader takes just to parse the
same files. The posts are realistic CHU texts with a share of flaws.

    .venv/bin/python bench/check_10k.py [--posts 10000] [--files 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hospipost.scaffold import DAYS_FR, MONTHS_FR
from tests.helpers import CONFIG_YAML

TEXTS = [
    "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. Plus d'infos : https://www.chu-angers.fr/actualites",
    "Fortes chaleurs : buvez régulièrement, mouchez les volets. En cas de malaise, appelez le 15. Canicule info service : 0 800 06 66 66. https://www.santepubliquefrance.fr",
    "Le babicoc, un cocon imaginé par nos équipes de soins, permet aux nourrissons de passer une IRM sans anesthésie. #RechercheEnSoins",
    "Rejoignez-nous ! Le pôle femme-mère-enfant recrute des infirmiers et infirmières diplômés d'État. Candidatures sur https://www.chu-angers.fr/recrutement",
    "Semaine de la sécurité des patients : nos équipes vous accueillent dans le hall principal du 25 au 29 novembre. #SemaineSécuritéPatients",
    "Vaccination contre la grippe : les professionnels du CHU se mobilisent. Protégez-vous, protégez les autres.",
    "Conférence HospiLike sur les hôpitaux et les réseaux sociaux : inscriptions ouvertes jusqu'au 15 mars. https://www.chu-angers.fr/hospilike",
    "Dépistage du cancer colorectal : dès 50 ans, parlez-en à votre médecin traitant. Un test simple, à faire chez soi.",
    "M. Dupont, hospitalisé en réanimation chambre 12, remercie les équipes. Contact : 06 12 34 56 78",
    "Ce traitement guérit à 100 % sans effets secondaires ! Le meilleur service de France.",
]


SERVICES = [
    "pédiatrie",
    "cardiologie",
    "urgences",
    "maternité",
    "gériatrie",
    "oncologie",
    "neurologie",
    "radiologie",
    "pneumologie",
    "psychiatrie",
    "réanimation",
    "chirurgie",
    "dermatologie",
    "ophtalmologie",
    "rhumatologie",
    "néphrologie",
    "hématologie",
    "endocrinologie",
    "addictologie",
    "médecine du sport",
]


THEMES = [
    "accueil des familles",
    "prévention",
    "recherche en soins",
    "formation",
    "qualité des soins",
    "bientraitance",
    "développement durable",
    "dons",
    "bénévolat",
    "numérique en santé",
]


def _variation(number: int) -> str:
    """A different, ordinary ending for each post (no two texts are the same, as in real queues)."""
    number, service = divmod(number, len(SERVICES))
    number, day = divmod(number, len(DAYS_FR))
    number, month = divmod(number, len(MONTHS_FR))
    theme = THEMES[number % len(THEMES)]
    return f"{theme}, service de {SERVICES[service]}, un {DAYS_FR[day]} de {MONTHS_FR[month]}"


def write_queues(folder: Path, posts: int, files: int) -> list[Path]:
    (folder / "posts").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    rng = random.Random(2026)
    paths = []
    start = date(2027, 1, 4)
    per_file = posts // files
    for file_index in range(files):
        items = []
        for index in range(per_file):
            number = file_index * per_file + index
            day = start + timedelta(days=number // 8)
            text = f"{rng.choice(TEXTS)} ({_variation(number)})"
            items.append(
                {
                    "id": f"post-{number}",
                    "at": f"{day.isoformat()} {9 + number % 8:02d}:{(number * 7) % 60:02d}",
                    "kind": rng.choice(["news", "event", "recruitment", "prevention"]),
                    "text": text,
                    "author": "c.dupuis",
                    "approved_by": rng.choice(["a.renier", "b.martin", None]),
                }
            )
        body = yaml.safe_dump(
            {
                "defaults": {"networks": ["x", "facebook", "mastodon", "bluesky", "linkedin"]},
                "posts": [{k: v for k, v in item.items() if v is not None} for item in items],
            },
            allow_unicode=True,
            sort_keys=False,
            width=200,
        )
        path = folder / "posts" / f"queue-{file_index}.yaml"
        path.write_text(f"# Queue {file_index}\n{body}", encoding="utf-8")
        paths.append(path)
    return paths


def parse_only(paths: list[Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to parse the files with the C loader."""
    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started, time.process_time() - cpu


def check_run(folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a whole `hospipost check` process."""
    hospipost = str(Path(sys.executable).with_name("hospipost"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [hospipost, "--config", str(folder / "config.yaml"), "check", "--format", "json", "--now", "2026-11-23 11:00"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):
        raise SystemExit(f"check failed: {result.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compile_package() -> None:
    """Byte-compile hospipost, as pip does when it installs it: without that (an editable
    install under PYTHONDONTWRITEBYTECODE), every run would also compile its sources."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "hospipost"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_queues(folder, args.posts, args.files)
        size = sum(p.stat().st_size for p in paths)
        parses, checks = [], []
        for _ in range(args.runs):  # interleaved, so that a noisy moment hits both alike
            parses.append(parse_only(paths))
            checks.append(check_run(folder))
    # This machine's speed drifts from minute to minute: each check is compared with the parse
    # measured just before it, and the median of those ratios is the figure.
    ratios = sorted(c[1] / p[1] for p, c in zip(parses, checks, strict=False))
    parse, parse_cpu = (statistics.median(p[i] for p in parses) for i in (0, 1))
    check, check_cpu = (statistics.median(c[i] for c in checks) for i in (0, 1))
    print(f"{args.posts} posts in {args.files} files, {size / 1e6:.1f} MB ({args.runs} interleaved runs, medians)")
    print(f"PyYAML C loader, parse only   {parse:6.2f} s wall  {parse_cpu:6.2f} s CPU")
    print(f"hospipost check (full run)    {check:6.2f} s wall  {check_cpu:6.2f} s CPU")
    print(
        f"check / parse, CPU, run by run: median {statistics.median(ratios):.2f}x "
        f"(from {ratios[0]:.2f}x to {ratios[-1]:.2f}x); target <= 4x"
    )


if __name__ == "__main__":
    main()
