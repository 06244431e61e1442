"""The calendar: what goes out when, per network, with its check and approval state.

``build`` turns the queues and the ledger into one ``Entry`` per post occurrence in a
``Period`` (a week or a month of local days); ``to_ics`` and ``to_html`` write the same
entries as an iCalendar file and a static page, and the `calendar` command draws them in
the terminal. Only public content goes out: post ids (free of personal data by design),
the texts and the states; never an author, an approver's name or a credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from hospipost.htmlpage import PAGE_END, page_start
from hospipost.htmlpage import escape as _e

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from hospipost.compliance import Finding
    from hospipost.config import Config
    from hospipost.ledger import Delivery
    from hospipost.posts import Post

APPROVAL_RULES = ("approval-required", "approval-self")
APPROVED, NOT_APPROVED, SELF_APPROVED = "approved", "not approved", "self-approved"
# A delivery's state in the calendar, from the ledger when it knows the delivery, else from the post.
SENT, SCHEDULED, BLOCKED, DRAFT, MISSED = "sent", "scheduled", "blocked", "draft", "missed"
GOOD, WAITING, BAD, QUIET = "good", "waiting", "bad", "quiet"
TONES = {
    SENT: GOOD,
    SCHEDULED: WAITING,
    "due": WAITING,
    "sending": WAITING,
    "retrying": WAITING,
    DRAFT: QUIET,
    BLOCKED: BAD,
    MISSED: BAD,
    "failed": BAD,
    "unknown": BAD,
}
EVENT_MINUTES = 15  # how long an event lasts in a calendar client: a post is an instant


@dataclass(frozen=True)
class Period:
    """Local days, ``start`` to ``end`` included: a week, or a month."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The first and the last instant of the period in ``tz`` (both included)."""
        first = datetime.combine(self.start, time(), tz)
        after = datetime.combine(self.end + timedelta(days=1), time(), tz)
        return first, after - timedelta(microseconds=1)

    @property
    def title(self) -> str:
        if self.kind == "month" and self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            return f"{self.start:%B %Y}"
        return f"{day_label(self.start)} – {day_label(self.end)} {self.end.year}"


def period(kind: str, start: date | None, today: date) -> Period:
    """The week (Monday to Sunday) or calendar month of ``today``; or, from ``start``, seven
    days or one month (to the day before the same day of the next month)."""
    if kind == "week":
        first = start or today - timedelta(days=today.weekday())
        return Period(kind, first, first + timedelta(days=6))
    if start is None:
        first = today.replace(day=1)
        return Period(kind, first, _add_month(first) - timedelta(days=1))
    return Period(kind, start, _add_month(start) - timedelta(days=1))


def _add_month(day: date) -> date:
    import calendar as stdlib_calendar

    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, stdlib_calendar.monthrange(year, month)[1]))


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


@dataclass(frozen=True)
class NetworkState:
    """One delivery of an occurrence: its network, its state, its public URL once sent."""

    network: str
    state: str
    url: str | None = None

    @property
    def tone(self) -> str:
        return TONES.get(self.state, WAITING)


@dataclass(frozen=True)
class Entry:
    """One occurrence of a post, with the state of each of its deliveries."""

    post: Post
    at: datetime
    occurrence: str
    networks: tuple[NetworkState, ...]
    errors: int
    warnings: int
    approval: str
    blocked: str | None = None  # why publish would hold it (the publisher's verdict), None when it may go out

    @property
    def check(self) -> str:
        """ "✓", or the counts of the checklist's errors and warnings (approval apart)."""
        parts = [_plural(n, word) for n, word in ((self.errors, "error"), (self.warnings, "warning")) if n]
        return ", ".join(parts) or "✓"

    @property
    def check_words(self) -> str:
        """The check in words, for pages and calendar clients (a screen reader reads "✓" as "check mark")."""
        return "✓ passed" if self.check == "✓" else self.check

    @property
    def check_tone(self) -> str:
        return BAD if self.errors else WAITING if self.warnings else GOOD

    @property
    def approval_tone(self) -> str:
        return GOOD if self.approval == APPROVED else BAD

    def uid(self, config: Config) -> str:
        """A stable iCalendar UID: the part the occurrence's delivery ids share (post id and
        occurrence key, see ledger.delivery_id), at a name of the organisation."""
        return f"{self.post.id}:{self.occurrence}@{_domain(config)}"


def build(config: Config, window: Period, now: datetime) -> list[Entry]:
    """Every occurrence of every post in the period, drafts included, in time order."""
    from hospipost.compliance import run_checks
    from hospipost.errors import HospipostError
    from hospipost.posts import QueueLoadError, load_queues
    from hospipost.publication import ledger_deliveries
    from hospipost.publisher import verdict
    from hospipost.recurrence import occurrences

    try:
        posts = [post for queue in load_queues(config) for post in queue.posts]
    except QueueLoadError as error:
        raise HospipostError("\n".join(e.format_message() for e in error.errors)) from None
    first, last = window.bounds(config.timezone)
    found = sorted(
        (o for post in posts for o in occurrences(post, first, last, config.timezone_name)),
        key=lambda o: (o.at, o.post.id),
    )
    shown = list({o.post.id: o.post for o in found}.values())
    findings: dict[str, list[Finding]] = {post.id: [] for post in shown}
    for finding in run_checks(shown, config, now).findings:
        findings[finding.post.id].append(finding)
    deliveries = {item.id: item for items in ledger_deliveries(config, absent_ok=True).values() for item in items}
    entries = []
    for occurrence in found:
        post = occurrence.post
        reason = None if post.draft else verdict(post, findings[post.id], config)[0]
        blocked = reason is not None
        states = tuple(
            _network_state(post, name, occurrence.at, occurrence.key, deliveries, blocked, config, now)
            for name in post.networks
        )
        checked = [f for f in findings[post.id] if f.ignored is None and f.rule not in APPROVAL_RULES]
        entries.append(
            Entry(
                post,
                occurrence.at,
                occurrence.key,
                states,
                sum(1 for f in checked if f.severity == "error"),
                sum(1 for f in checked if f.severity == "warning"),
                _approval(post, findings[post.id]),
                reason,
            )
        )
    return entries


def _network_state(
    post: Post,
    network: str,
    at: datetime,
    occurrence: str,
    deliveries: dict[str, Delivery],
    blocked: bool,
    config: Config,
    now: datetime,
) -> NetworkState:
    from hospipost.ledger import delivery_id

    item = deliveries.get(delivery_id(post.id, network, occurrence))
    if item is not None:
        if item.state == "pending":
            return NetworkState(network, "retrying" if item.next_attempt_at else "due")
        return NetworkState(network, str(item.state), item.remote_url if item.state == SENT else None)
    if post.draft:
        return NetworkState(network, DRAFT)
    if at <= now:
        return NetworkState(network, MISSED)
    if blocked or network not in config.enabled_networks():
        return NetworkState(network, BLOCKED)
    return NetworkState(network, SCHEDULED)


def _approval(post: Post, findings: list[Finding]) -> str:
    rules = {f.rule for f in findings if f.ignored is None}
    if "approval-self" in rules:
        return SELF_APPROVED
    if "approval-required" in rules or not post.approved_by:
        return NOT_APPROVED
    return APPROVED


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _domain(config: Config) -> str:
    """A host-like name for UIDs, from the organisation's public name ("chu-d-angers.hospipost")."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", config.organisation).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"{slug}.hospipost" if slug else "hospipost"


def summary(entries: list[Entry]) -> str:
    """ "12 deliveries: 3 sent, 8 scheduled, 1 blocked" (or "Nothing planned")."""
    from collections import Counter

    states = Counter(state.state for entry in entries for state in entry.networks)
    if not states:
        return "Nothing planned."
    counts = ", ".join(f"{n} {state}" for state, n in states.most_common())
    total = sum(states.values())
    deliveries = "1 delivery" if total == 1 else f"{total} deliveries"
    return f"{deliveries} in {_plural(len(entries), 'post')}: {counts}."


# --- iCalendar ------------------------------------------------------------------------


def to_ics(entries: list[Entry], config: Config, window: Period, now: datetime) -> bytes:
    """An iCalendar file: one event per post occurrence (its networks in the summary), at
    its local time with the zone's VTIMEZONE; tentative while it may not go out."""
    import icalendar

    tz = config.timezone
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//hospipost//calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"{config.organisation} – posts" if config.organisation else "hospipost – posts"
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", config.timezone_name)
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", entry.uid(config))
        event.add("dtstamp", now)
        start = entry.at.astimezone(tz)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        event.add("summary", f"{entry.post.id} → {', '.join(entry.post.networks) or 'no network'}")
        event.add("description", _description(entry))
        event.add("categories", list(entry.post.networks) or ["none"])
        good = entry.approval == APPROVED and not entry.errors and not entry.post.draft
        event.add("status", "CONFIRMED" if good else "TENTATIVE")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    year = timedelta(days=366)  # the zone's rules around the period, not since 1970
    calendar.add_missing_timezones(window.start - year, window.end + year)
    return calendar.to_ical()


def _description(entry: Entry) -> str:
    lines = [entry.post.text, ""]
    lines += [f"{state.network}: {state.state}" + (f" ({state.url})" if state.url else "") for state in entry.networks]
    lines += [f"Check: {entry.check_words}", f"Approval: {entry.approval}"]
    if entry.blocked:
        lines.append(f"Blocked: {entry.blocked}")
    if entry.post.every:
        lines.append(f"Recurring: {entry.post.every}")
    return "\n".join(lines)


# --- a static page --------------------------------------------------------------------

CSS = """\
body { max-width: 72rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
h4 { font-size: .95rem; margin: .75rem 0 .25rem; }
tbody th { font-weight: 600; white-space: nowrap; }
ul.states { list-style: none; margin: 0; padding: 0; }
ul.states li { white-space: nowrap; }
.state { white-space: nowrap; display: inline-block; border-radius: .25rem; padding: 0 .4rem; font-size: .9rem; font-weight: 600; }
.good { background: #dcfce7; color: #14532d; }
.waiting { background: #dbeafe; color: #1e3a8a; }
.bad { background: #fee2e2; color: #7f1d1d; }
.quiet { background: #e5e7eb; color: #1f2937; }
section.post { border: 1px solid #d1d5db; border-radius: .5rem; padding: .25rem 1rem 1rem; margin: 1rem 0; }
.preview { white-space: pre-wrap; overflow-wrap: anywhere; background: #f9fafb; border-left: 4px solid #6b7280;
  padding: .5rem .75rem; margin: .25rem 0; font-family: inherit; }
.length { font-size: .9rem; color: #374151; margin: .25rem 0 0; }
.over { color: #7f1d1d; font-weight: 700; }
a { color: #1d4ed8; }
a:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
"""


def to_html(entries: list[Entry], config: Config, window: Period, now: datetime) -> str:
    """One static page: a table of the period's posts, then each post as each of its networks
    will receive it (text, length against the network's limit) with its states."""
    tz = config.timezone
    org = config.organisation or "hospipost"
    title = f"Posts of {window.title} – {org}"
    out = [
        *page_start(title, CSS, config.language),
        f'<p class="meta">Times in {_e(config.timezone_name)}. Made by hospipost on '
        f'<time datetime="{now.astimezone(tz).isoformat(timespec="minutes")}">'
        f"{now.astimezone(tz):%Y-%m-%d %H:%M}</time>. {_e(summary(entries))}</p>",
        "</header>",
        "<main>",
        '<h2 id="overview">Overview</h2>',
    ]
    if entries:
        out += _overview(entries, tz)
    else:
        out.append("<p>Nothing planned in this period.</p>")
    previews: dict[tuple[str, str], list[str]] = {}
    current: date | None = None
    for index, entry in enumerate(entries):
        local = entry.at.astimezone(tz)
        if local.date() != current:
            current = local.date()
            out.append(f'<h2 id="day-{current.isoformat()}">{_e(_long_day(current))}</h2>')
        out += _post_section(index, entry, config, previews)
    out += PAGE_END
    return "\n".join(out)


def _overview(entries: list[Entry], tz: ZoneInfo) -> list[str]:
    out = [
        "<table>",
        "<caption>Every post of the period, with the state of each delivery</caption>",
        "<thead><tr>"
        + "".join(f'<th scope="col">{name}</th>' for name in ("When", "Post", "Networks", "Check", "Approval"))
        + "</tr></thead>",
        "<tbody>",
    ]
    for index, entry in enumerate(entries):
        local = entry.at.astimezone(tz)
        states = "".join(f"<li>{_e(s.network)} {_badge(s.state, s.tone)}</li>" for s in entry.networks)
        out.append(
            "<tr>"
            f'<th scope="row"><time datetime="{local.isoformat(timespec="minutes")}">'
            f"{_e(day_label(local.date()))} {local:%H:%M}</time></th>"
            f'<td><a href="#post-{index}">{_e(entry.post.id)}</a></td>'
            f'<td><ul class="states">{states or "<li>no network</li>"}</ul></td>'
            f"<td>{_badge(entry.check_words, entry.check_tone)}</td>"
            f"<td>{_badge(entry.approval, entry.approval_tone)}</td>"
            "</tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


def _post_section(index: int, entry: Entry, config: Config, previews: dict[tuple[str, str], list[str]]) -> list[str]:
    local = entry.at.astimezone(config.timezone)
    recurring = f" · every <code>{_e(entry.post.every)}</code>" if entry.post.every else ""
    out = [
        f'<section class="post" id="post-{index}" aria-labelledby="post-{index}-title">',
        f'<h3 id="post-{index}-title">{local:%H:%M} · {_e(entry.post.id)}</h3>',
        f"<p>{_e(entry.post.kind)}{recurring} · check {_badge(entry.check_words, entry.check_tone)}"
        f" · approval {_badge(entry.approval, entry.approval_tone)}</p>",
    ]
    if entry.blocked and any(state.state == BLOCKED for state in entry.networks):
        out.append(f"<p>Blocked: {_e(entry.blocked)}.</p>")
    for state in entry.networks:
        key = (entry.post.id, state.network)
        if key not in previews:  # a recurring post renders once
            previews[key] = _preview(entry.post, state.network, config)
        heading, *block = previews[key]
        link = f' <a href="{_e(state.url)}">published post</a>' if state.url else ""
        out += [f"<h4>{heading} {_badge(state.state, state.tone)}{link}</h4>", *block]
    out.append("</section>")
    return out


def _preview(post: Post, network: str, config: Config) -> list[str]:
    """A network's block: its name, then each part of the text as it receives it, with its length."""
    from hospipost.networks import network_class

    adapter = network_class(network)
    limits = adapter.effective_limits(config.networks.get(network), config.cache_dir)
    rendering = adapter.render(post)
    out = [_e(adapter.label)]
    for number, part in enumerate(rendering.parts, 1):
        length = limits.count(part)
        over = length > limits.max_length
        which = f"Part {number} of {len(rendering.parts)}: " if len(rendering.parts) > 1 else ""
        verdict = f' <span class="over">over by {length - limits.max_length}</span>' if over else ""
        out += [
            f'<p class="length">{which}{length} / {limits.max_length} {_e(limits.length_unit)}{verdict}</p>',
            f'<div class="preview" lang="{_e(rendering.language)}">{_e(part)}</div>',
        ]
    if rendering.media:
        alts = "".join(f"<li>{_e(item.alt or '(no alt text)')}</li>" for item in rendering.media)
        out.append(f'<p class="length">{_plural(len(rendering.media), "image")} (at most {limits.max_images}):</p>')
        out.append(f"<ul>{alts}</ul>")
    return out


def _badge(text: str, tone: str) -> str:
    return f'<span class="state {tone}">{_e(text)}</span>'


def _long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
