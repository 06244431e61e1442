"""The networks' API terms, read from ``terms.yaml``: version lifetimes and X's prices.

``networks check`` warns before a pinned Graph API or LinkedIn version stops being served,
and says that X bills each post; ``publish --dry-run`` estimates what X will bill for the
requests it previews.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hospipost.config import NetworkSettings

_GRAPH_VERSION = re.compile(r"v?(\d{1,3})(?:\.(\d{1,2}))?", re.IGNORECASE)
_LINKEDIN_VERSION = re.compile(r"(20\d\d)(0[1-9]|1[0-2])")


@cache
def terms() -> dict[str, Any]:
    from importlib.resources import files

    import yaml

    return yaml.safe_load(files("hospipost.networks").joinpath("terms.yaml").read_text(encoding="utf-8"))


def notices(name: str, settings: NetworkSettings, today: date) -> list[str]:
    """What a team should know about a network's terms today (expiring versions, billing)."""
    options = settings.options
    if name in ("facebook", "instagram") and options.get("graph_version"):
        return _listed(graph_version_notice(str(options["graph_version"]), today))
    if name == "linkedin" and options.get("version"):
        return _listed(linkedin_version_notice(str(options["version"]), today))
    if name == "x":
        return [x_billing_notice()]
    return []


def _listed(notice: str | None) -> list[str]:
    return [notice] if notice else []


def _graph_key(version: str) -> tuple[int, int] | None:
    match = _GRAPH_VERSION.fullmatch(version.strip())
    return (int(match[1]), int(match[2] or 0)) if match else None


def graph_expiry(version: str) -> date | None:
    """When Meta stops serving a Graph API version, where terms.yaml says or implies it."""
    data = terms()["graph_api"]
    key = _graph_key(version)
    if key is None:
        return None
    for name, day in data["expires"].items():
        if _graph_key(name) == key:
            return day
    released = sorted((_graph_key(name), day) for name, day in data["released"].items())
    later = [day for other, day in released if other is not None and other > key]
    return _add_years(later[0], 2) if later else None


def graph_version_notice(version: str, today: date) -> str | None:
    data = terms()["graph_api"]
    key, oldest = _graph_key(version), _graph_key(data["oldest_served"])
    current = data["current"]
    if key is None or oldest is None:
        return None
    if key < oldest:
        return (
            f"Graph API {version} has expired (the oldest version Meta serves is {data['oldest_served']}): Meta"
            f" answers with another version; set graph_version to {current}."
        )
    expires = graph_expiry(version)
    if expires is None or (expires - today).days > data["warn_days"]:
        return None
    if expires <= today:
        return f"Graph API {version} expired on {expires:%Y-%m-%d}: set graph_version to {current}."
    return (
        f"Graph API {version} expires on {expires:%Y-%m-%d}, in {(expires - today).days} days: set graph_version"
        f" to {current} and run hospipost networks check again."
    )


def linkedin_sunset(version: str) -> date | None:
    """The day LinkedIn stops serving a monthly version (YYYYMM)."""
    data = terms()["linkedin"]
    match = _LINKEDIN_VERSION.fullmatch(version.strip())
    if match is None:
        return None
    announced = data["sunsets"].get(version.strip())
    if announced:
        return announced
    months = int(match[1]) * 12 + int(match[2]) - 1 + data["supported_months"]
    return date(months // 12, months % 12 + 1, data["sunset_day"])


def linkedin_version_notice(version: str, today: date) -> str | None:
    sunset = linkedin_sunset(version)
    if sunset is None or (sunset - today).days > terms()["linkedin"]["warn_days"]:
        return None
    newest = f"{today.year}{today.month:02d}"
    if sunset <= today:
        return (
            f"LinkedIn-Version {version} was retired on {sunset:%Y-%m-%d} (LinkedIn answers 426): set version to a"
            f" recent month such as {_previous_month(today)}."
        )
    return (
        f"LinkedIn-Version {version} is retired on {sunset:%Y-%m-%d}, in {(sunset - today).days} days: set version to"
        f" a recent month (the newest is at most {newest}) and run hospipost networks check again."
    )


def _previous_month(today: date) -> str:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}{last.month:02d}"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def x_billing_notice() -> str:
    prices = terms()["x"]
    return (
        f"X is billed per use (prices of {prices['as_of']:%Y-%m-%d}): {_money(prices['post'])} a post,"
        f" {_money(prices['post_with_link'])} when it contains a link, {_money(prices['alt_text'])} an alt text;"
        " publish --dry-run --until … estimates the bill."
    )


@dataclass(frozen=True)
class XCost:
    """What X would bill for a set of previewed requests."""

    posts: int
    with_link: int
    alt_texts: int
    total: float

    def sentence(self) -> str:
        prices = terms()["x"]
        counted = [f"{self.posts} post{'s' if self.posts != 1 else ''}"]
        if self.with_link:
            counted.append(f"{self.with_link} of them with a link" if self.posts > 1 else "with a link")
        if self.alt_texts:
            counted.append(f"{self.alt_texts} alt text{'s' if self.alt_texts != 1 else ''}")
        return (
            f"Estimated X bill: {_money(self.total)} ({', '.join(counted)}), at X's prices of"
            f" {prices['as_of']:%Y-%m-%d}."
        )


def x_cost(requests: Iterable[dict[str, Any]]) -> XCost:
    """What X bills for these requests (a dry run's X requests): each post, each alt text."""
    from hospipost.twittertext import extract_urls  # what X itself counts as a link

    prices = terms()["x"]
    posts = with_link = alt_texts = 0
    for request in requests:
        url = str(request.get("url", ""))
        if url.endswith("/2/tweets"):
            posts += 1
            with_link += bool(extract_urls(str((request.get("json") or {}).get("text", ""))))
        elif url.endswith("/2/media/metadata"):
            alt_texts += 1
    total = (posts - with_link) * prices["post"] + with_link * prices["post_with_link"] + alt_texts * prices["alt_text"]
    return XCost(posts, with_link, alt_texts, round(total, 4))


def _money(amount: float) -> str:
    """$0.20, $0.015, $12.34: cents, or the tenth of a cent where a price has one."""
    return f"${amount:,.2f}" if round(amount, 2) == round(amount, 4) else f"${amount:,.3f}"
