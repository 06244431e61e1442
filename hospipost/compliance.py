"""The compliance engine: runs the rules over posts and applies severities and ignores.

Rules (in :mod:`hospipost.rules`) only say what is wrong, as :class:`Problem` objects.
The engine stamps each problem with its rule id and the severity in force (the rule's
default or the config's override), drops rules turned ``off``, and applies each post's
``ignore:`` entries, except for rules that cannot be ignored.
"""

from __future__ import annotations

import inspect
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from hospipost.errors import InputError
from hospipost.gcpause import gc_paused

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.networks.base import Limits, Network
    from hospipost.posts import Post


class Severity(IntEnum):
    SUGGESTION = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Problem:
    """What a rule found: a message and where (field of the post, span in that text)."""

    message: str
    field: str | None = "text"
    span: tuple[int, int] | None = None
    network: str | None = None


@dataclass(frozen=True)
class Rule:
    """A rule: its id, default severity and its check; the docstring is its documentation."""

    id: str
    severity: Severity
    check: Callable[..., Iterable[Any]]
    doc: str
    fix: str
    ignorable: bool = True
    scope: str = "post"  # "post": check(post, ctx); "all": check(posts, ctx) -> (post, Problem)
    sensitive: bool = False  # the matched text is personal data: never echo it whole

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.id


def rule(
    rule_id: str,
    severity: Severity,
    *,
    fix: str,
    ignorable: bool = True,
    scope: str = "post",
    sensitive: bool = False,
) -> Callable[[Callable[..., Iterable[Any]]], Rule]:
    """Declare a rule; the decorated function's docstring is what `rules --explain` prints."""

    def declare(check: Callable[..., Iterable[Any]]) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(rule_id, severity, check, doc, fix, ignorable, scope, sensitive)

    return declare


@dataclass
class CheckContext:
    """What rules may consult besides the post: config, the clock, the networks' limits."""

    config: "Config"
    now: datetime
    published: Callable[["Post"], bool] = lambda post: False
    cache: dict[str, Any] = field(default_factory=dict)  # per-run memo for rules (e.g. file facts)

    def networks(self, post: "Post") -> list[type["Network"]]:
        """The adapter classes of the post's networks (looked up once per set of networks)."""
        from hospipost.networks import network_class

        by_names = self.cache.setdefault("networks", {})
        if post.networks not in by_names:
            by_names[post.networks] = [network_class(name) for name in post.networks]
        return by_names[post.networks]

    def limits(self, network: type["Network"]) -> "Limits":
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


@dataclass
class Finding:
    rule: str
    severity: Severity
    post: "Post"
    message: str
    line: int
    network: str | None = None
    excerpt: str | None = None
    fix: str = ""
    ignored: str | None = None  # the reason given in the post's ignore: entry

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "post": self.post.id,
            "queue": self.post.queue,
            "file": str(self.post.file),
            "line": self.line,
            "network": self.network,
            "message": self.message,
            "excerpt": self.excerpt,
            "ignored": self.ignored,
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    posts: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity and f.ignored is None)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def suggestions(self) -> int:
        return self.count(Severity.SUGGESTION)

    @property
    def ignored(self) -> int:
        return sum(1 for f in self.findings if f.ignored is not None)

    def exit_code(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def for_post(self, post_id: str) -> list[Finding]:
        return [f for f in self.findings if f.post.id == post_id]


def active_rules(config: "Config") -> list[Rule]:
    """The rules in force, with the config's severity overrides applied."""
    from hospipost.rules import all_rules

    rules = all_rules()
    active = []
    for rule_id, setting in config.compliance.rules.items():
        if rule_id not in rules:
            raise InputError(config.path, setting.line, f"unknown rule {rule_id!r}; `hospipost rules` lists them")
    for rule_obj in rules.values():
        setting = config.compliance.rules.get(rule_obj.id)
        if setting and not setting.enabled:
            continue
        if setting and setting.severity:
            rule_obj = replace(rule_obj, severity=Severity[setting.severity.upper()])
        active.append(rule_obj)
    return active


def run_checks(
    posts: list["Post"],
    config: "Config",
    now: datetime,
    published: Callable[["Post"], bool] | None = None,
) -> Report:
    """Run every active rule over the posts and return the findings, in file order."""
    from hospipost.rules._text import forget_texts

    rules = active_rules(config)
    _validate_ignores(posts)
    context = CheckContext(config, now, published or (lambda post: False))
    report = Report(posts=len(posts))
    per_post = [rule_obj for rule_obj in rules if rule_obj.scope == "post"]
    findings = report.findings
    lines = _LineIndex()
    with gc_paused():
        try:
            for post_index, rule_index, problem in _per_post_problems(per_post, posts, context):
                findings.append(_finding(per_post[rule_index], posts[post_index], problem, lines))
            for rule_obj in rules:
                if rule_obj.scope == "all":
                    findings.extend(
                        _finding(rule_obj, post, problem, lines) for post, problem in rule_obj.check(posts, context)
                    )
        finally:
            forget_texts()
    report.findings.sort(key=lambda f: (str(f.post.file), f.post.line, f.line, -f.severity, f.rule))
    return report


def _per_post_problems(rules: list[Rule], posts: list["Post"], context: CheckContext) -> list[tuple[int, int, Problem]]:
    """(post index, rule index, problem) for every per-post rule.

    Rule by rule over all the posts: one rule's code and patterns stay warm in the
    interpreter's and the processor's caches, which measured 15 % faster than every rule
    in turn on each post. What several rules compute from a text (its folded and lowered
    forms) is memoised for the run by :mod:`hospipost.rules._text`. (Forking workers was
    measured slower: copy-on-write copies the heap Python's reference counts touch.)
    """
    found = []
    append = found.append
    for rule_index, rule_obj in enumerate(rules):
        check = rule_obj.check
        for post_index, post in enumerate(posts):
            for problem in check(post, context) or ():
                append((post_index, rule_index, problem))
    return found


class _LineIndex:
    """The file line of an offset in a post's text: each text's newlines are found once per
    run, then bisected (counting them for every finding made a long alt text quadratic)."""

    def __init__(self) -> None:
        self._newlines: dict[int, tuple[str, list[int]]] = {}

    def line(self, post: "Post", field_name: str | None, offset: int | None, text: str | None) -> int:
        if not offset or not text or len(text) < 1000:
            return post.line_of(field_name, offset, text)
        entry = self._newlines.get(id(text))
        if entry is None or entry[0] is not text:
            entry = self._newlines[id(text)] = (text, _newline_offsets(text))
        return post.line_of(field_name) + bisect_left(entry[1], offset)


def _newline_offsets(text: str) -> list[int]:
    offsets = []
    found = text.find("\n")
    while found != -1:
        offsets.append(found)
        found = text.find("\n", found + 1)
    return offsets


def _finding(rule_obj: Rule, post: "Post", problem: Problem, lines: _LineIndex) -> Finding:
    text = _field_text(post, problem.field)
    excerpt = None
    if problem.span and text is not None:
        excerpt = text[problem.span[0] : problem.span[1]]
        if rule_obj.sensitive:
            excerpt = _mask(excerpt)
    offset = problem.span[0] if problem.span else None
    line = lines.line(post, problem.field, offset, text)
    finding = Finding(
        rule=rule_obj.id,
        severity=rule_obj.severity,
        post=post,
        message=problem.message,
        line=line,
        network=problem.network,
        excerpt=excerpt,
        fix=rule_obj.fix,
    )
    for ignore in post.ignores:
        if ignore.rule == rule_obj.id:
            if rule_obj.ignorable:
                finding.ignored = ignore.reason
            else:
                finding.message += " (this rule cannot be ignored)"
    return finding


def _field_text(post: "Post", field_name: str | None) -> str | None:
    if not field_name:
        return None
    return next((text for name, text in post.texts() if name == field_name), None)


def _mask(text: str) -> str:
    """Personal data is shown only by its start, so reports and CI logs do not spread it."""
    visible = text[:4] if len(text) > 6 else text[:2]
    return f"{visible}… ({len(text)} characters)"


def _validate_ignores(posts: list["Post"]) -> None:
    from hospipost.rules import all_rules

    known = all_rules()
    for post in posts:
        for ignore in post.ignores:
            if ignore.rule not in known:
                raise InputError(post.file, ignore.line, f"ignore: unknown rule {ignore.rule!r}; `hospipost rules` lists them")
