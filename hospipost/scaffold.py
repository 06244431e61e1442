"""`hospipost init`: a ready-to-use folder (config.yaml, example queues, media/).

The examples are package data under ``hospipost/examples/``. Their dates are rendered
relative to the day ``init`` runs (the next weekdays), so that the example posts pass
``hospipost check`` whenever the folder is created: a fixed date would soon be in the past.
Existing files are never overwritten, and config.yaml is written last, so an
interrupted ``init`` can simply be run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from hospipost.errors import HospipostError

EXAMPLES_TIMEZONE = "Europe/Paris"  # the zone written in the example config.yaml
CONFIG_NAME = "config.yaml"

# destination -> (source under hospipost/examples/, rendered as a template?)
MANIFEST: dict[str, tuple[str, bool]] = {
    "media/canicule.png": ("media/canicule.png", False),
    "posts/health-alerts.yaml": ("posts/health-alerts.yaml", True),
    "posts/innovation.yaml": ("posts/innovation.yaml", True),
    "posts/events.yaml": ("posts/events.yaml", True),
    "consents.yaml": ("consents.yaml", False),
    ".gitignore": ("gitignore", False),
    CONFIG_NAME: ("config.yaml", True),  # last: its presence means "init is done"
}

DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass
class InitResult:
    """What `init` did: the files it created and the ones it found and kept."""

    folder: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def today_in_examples_zone() -> date:
    """Today's date where the example config lives (Europe/Paris)."""
    return datetime.now(ZoneInfo(EXAMPLES_TIMEZONE)).date()


def next_weekday(day: date) -> date:
    """The first Monday-to-Friday strictly after ``day``."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def french_date(day: date) -> str:
    """'mercredi 16 décembre 2026'."""
    return f"{DAYS_FR[day.weekday()]} {day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def example_values(today: date) -> dict[str, str]:
    """The template values: three consecutive weekdays after ``today``, on the config's slots."""
    alert_day = next_weekday(today)
    innovation_day = next_weekday(alert_day)
    event_post_day = next_weekday(innovation_day)
    event_day = event_post_day + timedelta(days=14)  # same weekday, two weeks later
    return {
        "today": today.isoformat(),
        "alert_day": alert_day.isoformat(),
        "alert_at": f"{alert_day.isoformat()} 09:00",
        "alert_valid_until": f"{(alert_day + timedelta(days=2)).isoformat()} 19:00",
        "innovation_at": f"{innovation_day.isoformat()} 12:30",
        "event_post_at": f"{event_post_day.isoformat()} 17:30",
        "event_day": event_day.isoformat(),
        "event_date_fr": french_date(event_day),
    }


def render_examples(today: date) -> dict[str, bytes]:
    """Every file `init` writes, by path relative to the new folder, in writing order."""
    examples = files("hospipost").joinpath("examples")
    values = example_values(today)
    rendered = {}
    for destination, (source, is_template) in MANIFEST.items():
        data = examples.joinpath(source).read_bytes()
        if is_template:
            data = Template(data.decode("utf-8")).substitute(values).encode("utf-8")
        rendered[destination] = data
    return rendered


def create_site(folder: Path, today: date | None = None) -> InitResult:
    """Create ``folder`` (when missing) with config.yaml, posts/ and media/.

    Refuses when the folder already holds a config.yaml; any other existing file is
    kept as it is and reported in ``InitResult.kept``.
    """
    config_path = folder / CONFIG_NAME
    if config_path.exists() or config_path.is_symlink():
        raise HospipostError(f"{config_path}: already exists; `hospipost init` never overwrites a configuration")
    if folder.exists() and not folder.is_dir():
        raise HospipostError(f"{folder}: exists and is not a folder")
    contents = render_examples(today or today_in_examples_zone())
    result = InitResult(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for relative, data in contents.items():
            if _write_new(folder / relative, data):
                result.created.append(relative)
            else:
                result.kept.append(relative)
    except OSError as error:
        raise HospipostError(f"{error.filename or folder}: cannot create: {error.strerror}") from None
    return result


def _write_new(path: Path, data: bytes) -> bool:
    """Write a file that must not exist yet; False (and nothing written) when it does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x" is an atomic existence check: a file created meanwhile is never overwritten.
        with open(path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True
