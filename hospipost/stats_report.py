"""The statistics report of a month or a year (`hospipost report`): a static page with charts, and a CSV file.

`build` gathers a period's figures from the ledger (a `Period`: a month, or a year for the annual
report): every delivery sent in it (local time) with its latest snapshot, the views of each network
day by day (each delivery's latest snapshot of each day, carried forward and summed: cumulative
views of the period's posts; a year keeps each week's end), the interactions per kind and the top
posts; a year's page also has a table per month. `to_html` draws it as one self-contained page (charts drawn by matplotlib as SVG
and inlined, each with its data as a table under it; nothing fetched from elsewhere); `to_csv` writes
one row per delivery for the team's spreadsheets. Only public content: post ids, published texts,
links and figures. A figure a network does not give is absent (empty in the CSV, "not given" on the
page), never 0: Mastodon and Bluesky give no views.

matplotlib is imported only when a page is drawn.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

from hospipost.htmlpage import PAGE_END, page_start
from hospipost.htmlpage import escape as _e
from hospipost.metrics import (
    FIGURES,
    INTERACTIONS,
    PostFigures,
    Total,
    count_text,
    in_own_words,
    most_interactions_first,
    totals,
)
from hospipost.networks import network_label

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from hospipost.config import Config
    from hospipost.ledger import Delivery, Ledger, Snapshot
    from hospipost.posts import Post

TOP = 10
KINDS_FR = {
    "alert": "Alerte sanitaire",
    "innovation": "Innovation",
    "news": "Actualité",
    "event": "Événement",
    "recruitment": "Recrutement",
    "prevention": "Prévention",
}
INTERACTIONS_FR = {
    "likes": "J'aime",
    "comments": "Commentaires",
    "shares": "Partages",
    "quotes": "Citations",
    "saves": "Enregistrements",
    "bookmarks": "Signets",
}
# Okabe–Ito: told apart by people with the common colour-vision deficiencies; lines also differ by marker.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n", "quoting": csv.QUOTE_MINIMAL}
CSV_ENCODING = "utf-8-sig"  # with a BOM: Excel then reads UTF-8 (accents) instead of Windows-1252
CSV_HEAD = ("post", "queue", "kind", "network", "sent_at", "url", *FIGURES, "read_at")


MONTHS_FR_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


@dataclass(frozen=True)
class Period:
    """A month (``Period(2027, 7)``) or a whole year (``Period(2027)``): what one report covers."""

    year: int
    month: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, value: str) -> Period:
        """ "2027-07" → the month, "2027" → the year; ValueError otherwise."""
        found = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value.strip())
        if not found or not 1 <= int(found.group(1)) <= 9998:
            raise ValueError(value)
        if found.group(2) is None:
            return cls(int(found.group(1)))
        if not 1 <= int(found.group(2)) <= 12:
            raise ValueError(value)
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The month of ``day``."""
        return cls(day.year, day.month)

    @property
    def is_year(self) -> bool:
        return self.month is None

    @property
    def first(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def next_first(self) -> date:
        if self.month is None or self.month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.month + 1, 1)

    @property
    def unit(self) -> str:
        return "year" if self.month is None else "month"

    @property
    def title(self) -> str:
        return str(self.year) if self.month is None else f"{self.first:%B %Y}"  # the CLI's English: "July 2027"

    @property
    def title_fr(self) -> str:
        """ "juillet 2027", "année 2027"."""
        from hospipost.scaffold import MONTHS_FR

        return f"année {self.year}" if self.month is None else f"{MONTHS_FR[self.month - 1]} {self.year}"

    @property
    def in_fr(self) -> str:
        """ "en juillet 2027", "en 2027"."""
        return f"en {self.year}" if self.month is None else f"en {self.title_fr}"

    @property
    def this_fr(self) -> str:
        return "cette année" if self.month is None else "ce mois-ci"

    @property
    def of_fr(self) -> str:
        return "de l'année" if self.month is None else "du mois"

    def __str__(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"


@dataclass
class Report:
    """A month's or a year's figures, ready to draw."""

    organisation: str
    period: Period
    timezone: ZoneInfo
    made_at: datetime
    rows: list[PostFigures]  # every delivery sent in the period with figures, most interactions first
    unread: list[Delivery]  # deliveries sent in the period whose figures were never read
    days: list[date] = field(default_factory=list)  # each day of a month; each week's last day (Sunday) of a year
    views: dict[str, list[int]] = field(default_factory=dict)  # network → cumulative views at the end of each of days
    no_views: list[str] = field(default_factory=list)  # networks with figures but no views
    read_at: datetime | None = None  # the newest snapshot

    @property
    def by_network(self) -> list[Total]:
        return totals(self.rows, "network")

    @property
    def by_kind(self) -> list[Total]:
        return totals(self.rows, "kind")

    @property
    def top(self) -> list[PostFigures]:
        return self.rows[:TOP]

    @property
    def posts(self) -> int:
        return len({row.post_id for row in self.rows} | {item.post_id for item in self.unread})


def build(config: Config, ledger: Ledger | None, posts: list[Post], period: Period, now: datetime) -> Report:
    """The period's report; its rows are empty when nothing was sent, or nothing read, in it."""
    from hospipost.ledger import DeliveryState

    tz = config.timezone
    start = datetime.combine(period.first, time(), tz)
    end = datetime.combine(period.next_first, time(), tz)
    report = Report(config.organisation or "hospipost", period, tz, now, [], [])
    if ledger is None:
        return report
    sent = [
        item
        for item in ledger.all(states=[DeliveryState.SENT])
        if item.sent_at is not None and start <= item.sent_at < end and not item.retraction
    ]  # a retracted post was taken down for a reason: its text stays off the page
    wanted = {item.id: item for item in sent}
    history: dict[str, list[Snapshot]] = {}
    for snapshot in ledger.snapshots(since=start):
        if snapshot.delivery_id in wanted:
            history.setdefault(snapshot.delivery_id, []).append(snapshot)
    by_post = {post.id: post for post in posts}
    for item in sent:
        if item.id not in history:
            report.unread.append(item)
            continue
        report.rows.append(PostFigures.of(item, by_post.get(item.post_id), history[item.id][-1]))
    most_interactions_first(report.rows)
    if report.rows:
        report.read_at = max(row.taken_at for row in report.rows)
    _views_by_day(report, history, wanted, min(end.date(), now.astimezone(tz).date() + timedelta(days=1)))
    return report


def _views_by_day(report: Report, history: dict[str, list[Snapshot]], sent: dict[str, Delivery], stop: date) -> None:
    """Each network's cumulative views at the end of each day of the period: each delivery's latest
    snapshot of a day, carried forward until the next, summed over the network's deliveries. For a
    year, only each week's end (Sunday) and the last day are kept: 53 points, not 365."""
    tz = report.timezone
    first = report.period.first
    days = [first + timedelta(days=n) for n in range(max(0, (stop - first).days))]
    index = {day: n for n, day in enumerate(days)}
    networks = sorted({sent[key].network for key in history})
    steps: dict[str, list[int]] = {}
    giving: set[str] = set()
    for key, snapshots in history.items():
        network = sent[key].network
        last_of_day: dict[date, int] = {}
        for snapshot in snapshots:  # oldest first: a later one of the same day replaces it
            if "views" in snapshot.figures:
                last_of_day[snapshot.taken_at.astimezone(tz).date()] = snapshot.figures["views"]
        if not last_of_day:
            continue
        giving.add(network)
        increments = steps.setdefault(network, [0] * len(days))
        known = 0
        for day in sorted(last_of_day):
            if day >= stop:
                break
            at = index.get(day, 0)  # a snapshot before the period (none: posts are sent in it) counts from day one
            increments[at] += last_of_day[day] - known
            known = last_of_day[day]
    kept = [at for at, day in enumerate(days) if not report.period.is_year or day.weekday() == 6 or at == len(days) - 1]
    report.days = [days[at] for at in kept]
    for network in networks:
        if network not in giving:
            report.no_views.append(network)
            continue
        running, series = 0, []
        for step in steps[network]:
            running += step
            series.append(running)
        report.views[network] = [series[at] for at in kept]


def by_month(report: Report) -> list[tuple[Period, int, int | None, int]]:
    """A year's posts, views (None when no delivery of that month gives any) and interactions per month
    of sending, from the deliveries' latest figures; up to the month of the newest delivery or today."""
    tz = report.timezone
    last = max([report.made_at.astimezone(tz).date(), *(row.sent_at.astimezone(tz).date() for row in report.rows)])
    out = []
    for month in [Period(report.period.year, n) for n in range(1, 13) if date(report.period.year, n, 1) <= last]:
        rows = [row for row in report.rows if Period.of(row.sent_at.astimezone(tz).date()) == month]
        unread = [
            item for item in report.unread if item.sent_at and Period.of(item.sent_at.astimezone(tz).date()) == month
        ]
        views = [row.figures["views"] for row in rows if "views" in row.figures]
        posts = len({row.post_id for row in rows} | {item.post_id for item in unread})
        out.append((month, posts, sum(views) if views else None, sum(row.interactions for row in rows)))
    return out


# --- the spreadsheet --------------------------------------------------------------------------


def to_csv(report: Report) -> bytes:
    """One row per delivery sent in the period: its post, network, local time of sending, link, its
    latest figures (empty when the network does not give one, or nothing was read yet) and when
    they were read. UTF-8 with a BOM, ";" between fields: what Excel in French opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, **CSV_DIALECT)  # type: ignore[arg-type]
    writer.writerow(CSV_HEAD)
    tz = report.timezone
    lines: list[tuple[Any, ...]] = [
        (row.post_id, row.queue, row.kind, row.network, row.sent_at, row.url, row.figures, row.taken_at)
        for row in report.rows
    ] + [
        (item.post_id, item.queue, "", item.network, item.sent_at, item.remote_url, {}, None) for item in report.unread
    ]
    lines.sort(key=lambda line: (line[4] or report.made_at, line[0], line[3]))
    for post_id, queue, kind, network, sent_at, url, figures, read_at in lines:
        writer.writerow(
            [
                post_id,
                queue,
                kind,
                network,
                _local(sent_at, tz),
                url or "",
                *(str(figures[name]) if name in figures else "" for name in FIGURES),
                _local(read_at, tz),
            ]
        )
    return out.getvalue().encode(CSV_ENCODING)


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a file ``to_csv`` wrote, as csv reads them (for the tests and scripts)."""
    return list(csv.DictReader(io.StringIO(data.decode(CSV_ENCODING), newline=""), delimiter=";"))


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else ""


# --- the page ---------------------------------------------------------------------------------

CSS = """\
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
p.note { color: #374151; margin: 0 0 1rem; }
figure { margin: 1rem 0 1.5rem; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; margin: 0 0 .5rem; }
table { font-size: .95rem; }
th, td { padding: .3rem .5rem; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
details { margin: 0 0 1rem; }
summary { cursor: pointer; color: #1d4ed8; }
ol.top { padding-left: 1.5rem; }
ol.top li { margin: 0 0 1rem; padding: .5rem .75rem; border: 1px solid #d1d5db; border-radius: .5rem; }
blockquote { white-space: pre-wrap; overflow-wrap: anywhere; background: #f9fafb; border-left: 4px solid #6b7280;
  margin: .25rem 0; padding: .5rem .75rem; }
.missing { color: #4b5563; font-style: italic; }
a { color: #1d4ed8; }
a:focus, summary:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  figure, ol.top li, table { break-inside: avoid; }
  details::details-content { content-visibility: visible; display: block; }  /* the data tables print */
  summary { display: none; }
  ol.top a[href]::after { content: " (" attr(href) ")"; font-size: .85em; overflow-wrap: anywhere; }
}
"""


def to_html(report: Report) -> str:
    """The page: per-network summary, views over time per network, interactions per kind, top posts."""
    tz = report.timezone
    period = report.period
    title = f"Réseaux sociaux — {period.title_fr} — {report.organisation}"
    made = report.made_at.astimezone(tz)
    read = f" Chiffres relevés le {report.read_at.astimezone(tz):%d/%m/%Y à %H:%M}." if report.read_at else ""
    unread = f" {_plural(len(report.unread), 'publication')} sans chiffres relevés." if report.unread else ""
    out = [
        *page_start(title, CSS, "fr"),
        f'<p class="meta">{_plural(report.posts, "post")} publiés {_e(period.in_fr)}, soit '
        f"{_plural(len(report.rows) + len(report.unread), 'publication')} sur les réseaux.{read}{unread} "
        f'Fait par hospipost le <time datetime="{made.isoformat(timespec="minutes")}">'
        f"{made:%d/%m/%Y à %H:%M}</time> ({_e(str(tz))}).</p>",
        "</header>",
        "<main>",
    ]
    out += _summary(report)
    if period.is_year:
        out += _months(report)
    out += _views_figure(report)
    out += _kinds_figure(report)
    out += _top(report)
    out += PAGE_END
    return "\n".join(out)


def _summary(report: Report) -> list[str]:
    out = [
        '<h2 id="networks">Par réseau</h2>',
        "<table>",
        "<caption>Publications, vues et interactions de chaque réseau</caption>",
        '<thead><tr><th scope="col">Réseau</th><th scope="col" class="n">Publications</th>'
        '<th scope="col" class="n">Vues</th><th scope="col" class="n">Interactions</th>'
        '<th scope="col">Chiffres (les mots du réseau)</th></tr></thead>',
        "<tbody>",
    ]
    for total in report.by_network:
        views = total.figures.get("views")
        out.append(
            f'<tr><th scope="row">{_e(network_label(total.name))}</th><td class="n">{total.posts}</td>'
            f'<td class="n">{_views_cell(views)}</td><td class="n">{count_text(total.interactions)}</td>'
            f"<td>{_e(_words(total.name, total.figures))}</td></tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


def _months(report: Report) -> list[str]:
    out = [
        '<h2 id="months">Par mois</h2>',
        "<table>",
        "<caption>Posts, vues et interactions des publications de chaque mois (derniers chiffres relevés)</caption>",
        '<thead><tr><th scope="col">Mois</th><th scope="col" class="n">Posts</th>'
        '<th scope="col" class="n">Vues</th><th scope="col" class="n">Interactions</th></tr></thead>',
        "<tbody>",
    ]
    for month, posts, views, interactions in by_month(report):
        out.append(
            f'<tr><th scope="row"><time datetime="{month}">{_e(month.title_fr)}</time></th>'
            f'<td class="n">{posts}</td><td class="n">{_views_cell(views) if posts else "0"}</td>'
            f'<td class="n">{count_text(interactions)}</td></tr>'
        )
    out += ["</tbody>", "</table>"]
    return out


def _views_figure(report: Report) -> list[str]:
    period = report.period
    out = [f'<h2 id="views">Vues au fil {_e(period.of_fr)}</h2>']
    missing = ", ".join(network_label(name) for name in report.no_views)
    note = (
        f'<p class="note">{_e(missing)} : pas de vues communiquées par ces réseaux (ni 0, ni estimation).</p>'
        if report.no_views
        else ""
    )
    if not report.views or not report.days:
        return [*out, f'<p class="missing">Aucune vue communiquée {period.this_fr}.</p>', note]
    names = list(report.views)
    step = "en fin de semaine" if period.is_year else "par jour"
    caption = f"Vues cumulées des publications {period.of_fr}, par réseau et {step}"
    description = (
        f"{caption}. Fin de période : "
        + ", ".join(f"{network_label(n)} {count_text(report.views[n][-1])}" for n in names)
        + "."
    )
    out += [
        '<figure aria-labelledby="views-caption">',
        f'<figcaption id="views-caption">{_e(caption)}</figcaption>',
        _svg(lambda: _views_chart(report), "views", description),
        "<details>",
        "<summary>Les données du graphique</summary>",
        "<table>",
        f"<caption>{_e(caption)}</caption>",
        f'<thead><tr><th scope="col">{"Fin de semaine" if period.is_year else "Jour"}</th>'
        + "".join(f'<th scope="col" class="n">{_e(network_label(n))}</th>' for n in names)
        + "</tr></thead>",
        "<tbody>",
    ]
    for at, day in enumerate(report.days):
        cells = "".join(f'<td class="n">{count_text(report.views[n][at])}</td>' for n in names)
        out.append(f'<tr><th scope="row"><time datetime="{day.isoformat()}">{day:%d/%m}</time></th>{cells}</tr>')
    out += ["</tbody>", "</table>", "</details>", "</figure>", note]
    return out


def _kinds_figure(report: Report) -> list[str]:
    groups = report.by_kind
    present = [name for name in INTERACTIONS if any(name in group.figures for group in groups)]
    out = ['<h2 id="kinds">Interactions par type de publication</h2>']
    if not present:
        return [*out, f'<p class="missing">Aucune interaction communiquée {report.period.this_fr}.</p>']
    caption = "Interactions (" + ", ".join(INTERACTIONS_FR[n].lower() for n in present) + ") par type de publication"
    description = (
        f"{caption}. "
        + "; ".join(
            f"{_kind(g.name)} {count_text(g.interactions)} en {_plural(g.posts, 'publication')}" for g in groups
        )
        + "."
    )
    out += [
        '<figure aria-labelledby="kinds-caption">',
        f'<figcaption id="kinds-caption">{_e(caption)}</figcaption>',
        _svg(lambda: _kinds_chart(groups, present), "kinds", description),
        "<table>",
        f"<caption>{_e(caption)}</caption>",
        '<thead><tr><th scope="col">Type</th><th scope="col" class="n">Publications</th>'
        + "".join(f'<th scope="col" class="n">{_e(INTERACTIONS_FR[n])}</th>' for n in present)
        + '<th scope="col" class="n">Total</th><th scope="col" class="n">Par publication</th></tr></thead>',
        "<tbody>",
    ]
    for group in groups:
        cells = "".join(f'<td class="n">{count_text(group.figures.get(n, 0))}</td>' for n in present)
        out.append(
            f'<tr><th scope="row">{_e(_kind(group.name))}</th><td class="n">{group.posts}</td>{cells}'
            f'<td class="n">{count_text(group.interactions)}</td>'
            f'<td class="n">{_decimal(group.interactions / group.posts)}</td></tr>'
        )
    out += ["</tbody>", "</table>", "</figure>"]
    return out


def _top(report: Report) -> list[str]:
    out = [
        '<h2 id="top">Les publications les plus partagées, aimées et commentées</h2>',
        '<ol class="top">',
    ]
    tz = report.timezone
    for rank, row in enumerate(report.top, 1):
        label = network_label(row.network)
        sent = row.sent_at.astimezone(tz)
        link = (
            f'<p><a href="{_e(row.url)}">Voir la publication sur {_e(label)}</a></p>'
            if row.url
            else '<p class="missing">Pas de lien.</p>'
        )
        out += [
            f'<li id="top-{rank}">',
            f"<h3>{_e(row.post_id)} · {_e(label)} · "
            f'<time datetime="{sent.isoformat(timespec="minutes")}">{sent:%d/%m/%Y %H:%M}</time></h3>',
            f"<p>{_e(_kind(row.kind))} · {count_text(row.interactions)} interactions · "
            f"{_e(_words(row.network, row.figures))}</p>",
            f"<blockquote>{_e(row.text)}</blockquote>" if row.text else "",
            link,
            "</li>",
        ]
    out.append("</ol>")
    return out


# --- the charts (matplotlib, SVG) ---------------------------------------------------------------

RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: small, searchable, drawn with the reader's sans-serif font
    "svg.hashsalt": "hospipost",  # the same data gives the same file
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e7eb",
    "axes.edgecolor": "#6b7280",
    "axes.labelcolor": "#1f2937",
    "xtick.color": "#374151",
    "ytick.color": "#374151",
    "text.color": "#1f2937",
}


def _views_chart(report: Report) -> Any:
    from matplotlib.dates import DateFormatter, DayLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    figure = Figure(figsize=(9, 3.8), layout="constrained")
    axes = figure.add_subplot()
    for n, (network, series) in enumerate(report.views.items()):
        axes.plot(
            cast(Any, report.days),
            series,
            label=network_label(network),
            color=PALETTE[n % len(PALETTE)],
            marker=MARKERS[n % len(MARKERS)],
            markersize=3 if report.period.is_year else 3.5,
            linewidth=1.8,
        )
    if report.period.is_year:  # a tick on the 1st of each month, named in French: "janv.", "févr."…
        year = report.period.year  # the year's twelve 1sts only: not next January's at the right edge
        axes.xaxis.set_major_locator(FixedLocator([date2num(date(year, n, 1)) for n in range(1, 13)]))
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _position: MONTHS_FR_SHORT[num2date(value).month - 1])
        )
    else:
        axes.xaxis.set_major_locator(DayLocator(bymonthday=(1, 8, 15, 22, 29)))
        axes.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: count_text(int(value))))
    axes.set_ylim(bottom=0)
    axes.set_ylabel("Vues cumulées")
    figure.legend(loc="outside right upper", frameon=False)
    return figure


def _kinds_chart(groups: list[Total], present: list[str]) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    shown = list(reversed(groups))  # the most interactions at the top
    figure = Figure(figsize=(9, 0.55 * len(shown) + 1.3), layout="constrained")
    axes = figure.add_subplot()
    labels = [_kind(group.name) for group in shown]
    left = [0] * len(shown)
    for n, name in enumerate(present):
        values = [group.figures.get(name, 0) for group in shown]
        axes.barh(labels, values, left=left, label=INTERACTIONS_FR[name], color=PALETTE[n % len(PALETTE)])
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: count_text(int(value))))
    axes.grid(axis="y", visible=False)
    axes.set_xlabel("Interactions")
    figure.legend(loc="outside lower center", frameon=False, ncols=len(present))
    return figure


def _svg(draw: Callable[[], Any], key: str, description: str) -> str:
    """The figure ``draw`` makes as an inline SVG: no XML prolog, ids prefixed (several charts share one page),
    scalable, and named for screen readers (role img, a title, an aria-label)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(RC):  # the style applies while the figure is made and saved, then is undone
        figure = draw()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)
    opening = re.match(r"<svg\b[^>]*>", text)
    assert opening is not None
    attributes = re.sub(r'\s(width|height)="[^"]*"', "", opening.group()[4:-1])
    return (
        f'<svg{attributes} role="img" aria-label="{_e(description)}" focusable="false">'
        f"<title>{_e(description)}</title>{text[opening.end() :]}"
    )


# --- words ------------------------------------------------------------------------------------


def _kind(kind: str) -> str:
    return KINDS_FR.get(kind, kind or "(plus dans les files)")


def _words(network: str, figures: dict[str, int]) -> str:
    return in_own_words(network, figures, none="aucun chiffre")


def _views_cell(views: int | None) -> str:
    return '<span class="missing">non communiquées</span>' if views is None else count_text(views)


def _decimal(value: float) -> str:
    return count_text(round(value)) if value >= 10 else f"{value:.1f}".replace(".", ",")


def _plural(count: int, word: str) -> str:
    return f"{count_text(count)} {word}{'' if count == 1 else 's'}"
