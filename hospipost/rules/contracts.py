"""What rules and the engine share: severities, problems, rules and the check context.

A leaf module: the rules import it to declare themselves, the engine
(:mod:`hospipost.compliance`) imports it and the rule registry, and nothing here imports
either, so there is no cycle between the engine and the rules.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.networks.base import Limits, Network
    from hospipost.posts import Post


class Severity(StrEnum):
    """How serious a finding is, written as in config.yaml and reports; ordered by ``rank``
    (a suggestion < a warning < an error), not alphabetically."""

    SUGGESTION = "suggestion"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def __lt__(self, other: str) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: str) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: str) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: str) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_RANKS = {severity: rank for rank, severity in enumerate(Severity, start=1)}


@dataclass(frozen=True)
class Problem:
    """What a rule found: a message and where (field of the post, span in that text)."""

    message: str
    field: str | None = "text"
    span: tuple[int, int] | None = None
    network: str | None = None
    severity: Severity | None = None  # at most this severity: a softer finding of the rule


@dataclass(frozen=True)
class RuleOption:
    """A setting a rule declares in its own module, written in config.yaml as
    ``compliance.rules.<rule id>.<name>`` and checked when the config loads."""

    name: str
    type: type | tuple[type, ...]  # list: a list of strings
    default: Any
    help: str
    check: Callable[[Any], str | None] | None = None
    """What is wrong with a value of the right type (e.g. out of range), or None."""


@dataclass(frozen=True)
class Rule:
    """A rule: its id, default severity and its check; the docstring is its documentation.

    ``fix``, the advice printed under each finding, is the docstring's Fix section.
    """

    id: str
    severity: Severity
    check: Callable[..., Iterable[Any]]
    doc: str
    ignorable: bool = True
    scope: str = "post"  # "post": check(post, ctx); "all": check(posts, ctx) -> (post, Problem)
    sensitive: bool = False  # the matched text is personal data: never echo it whole
    options: tuple[RuleOption, ...] = ()
    fix: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fix", doc_section(self.doc, "Fix"))

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.id


# A section heading of a rule's docstring: "Fix:", "Fix", or "Checks, in each text …:".
_HEADING = re.compile(r"(\w+)(?::|,.*)?")


def doc_section(doc: str, heading: str) -> str:
    """The text of a section of a rule's docstring (the indented lines under its heading),
    as one paragraph; empty when the docstring has no such section."""
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        found = _HEADING.fullmatch(line)
        if found and found.group(1) == heading:
            body = []
            for text in lines[index + 1 :]:
                if text.strip() and not text[0].isspace():
                    break
                body.append(text.strip())
            return " ".join(part for part in body if part)
    return ""


def rule(
    rule_id: str,
    severity: Severity,
    *,
    ignorable: bool = True,
    scope: str = "post",
    sensitive: bool = False,
    options: tuple[RuleOption, ...] = (),
) -> Callable[[Callable[..., Iterable[Any]]], Rule]:
    """Declare a rule; the decorated function's docstring is what `rules --explain` prints.

    ``options`` are the rule's settings in config.yaml; the check reads them with
    :meth:`CheckContext.option`.
    """

    def declare(check: Callable[..., Iterable[Any]]) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(rule_id, severity, check, doc, ignorable, scope, sensitive, options)

    return declare


@dataclass
class CheckContext:
    """What rules may consult besides the post: config, the clock, the networks' limits."""

    config: Config
    now: datetime
    published: Callable[[Post], bool] = lambda post: False
    cache: dict[str, Any] = field(default_factory=dict)  # per-run memo for rules (e.g. file facts)

    def option(self, rule_id: str, option: RuleOption) -> Any:
        """The value config.yaml gives a rule's option (checked when it loaded), else its default."""
        setting = self.config.compliance.rules.get(rule_id)
        return setting.options.get(option.name, option.default) if setting else option.default

    def networks(self, post: Post) -> list[type[Network]]:
        """The adapter classes of the post's networks (looked up once per set of networks)."""
        from hospipost.networks import network_class  # the registry, only when a rule asks (start-up speed)

        by_names = self.cache.setdefault("networks", {})
        if post.networks not in by_names:
            by_names[post.networks] = [network_class(name) for name in post.networks]
        return by_names[post.networks]

    def limits(self, network: type[Network]) -> Limits:
        """A network's limits for this config (an instance's own limits where known)."""
        by_name = self.cache.setdefault("limits", {})
        if network.name not in by_name:
            settings = self.config.networks.get(network.name)
            by_name[network.name] = network.effective_limits(settings, self.config.cache_dir)
        return by_name[network.name]

    def local(self, moment: datetime) -> datetime:
        """The moment in the config's time zone; as written where that would fall outside the
        calendar (a date in year 1 or on 9999-12-31 that the zone moves past the edge)."""
        try:
            return moment.astimezone(self.config.timezone)
        except OverflowError:
            return moment
