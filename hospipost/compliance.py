"""The compliance engine: runs the rules over posts and applies severities and ignores.

Rules (in :mod:`hospipost.rules`) only say what is wrong, as :class:`Problem` objects;
the contracts they share with the engine live in :mod:`hospipost.rules.contracts`.
The engine stamps each problem with its rule id and the severity in force (the rule's
default or the config's override), drops rules turned ``off``, and applies each post's
``ignore:`` entries, except for rules that cannot be ignored.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hospipost.errors import InputError
from hospipost.gcpause import gc_paused
from hospipost.rules import all_rules
from hospipost.rules._text import forget_texts
from hospipost.rules.contracts import CheckContext, Problem, Rule, Severity, rule
from hospipost.wording import sentence

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.posts import Post

__all__ = [
    "CheckContext",
    "Finding",
    "Problem",
    "Report",
    "Rule",
    "Severity",
    "active_rules",
    "rule",
    "run_checks",
]


@dataclass
class Finding:
    rule: str
    severity: Severity
    post: Post
    message: str
    line: int
    network: str | None = None
    excerpt: str | None = None
    fix: str = ""
    ignored: str | None = None  # the reason given in the post's ignore: entry

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "post": self.post.id,
            "queue": self.post.queue,
            "file": str(self.post.file),
            "line": self.line,
            "network": self.network,
            "message": sentence(self.message),
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


def active_rules(config: Config) -> list[Rule]:
    """The rules in force, with the config's severity overrides applied."""
    rules = all_rules()
    active = []
    for rule_id, configured in config.compliance.rules.items():
        if rule_id not in rules:
            raise InputError(config.path, configured.line, f"unknown rule {rule_id!r}; `hospipost rules` lists them")
    for rule_obj in rules.values():
        setting = config.compliance.rules.get(rule_obj.id)
        if setting and not setting.enabled:
            continue
        if setting and setting.severity:
            rule_obj = replace(rule_obj, severity=setting.severity)
        active.append(rule_obj)
    return active


def run_checks(
    posts: list[Post],
    config: Config,
    now: datetime,
    published: Callable[[Post], bool] | None = None,
) -> Report:
    """Run every active rule over the posts and return the findings, in file order."""
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
    report.findings.sort(key=lambda f: (str(f.post.file), f.post.line, f.line, -f.severity.rank, f.rule))
    return report


def _per_post_problems(rules: list[Rule], posts: list[Post], context: CheckContext) -> list[tuple[int, int, Problem]]:
    """(post index, rule index, problem) for every per-post rule.

    Rule by rule over all the posts: one rule's code and patterns stay warm in the
    interpreter's and the processor's caches, which measured 15 % faster than every rule
    in turn on each post. What several rules compute from a text (its folded and lowered
    forms) is memoised for the run by :mod:`hospipost.rules._text`. (Forking workers was
    measured slower: copy-on-write copies the heap Python's reference counts touch.)
    """
    found: list[tuple[int, int, Problem]] = []
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

    def line(self, post: Post, field_name: str | None, offset: int | None, text: str | None) -> int:
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


def _finding(rule_obj: Rule, post: Post, problem: Problem, lines: _LineIndex) -> Finding:
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
        severity=min(rule_obj.severity, problem.severity) if problem.severity else rule_obj.severity,
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


def _field_text(post: Post, field_name: str | None) -> str | None:
    if not field_name:
        return None
    return next((text for name, text in post.texts() if name == field_name), None)


def _mask(text: str) -> str:
    """Personal data is shown only by its start, so reports and CI logs do not spread it."""
    visible = text[:4] if len(text) > 6 else text[:2]
    return f"{visible}… ({len(text)} characters)"


def _validate_ignores(posts: list[Post]) -> None:
    known = all_rules()
    for post in posts:
        for ignore in post.ignores:
            if ignore.rule not in known:
                raise InputError(
                    post.file, ignore.line, f"ignore: unknown rule {ignore.rule!r}; `hospipost rules` lists them"
                )
