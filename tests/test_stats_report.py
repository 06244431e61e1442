"""The report's data, page and CSV, of a month and of a year (`hospipost/stats_report.py`): a real SQLite ledger filled by
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
from hospipost.stats_report import CSV_HEAD, Period, Report, build, by_month, read_csv, to_csv, to_html
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import chromium, make_posts, post_with

NOW = datetime(2027, 8, 10, 8, 0, tzinfo=UTC)
JULY = Period(2027, 7)
YEAR = Period(2027)
NEXT_JANUARY = datetime(2028, 1, 20, 8, 0, tzinfo=UTC)
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


# The rest of 2027 for the annual report, and a post on each side of it (local times)
YEAR_POSTS = (
    ("voeux-2026", "2026-12-31 18:00", "news", ["facebook"], "Le CHU vous souhaite une belle année 2027."),
    ("mars", "2027-03-10 09:00", "prevention", ["facebook", "x"], "Dépistage du cancer colorectal : dès 50 ans."),
    ("decembre", "2027-12-31 23:30", "news", ["facebook"], "Les urgences restent ouvertes cette nuit."),
    ("janvier-2028", "2028-01-01 00:30", "news", ["facebook"], "Bienvenue aux premiers bébés de 2028."),
)
YEAR_SNAPSHOTS = (
    ("voeux-2026", "facebook", "2027-01-02 10:00", {"views": 4000, "likes": 400}),  # read in 2027, sent in 2026
    ("mars", "facebook", "2027-03-10 20:00", {"views": 200, "likes": 10}),
    ("mars", "facebook", "2027-03-17 20:00", {"views": 600, "likes": 30, "shares": 5}),
    ("mars", "x", "2027-03-11 09:00", {"views": 50, "likes": 2}),
    ("decembre", "facebook", "2027-12-31 23:50", {"views": 80, "likes": 8}),
    ("decembre", "facebook", "2028-01-02 10:00", {"views": 300, "likes": 20}),  # after the year: not on the chart
    ("janvier-2028", "facebook", "2028-01-02 10:00", {"views": 9000, "likes": 900}),
)


def _send(config: Config, ledger: Ledger, table: tuple[tuple[str, str, str, list[str], str], ...]) -> list[Post]:
    posts = make_posts(
        config,
        *(
            post_with(id=i, at=at, kind=kind, networks=networks, text=text, **EXTRA.get(kind, {}))
            for i, at, kind, networks, text in table
        ),
    )
    networks = FakeNetworkSet()
    for post in posts:
        assert post.at is not None
        at = post.at
        Publisher(ledger, networks, lambda at=at: at).send(plan(candidates([post], config, at), config, at))
    return posts


def _snap(config: Config, ledger: Ledger, table: tuple[tuple[str, str, str, dict[str, int]], ...]) -> None:
    sent = {(item.post_id, item.network): item for item in ledger.all(states=[DeliveryState.SENT])}
    tz = config.timezone
    ledger.record_snapshots(
        [
            Snapshot(sent[post, net].id, post, net, datetime.fromisoformat(at).replace(tzinfo=tz), figures)
            for post, net, at, figures in table
        ]
    )


def fill(config: Config, ledger: Ledger) -> list[Post]:
    """The posts sent at their times through the real publisher, then their figures as snapshots."""
    posts = _send(config, ledger, POSTS)
    assert len(ledger.all(states=[DeliveryState.SENT])) == 7
    _snap(config, ledger, SNAPSHOTS)
    ledger.request_retraction("retire", None, "Chiffres erronés", "a.renier", NOW - timedelta(days=20), by_hand=True)
    return posts


def fill_year(config: Config, ledger: Ledger) -> list[Post]:
    """``fill``'s June and July, and posts in March and December 2027, one in 2026, one in 2028."""
    posts = fill(config, ledger) + _send(config, ledger, YEAR_POSTS)
    _snap(config, ledger, YEAR_SNAPSHOTS)
    return posts


@pytest.fixture
def july(tmp_path: Path, config: Config) -> Report:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        posts = fill(config, ledger)
        return build(config, ledger, posts, JULY, NOW)
    finally:
        ledger.close()


@pytest.fixture
def year(tmp_path: Path, config: Config) -> Report:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        posts = fill_year(config, ledger)
        return build(config, ledger, posts, YEAR, NEXT_JANUARY)
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


def test_periods_parse_and_say_their_names() -> None:
    assert Period.parse("2027-07") == JULY and str(JULY) == "2027-07" and not JULY.is_year
    assert (JULY.title, JULY.title_fr, JULY.in_fr) == ("July 2027", "juillet 2027", "en juillet 2027")
    assert Period(2027, 12).next_first == date(2028, 1, 1)
    assert Period.parse(" 2027 ") == YEAR and str(YEAR) == "2027" and YEAR.is_year
    assert (YEAR.title, YEAR.title_fr, YEAR.in_fr) == ("2027", "année 2027", "en 2027")
    assert (YEAR.first, YEAR.next_first) == (date(2027, 1, 1), date(2028, 1, 1))
    for bad in ("2027-13", "2027-7", "juillet", "2027-00", "2027-07-01", "27", "20277", "0000", "2027-", "année"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_the_year_holds_its_posts_only(year: Report) -> None:
    assert sorted({row.post_id for row in year.rows}) == ["babicoc", "canicule-2027-07-19", "decembre", "juin", "mars"]
    assert len(year.rows) == 9 and year.unread == [] and year.posts == 5  # not 2026's, 2028's, nor the retracted
    assert year.rows[0].post_id == "juin" and year.rows[0].interactions == 500
    december = next(row for row in year.rows if row.post_id == "decembre")
    assert december.figures == {"views": 300, "likes": 20}  # its latest figures, read in January


def test_a_year_has_one_point_per_week(year: Report) -> None:
    # each Sunday of 2027 (the first on 3 January) and the year's last day, a Friday
    assert len(year.days) == 53 and year.days[0] == date(2027, 1, 3) and year.days[-1] == date(2027, 12, 31)
    assert all(day.weekday() == 6 for day in year.days[:-1])
    assert year.no_views == ["mastodon"] and set(year.views) == {"facebook", "x"}
    facebook = dict(zip(year.days, year.views["facebook"], strict=True))
    assert facebook[date(2027, 1, 3)] == 0  # 2026's wishes, read on 2 January, are not the year's
    assert facebook[date(2027, 3, 14)] == 200 and facebook[date(2027, 3, 21)] == 600  # March: 200 then 600
    assert facebook[date(2027, 7, 4)] == 5600 and facebook[date(2027, 7, 11)] == 6600  # June's 5 000, babicoc's 1 000
    assert facebook[date(2027, 7, 25)] == 7500 and facebook[date(2027, 12, 26)] == 7500
    assert year.views["facebook"][-1] == 7580  # December's 80 by the year's end; its 300 of January are not drawn
    x = dict(zip(year.days, year.views["x"], strict=True))
    assert x[date(2027, 3, 14)] == 50 and year.views["x"][-1] == 250


def test_a_year_in_progress_stops_today(tmp_path: Path, config: Config) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        report = build(config, ledger, fill(config, ledger), YEAR, datetime(2027, 7, 21, 12, 0, tzinfo=UTC))
    finally:
        ledger.close()
    assert report.days[-2:] == [date(2027, 7, 18), date(2027, 7, 21)] and report.views["facebook"][-1] == 6500
    assert [month.month for month, *_ in by_month(report)] == [1, 2, 3, 4, 5, 6, 7]


def test_the_year_page_has_a_table_per_month_and_weekly_views(year: Report) -> None:
    assert [(str(m), posts, views, interactions) for m, posts, views, interactions in by_month(year)] == [
        ("2027-01", 0, None, 0),
        ("2027-02", 0, None, 0),
        ("2027-03", 1, 650, 37),
        ("2027-04", 0, None, 0),
        ("2027-05", 0, None, 0),
        ("2027-06", 1, 5000, 500),
        ("2027-07", 2, 2100, 184),
        ("2027-08", 0, None, 0),
        ("2027-09", 0, None, 0),
        ("2027-10", 0, None, 0),
        ("2027-11", 0, None, 0),
        ("2027-12", 1, 300, 20),
    ]
    page = to_html(year)
    assert "<title>Réseaux sociaux — année 2027 — CHU d&#x27;Angers</title>" in page
    assert "5 posts publiés en 2027" in page and "Vues au fil de l&#x27;année" in page
    assert page.count("<figure") == 2 and page.count('role="img"') == 2
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert re.search(
        r'<time datetime="2027-03">mars 2027</time></th><td class="n">1</td><td class="n">650</td>'
        r'<td class="n">37</td>',
        page,
    )
    assert '<time datetime="2027-02">février 2027</time></th><td class="n">0</td><td class="n">0</td>' in page
    assert "par réseau et en fin de semaine" in page and '<th scope="col">Fin de semaine</th>' in page
    row = re.search(r'<tr><th scope="row"><time datetime="2027-07-25">25/07</time></th>(.*?)</tr>', page)
    assert row and re.findall(r">([^<]+)</td>", row.group(1)) == [count_text(7500), "250"]
    svg = page[page.index('<figure aria-labelledby="views-caption">') : page.index('<h2 id="kinds">')]
    assert all(f">{name}<" in svg for name in ("janv.", "févr.", "juil.", "déc."))  # monthly ticks, in French
    assert svg.count(">janv.<") == 1  # the year's twelve months, not next January
    assert page.count('<li id="top-') == 9 and "Bienvenue" not in page and "belle année" not in page
    assert not re.search(r"<(link|script|img|iframe)\b|src=|@import|url\((?!#)", page)


def test_the_csv_of_a_year_reads_back_exactly(year: Report) -> None:
    rows = read_csv(to_csv(year))
    assert len(rows) == 9 and [row["post"] for row in rows][:2] == ["mars", "mars"]
    by_key = {(row["post"], row["network"]): row for row in rows}
    for line in year.rows:
        row = by_key[line.post_id, line.network]
        assert datetime.fromisoformat(row["sent_at"]) == line.sent_at
        assert datetime.fromisoformat(row["read_at"]) == line.taken_at
        assert {name: int(row[name]) for name in FIGURES if row[name] != ""} == line.figures
    assert by_key["mars", "facebook"]["sent_at"].endswith("+01:00")  # winter time, local


@pytest.mark.parametrize(("which", "tops"), [("july", 5), ("year", 9)])
def test_the_page_renders_in_a_real_headless_chromium(
    which: str, tops: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from PIL import Image

    browser = chromium()
    report: Report = request.getfixturevalue(which)
    page = tmp_path / "web" / "index.html"
    page.parent.mkdir()
    page.write_text(to_html(report), encoding="utf-8")
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
    assert dom.count('role="img"') == 2 and dom.count('<li id="top-') == tops
