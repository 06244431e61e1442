"""The monthly report's data, page and CSV (`hospipost/stats_report.py`): a real SQLite ledger filled by
the real publisher (fake networks), figures recorded as dated snapshots, as `stats fetch` keeps them."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from hospipost.config import Config
from hospipost.ledger import DeliveryState, Ledger, Snapshot
from hospipost.metrics import FIGURES, count_text
from hospipost.posts import Post
from hospipost.publisher import Publisher, candidates, plan
from hospipost.stats_report import CSV_HEAD, Month, Report, build, read_csv, to_csv, to_html
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import chromium, make_posts, post_with

NOW = datetime(2027, 8, 10, 8, 0, tzinfo=UTC)
JULY = Month(2027, 7)
CANICULE = (
    "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. Canicule info service : 0 800 06 66 66. "
    "Urgence : appelez le 15. https://www.santepubliquefrance.fr/canicule"
)
BABICOC = "Le babicoc permet aux nourrissons de passer une IRM sans anesthésie. Une innovation de nos équipes <soins> & recherche."
EXTRA = {
    "alert": {"valid_until": "2027-07-26 09:00"},
    "innovation": {"source": "https://www.chu-angers.fr/recherche/babicoc"},
}
POSTS = (  # id, local time, kind, networks, text
    ("canicule-2027-07-19", "2027-07-19 09:00", "alert", ["facebook", "x", "mastodon"], CANICULE),
    ("babicoc", "2027-07-06 12:30", "innovation", ["facebook", "mastodon"], BABICOC),
    ("juin", "2027-06-30 17:30", "news", ["facebook"], "Nouveau parking visiteurs : 300 places de plus dès lundi."),
    ("retire", "2027-07-08 09:00", "news", ["facebook"], "Un post retiré depuis, pour une erreur de chiffres."),
)
# (post, network, local time taken, figures); Mastodon gives no views
SNAPSHOTS = (
    ("babicoc", "facebook", "2027-07-07 10:00", {"views": 1000, "reach": 800, "likes": 50, "comments": 3}),
    ("babicoc", "mastodon", "2027-07-07 10:00", {"likes": 20, "shares": 4}),
    ("canicule-2027-07-19", "facebook", "2027-07-19 20:00", {"views": 100, "likes": 5}),
    ("canicule-2027-07-19", "facebook", "2027-07-20 08:00", {"views": 300, "likes": 20}),
    ("canicule-2027-07-19", "facebook", "2027-07-20 18:00", {"views": 500, "likes": 30, "shares": 20}),
    ("canicule-2027-07-19", "facebook", "2027-07-22 09:00", {"views": 900, "likes": 40, "shares": 30, "comments": 5}),
    ("canicule-2027-07-19", "x", "2027-07-20 09:00", {"views": 200, "likes": 10, "shares": 2, "quotes": 0}),
    ("canicule-2027-07-19", "mastodon", "2027-07-20 09:00", {"likes": 7, "shares": 12, "comments": 1}),
    ("juin", "facebook", "2027-07-01 09:00", {"views": 5000, "likes": 500}),
    ("retire", "facebook", "2027-07-09 09:00", {"views": 7000, "likes": 700}),
)


def fill(config: Config, ledger: Ledger) -> list[Post]:
    """The posts sent at their times through the real publisher, then their figures as snapshots."""
    posts = make_posts(
        config,
        *(
            post_with(id=i, at=at, kind=kind, networks=networks, text=text, **EXTRA.get(kind, {}))
            for i, at, kind, networks, text in POSTS
        ),
    )
    networks = FakeNetworkSet()
    for post in posts:
        assert post.at is not None
        at = post.at
        Publisher(ledger, networks, lambda at=at: at).send(plan(candidates([post], config, at), config, at))
    sent = {(item.post_id, item.network): item for item in ledger.all(states=[DeliveryState.SENT])}
    assert len(sent) == 7, sent
    tz = config.timezone
    ledger.record_snapshots(
        [
            Snapshot(sent[post, net].id, post, net, datetime.fromisoformat(at).replace(tzinfo=tz), figures)
            for post, net, at, figures in SNAPSHOTS
        ]
    )
    ledger.request_retraction("retire", None, "Chiffres erronés", "a.renier", NOW - timedelta(days=20), by_hand=True)
    return posts


@pytest.fixture
def july(tmp_path: Path, config: Config) -> Report:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        posts = fill(config, ledger)
        return build(config, ledger, posts, JULY, NOW)
    finally:
        ledger.close()


def test_the_month_holds_the_deliveries_sent_in_it_with_their_latest_figures(july: Report) -> None:
    assert sorted((row.post_id, row.network) for row in july.rows) == [
        ("babicoc", "facebook"),
        ("babicoc", "mastodon"),
        ("canicule-2027-07-19", "facebook"),
        ("canicule-2027-07-19", "mastodon"),
        ("canicule-2027-07-19", "x"),
    ]  # not June's post, nor the retracted one
    assert [row.interactions for row in july.rows] == [75, 53, 24, 20, 12]  # most first
    top = july.rows[0]
    assert top.figures == {"views": 900, "likes": 40, "shares": 30, "comments": 5}
    assert top.kind == "alert" and top.text == CANICULE and top.url and top.url.startswith("https://")
    assert july.unread == [] and july.posts == 2


def test_views_are_summed_day_by_day_and_mastodon_gives_none(july: Report) -> None:
    assert july.days[0] == date(2027, 7, 1) and july.days[-1] == date(2027, 7, 31) and len(july.days) == 31
    assert july.no_views == ["mastodon"] and set(july.views) == {"facebook", "x"}
    facebook = dict(zip(july.days, july.views["facebook"], strict=True))
    # babicoc's 1 000 from the 7th; the alert's latest of each day (500 on the 20th), carried over the 21st
    assert facebook[date(2027, 7, 6)] == 0 and facebook[date(2027, 7, 7)] == 1000
    assert facebook[date(2027, 7, 19)] == 1100 and facebook[date(2027, 7, 20)] == 1500
    assert facebook[date(2027, 7, 21)] == 1500 and facebook[date(2027, 7, 22)] == 1900
    assert july.views["facebook"][-1] == 1900 and july.views["x"][-1] == 200


def test_a_month_in_progress_stops_today(tmp_path: Path, config: Config) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        report = build(config, ledger, fill(config, ledger), JULY, datetime(2027, 7, 21, 12, 0, tzinfo=UTC))
    finally:
        ledger.close()
    assert report.days[-1] == date(2027, 7, 21) and report.views["facebook"][-1] == 1500


def test_the_page_has_the_charts_their_tables_and_the_top_posts(july: Report) -> None:
    page = to_html(july)
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>Réseaux sociaux — juillet 2027 — CHU d&#x27;Angers</title>" in page
    # two charts, each a figure with its caption, an SVG named for screen readers, and its data as a table
    assert page.count("<figure") == 2 and page.count("<figcaption") == 2
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 2 and all('role="img"' in svg and "aria-label=" in svg for svg in svgs)
    assert page.count("<title>") == 3 and "<path" in page and "<text" in page  # text stays text
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids between the charts"
    # the views table: the day and each network's cumulated views
    row = re.search(r'<tr><th scope="row"><time datetime="2027-07-20">20/07</time></th>(.*?)</tr>', page)
    assert row and re.findall(r">([^<]+)</td>", row.group(1)) == [count_text(1500), "200"]
    assert "Mastodon : pas de vues communiquées" in page
    assert re.search(
        r"Mastodon</th><td class=\"n\">2</td><td class=\"n\"><span class=\"missing\">non communiquées", page
    )
    # interactions per kind: alert 3 deliveries, 107 interactions; innovation 2, 77
    assert re.search(r'Alerte sanitaire</th><td class="n">3</td>.*?<td class="n">107</td>', page)
    assert re.search(r'Innovation</th><td class="n">2</td>.*?<td class="n">77</td>', page)
    # the top posts: text (escaped), link, figures
    first = page[page.index('<li id="top-1">') : page.index('<li id="top-2">')]
    assert "canicule-2027-07-19 · Facebook" in first and "75 interactions" in first and "900" in first
    assert "Canicule info service : 0 800 06 66 66." in first and 'href="https://' in first
    assert "&lt;soins&gt; &amp; recherche" in page
    assert page.count('<li id="top-') == 5
    # nothing fetched from elsewhere; nothing personal; not the retracted post
    assert not re.search(r"<(link|script|img|iframe)\b|src=|@import|url\((?!#)", page)
    assert "dupuis" not in page and "renier" not in page and "retire" not in page


def test_the_csv_reads_back_exactly(july: Report, config: Config) -> None:
    data = to_csv(july)
    assert data.startswith(b"\xef\xbb\xbfpost;queue;kind;network;sent_at;url;views;")
    rows = read_csv(data)
    assert list(rows[0]) == list(CSV_HEAD) and len(rows) == 5
    by_key = {(row["post"], row["network"]): row for row in rows}
    for line in july.rows:
        row = by_key[line.post_id, line.network]
        assert datetime.fromisoformat(row["sent_at"]) == line.sent_at
        assert row["sent_at"].endswith("+02:00")  # local time, with its offset
        assert datetime.fromisoformat(row["read_at"]) == line.taken_at
        assert (row["queue"], row["kind"], row["url"]) == (line.queue, line.kind, line.url)
        assert {name: int(row[name]) for name in FIGURES if row[name] != ""} == line.figures  # absent: empty, never 0
    assert by_key["babicoc", "mastodon"]["views"] == ""
    assert by_key["canicule-2027-07-19", "x"]["quotes"] == "0"  # a real 0 stays 0
    assert [row["post"] for row in rows][:2] == ["babicoc", "babicoc"]  # in the order they were sent


def test_the_csv_survives_separators_quotes_and_unread_deliveries(july: Report) -> None:
    july.rows[0] = replace(july.rows[0], url='https://example.org/a;b,"c"\nd')
    sent_at = july.rows[1].sent_at  # a delivery whose figures were never read
    july.unread.append(
        SimpleNamespace(post_id="babicoc", network="bluesky", queue="news", sent_at=sent_at, remote_url=None)
    )
    rows = read_csv(to_csv(july))
    assert 'https://example.org/a;b,"c"\nd' in [row["url"] for row in rows]
    unread = next(row for row in rows if row["network"] == "bluesky")
    assert all(unread[name] == "" for name in (*FIGURES, "read_at", "url"))


def test_months_parse_and_say_their_names() -> None:
    assert Month.parse("2027-07") == JULY and str(JULY) == "2027-07"
    assert (JULY.title, JULY.title_fr) == ("July 2027", "juillet 2027")
    assert Month(2027, 12).next_first == date(2028, 1, 1)
    for bad in ("2027-13", "2027-7", "juillet", "2027-00", "2027-07-01"):
        with pytest.raises(ValueError):
            Month.parse(bad)


def test_the_page_renders_in_a_real_headless_chromium(july: Report, tmp_path: Path) -> None:
    from PIL import Image

    browser = chromium()
    page = tmp_path / "web" / "index.html"
    page.parent.mkdir()
    page.write_text(to_html(july), encoding="utf-8")
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (1200, 2000)
        pixels = image.convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 22) or []
    assert len(colours) > 100, "the screenshot is blank"
    # the charts are drawn: Facebook's blue line and the bars' colours are on the screen, somewhere
    counts = {colour: count for count, colour in colours}
    for wanted in ((0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00), (0x00, 0x9E, 0x73)):
        assert counts.get(wanted, 0) > 200, wanted
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count('role="img"') == 2 and dom.count('<li id="top-') == 5
