"""`hospipost calendar`: the terminal view at 80 and 120 columns, the iCalendar file read back
with icalendar, and the static page rendered by a real headless Chromium; real files in
tmp_path, a real SQLite ledger."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.config import Config
from tests.helpers import chromium, make_config

NOW = "2026-11-23 11:00"  # a Monday
PARIS = ZoneInfo("Europe/Paris")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_ID = "journee-portes-ouvertes-institut-formation-soins-infirmiers-2026-11-27"
QUEUE = f"""\
defaults:
  author: c.dupuis
  approved_by: a.renier
posts:
  - id: salle-attente
    at: 2026-11-23 09:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    networks: [facebook, mastodon]
  - id: portes-ouvertes
    at: 2026-11-24 10:00
    text: Journée portes ouvertes de l'institut de formation en soins infirmiers, samedi de 9 h à 17 h.
    variants:
      mastodon: Portes ouvertes de l'IFSI samedi, de 9 h à 17 h. Venez nous rencontrer !
    networks: [x, facebook, mastodon, bluesky, linkedin]
  - id: sans-validation
    at: 2026-11-25 12:30
    text: Vaccination contre la grippe, les professionnels du CHU se mobilisent.
    approved_by: null
    networks: [facebook]
  - id: brouillon
    at: 2026-11-26 10:00
    text: Un brouillon pour plus tard.
    draft: true
    networks: [facebook]
  - id: {LONG_ID}
    at: 2026-11-27 17:30
    text: L'institut de formation en soins infirmiers ouvre ses portes aux futurs étudiants.
    networks: [x, facebook, mastodon, bluesky, linkedin]
  - id: chaque-lundi
    every: "0 9 * * 1"
    text: Rappel hebdomadaire, les visites sont ouvertes de 12 h à 20 h.
    networks: [facebook, mastodon]
"""
STATES = ("sent", "missed", "scheduled", "blocked", "draft")


@pytest.fixture
def site(tmp_path: Path) -> Config:
    config = make_config(tmp_path / "site")
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    return config


def run(config: Config, *args: str, now: str = NOW, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), "calendar", *args, "--now", now], env=env)


def in_terminal(config: Config, width: int, *args: str) -> str:
    result = run(config, *args, env={"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": None})
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.output)


def record_sent(config: Config, post_id: str, network: str, at: str) -> None:
    """The ledger says ``post_id`` went out to ``network`` (as a publish run records it)."""
    from hospipost.ledger import DueDelivery, Ledger

    due_at = datetime.fromisoformat(at).replace(tzinfo=PARIS)
    ledger = Ledger.open_for_publishing(config)
    try:
        due = DueDelivery(post_id, "news", network, "once", due_at)
        ledger.ensure([due], due_at)
        [item] = ledger.claim([due.id], due_at, timedelta(minutes=15))
        ledger.request_started(item, due_at)
        ledger.mark_sent(item, due_at, "1", f"https://social.example.org/@chu/{post_id}", "h")
    finally:
        ledger.close()


# --- the terminal ---------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 120])
def test_the_week_fits_the_terminal_and_keeps_every_state_whole(site: Config, width: int) -> None:
    record_sent(site, "salle-attente", "facebook", "2026-11-23 09:00")
    out = in_terminal(site, width)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width, out
    assert lines[0] == "Mon 23 Nov – Sun 29 Nov 2026 (Europe/Paris)"
    assert lines[1].split() == ["when", "post", "network", "state", "check", "approval"]
    for state in (*STATES, "not approved", "1 warning"):
        assert any(re.search(rf"(^|\s){state}(\s|$)", line) for line in lines), (state, out)
    # every day of the week is a row, in order, an empty one marked
    days = [line.split("  ")[0] for line in lines[1:] if re.match(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", line)]
    assert days == ["Mon 23 Nov", "Tue 24 Nov", "Wed 25 Nov", "Thu 26 Nov", "Fri 27 Nov", "Sat 28 Nov", "Sun 29 Nov"]
    assert re.search(r"^Sat 28 Nov\s+—$", out, re.M)
    # each delivery of a post is a line: network and state side by side
    assert re.search(r"^\s+09:00\s+salle-attente\s+facebook\s+sent\s+1 warning\s+approved$", out, re.M), out
    assert re.search(r"^\s+mastodon\s+missed$", out, re.M), out
    assert re.search(r"sans-validation\s+facebook\s+blocked\s+✓\s+not approved", out), out
    # a long id folds, its start on the post's first line
    assert LONG_ID[:12] in out and "…" not in out
    assert out.rstrip().endswith("16 deliveries in 6 posts: 10 scheduled, 3 missed, 1 sent, 1 blocked, 1 draft.")


def test_at_120_columns_ids_of_ordinary_length_stay_whole(site: Config) -> None:
    out = in_terminal(site, 120)
    for post_id in ("salle-attente", "portes-ouvertes", "sans-validation", "brouillon", "chaque-lundi"):
        assert re.search(rf"\s{post_id}\s", out), (post_id, out)


def test_outside_a_terminal_nothing_is_wrapped_or_padded(site: Config) -> None:
    result = run(site)
    assert result.exit_code == 0, result.output
    assert LONG_ID in result.output
    assert all(line == line.rstrip() for line in result.output.splitlines())


def test_the_month_shows_its_days_with_posts(site: Config) -> None:
    out = run(site, "--month").output
    assert out.splitlines()[0] == "November 2026 (Europe/Paris)"
    assert "Mon 30 Nov" in out and "Sat 28 Nov" not in out  # a month lists the days that have posts
    assert "Mon 2 Nov" in out  # the weekly post, already past at the start of the month
    assert "Mon 7 Dec" not in out


def test_from_starts_the_period_on_that_day(site: Config) -> None:
    out = run(site, "--from", "2026-11-25").output
    assert out.splitlines()[0] == "Wed 25 Nov – Tue 1 Dec 2026 (Europe/Paris)"
    assert "salle-attente" not in out and "sans-validation" in out and "Mon 30 Nov" in out
    month = run(site, "--month", "--from", "2026-11-25").output
    assert month.splitlines()[0].startswith("Wed 25 Nov – Thu 24 Dec 2026")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "--month"], "Error: Give --week or --month, not both"),
        (["--from", "2026-13-01"], "Error: --from '2026-13-01': expected a date such as 2027-03-01 (YYYY-MM-DD)"),
        (["--from", "demain"], "Error: --from 'demain': expected a date such as 2027-03-01 (YYYY-MM-DD)"),
        (["--from", "2026-11-25 10:00"], "Error: --from '2026-11-25 10:00': expected a date such as"),
    ],
)
def test_bad_options_say_so_in_one_line(site: Config, args: list[str], message: str) -> None:
    result = run(site, *args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith(message), result.output


def test_an_unreadable_queue_is_an_error_not_an_empty_calendar(site: Config) -> None:
    (site.root / "posts" / "broken.yaml").write_text("posts:\n  - id: [\n", encoding="utf-8")
    result = run(site)
    assert result.exit_code == 2 and "broken.yaml" in result.output


def test_calendar_help_does_not_import_rich_or_icalendar() -> None:
    code = (
        "import sys; from hospipost.cli import cli\n"
        "try: cli.main(['calendar', '--help'], standalone_mode=False)\n"
        "finally: print(sorted(m for m in ('rich', 'icalendar') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Show what goes out when" in out and out.strip().endswith("[]")


# --- iCalendar ------------------------------------------------------------------------


def read_ics(path: Path) -> tuple[object, list[object]]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return calendar, list(calendar.walk("VEVENT"))


def test_the_ics_file_reads_back_with_stable_uids_local_times_and_the_zone(site: Config, tmp_path: Path) -> None:
    record_sent(site, "salle-attente", "facebook", "2026-11-23 09:00")
    path = tmp_path / "www" / "posts.ics"
    result = run(site, "--ics", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {path}: 10 events (November 2026).\n"
    calendar, events = read_ics(path)
    # a month of occurrences: 5 one-off posts (draft included) and 5 Mondays of the weekly one
    assert len(events) == 10
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == 10
    event = by_uid["portes-ouvertes:once@chu-d-angers.hospipost"]
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 11, 24, 10, 0, tzinfo=PARIS) and str(start.tzinfo) == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(event["SUMMARY"]) == "portes-ouvertes → x, facebook, mastodon, bluesky, linkedin"
    description = str(event["DESCRIPTION"])
    assert description.startswith("Journée portes ouvertes de l'institut de formation en soins infirmiers")
    assert "facebook: scheduled" in description and "Approval: approved" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    sent = str(by_uid["salle-attente:once@chu-d-angers.hospipost"]["DESCRIPTION"])
    assert "facebook: sent (https://social.example.org/@chu/salle-attente)" in sent and "mastodon: missed" in sent
    unapproved = by_uid["sans-validation:once@chu-d-angers.hospipost"]
    assert "Approval: not approved" in str(unapproved["DESCRIPTION"]) and str(unapproved["STATUS"]) == "TENTATIVE"
    assert "Blocked: check errors (approval-required): run `hospipost check`" in str(unapproved["DESCRIPTION"])
    weekly = sorted(uid for uid in by_uid if uid.startswith("chaque-lundi:"))
    assert weekly == [f"chaque-lundi:202611{day:02d}T0800Z@chu-d-angers.hospipost" for day in (2, 9, 16, 23, 30)]
    # only public content: no author, no approver
    text = path.read_text(encoding="utf-8")
    assert "dupuis" not in text and "renier" not in text

    # again, later, with a post moved: the same UIDs, the moved event at its new time
    queue = site.root / "posts" / "news.yaml"
    queue.write_text(QUEUE.replace("at: 2026-11-24 10:00", "at: 2026-11-24 14:00"), encoding="utf-8")
    assert run(site, "--ics", str(path), now="2026-11-23 15:00").exit_code == 0
    _, again = read_ics(path)
    moved = {str(e["UID"]): e for e in again}
    assert set(moved) == set(by_uid)
    assert moved["portes-ouvertes:once@chu-d-angers.hospipost"].decoded("DTSTART").hour == 14
    assert [p.name for p in path.parent.iterdir()] == ["posts.ics"]  # written atomically: no temporary left


def test_the_ics_keeps_local_times_across_a_dst_change(site: Config, tmp_path: Path) -> None:
    path = tmp_path / "march.ics"
    assert run(site, "--ics", str(path), "--from", "2027-03-01").exit_code == 0
    _, events = read_ics(path)
    mondays = sorted(e.decoded("DTSTART") for e in events if str(e["UID"]).startswith("chaque-lundi:"))
    assert [(m.day, m.hour, m.utcoffset()) for m in mondays] == [
        (1, 9, timedelta(hours=1)),
        (8, 9, timedelta(hours=1)),
        (15, 9, timedelta(hours=1)),
        (22, 9, timedelta(hours=1)),
        (29, 9, timedelta(hours=2)),  # summer time from 28 March: still 09:00 in Paris
    ]


def test_an_empty_period_writes_a_valid_empty_calendar(site: Config, tmp_path: Path) -> None:
    (site.root / "posts" / "news.yaml").write_text("posts: []\n", encoding="utf-8")
    path = tmp_path / "empty.ics"
    assert run(site, "--ics", str(path)).exit_code == 0
    calendar, events = read_ics(path)
    assert events == [] and calendar["X-WR-CALNAME"] == "CHU d'Angers – posts"


def test_the_ics_target_may_not_be_a_folder(site: Config, tmp_path: Path) -> None:
    result = run(site, "--ics", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output


# --- the static page ------------------------------------------------------------------


def write_page(site: Config, folder: Path) -> str:
    record_sent(site, "salle-attente", "facebook", "2026-11-23 09:00")
    result = run(site, "--html", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {folder / 'index.html'}: 10 posts (November 2026).\n"
    return (folder / "index.html").read_text(encoding="utf-8")


def test_the_page_holds_each_networks_preview_and_the_states(site: Config, tmp_path: Path) -> None:
    page = write_page(site, tmp_path / "web")
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>Posts of November 2026 – CHU d&#x27;Angers</title>" in page
    assert '<th scope="col">Networks</th>' in page and "<caption>" in page and '<th scope="row">' in page
    # each network's text as it receives it, with its length against its own limit
    assert "Portes ouvertes de l&#x27;IFSI samedi, de 9 h à 17 h. Venez nous rencontrer !" in page  # the variant
    assert re.search(r"\d+ / 280 weighted characters", page), page  # X counts its way
    assert re.search(r"\d+ / 300 graphemes", page) or re.search(r"\d+ / 300 ", page)  # Bluesky
    assert '<span class="state good">sent</span> <a href="https://social.example.org/@chu/salle-attente">' in page
    assert "<p>Blocked: check errors (approval-required): run `hospipost check`.</p>" in page
    for state in ("scheduled", "missed", "blocked", "draft", "not approved"):
        assert f">{state}</span>" in page, state
    # nothing fetched from elsewhere, nothing private
    assert not re.search(r"<(link|script|img|iframe)\b|src=|@import|url\(", page)
    assert "dupuis" not in page and "renier" not in page


def test_the_page_renders_in_a_real_headless_chromium(site: Config, tmp_path: Path) -> None:
    from PIL import Image

    browser = chromium()
    folder = tmp_path / "web"
    write_page(site, folder)
    url = (folder / "index.html").as_uri()
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1280,900", url], capture_output=True, timeout=120, check=True
    )
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (1280, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, "the screenshot is blank"  # text, badges, table rules
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    assert '<html lang="fr">' in dom
    for post_id in ("salle-attente", "portes-ouvertes", "sans-validation", "brouillon", "chaque-lundi", LONG_ID):
        assert f">{post_id}</a>" in dom, post_id
    assert dom.count('<section class="post"') == 10
    assert "Venez nous rencontrer" in dom


def test_period_helpers() -> None:
    from hospipost.calendar import period

    assert period("week", None, date(2026, 11, 26)).start == date(2026, 11, 23)
    assert period("month", None, date(2026, 12, 31)).end == date(2026, 12, 31)
    assert period("month", date(2027, 1, 31), date(2026, 1, 1)).end == date(2027, 2, 27)


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_pages_colours_have_sufficient_contrast() -> None:
    from hospipost.calendar import CSS

    pairs = re.findall(r"background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6})", CSS)
    assert len(pairs) == 4  # the four tones of the state badges
    pairs += [("#ffffff", "#1f2937"), ("#ffffff", "#374151"), ("#ffffff", "#1d4ed8"), ("#f9fafb", "#1f2937")]
    for background, foreground in pairs:
        assert contrast(foreground, background) >= 4.5, (foreground, background)  # WCAG AA, normal text
