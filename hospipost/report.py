"""Rendering a check report: text (rich), json, sarif 2.1.0, github annotations.

Each renderer is a pure function from a report to a string (or a rich renderable), so
it can be tested without a terminal; the CLI prints the result in one place.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost import __version__
from hospipost.compliance import Finding, Report, Rule, Severity
from hospipost.wording import sentence

if TYPE_CHECKING:
    from rich.console import RenderableType

FORMATS = ("text", "json", "sarif", "github")
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "note"}
GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}
STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.SUGGESTION: "cyan"}


def display_path(path: Path) -> str:
    """A path relative to the current folder when it is below it (shorter, and what CI expects)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    parts = [
        _plural(report.errors, "error"),
        _plural(report.warnings, "warning"),
        _plural(report.suggestions, "suggestion"),
    ]
    line = f"{', '.join(parts)} in {_plural(report.posts, 'post')}"
    if report.ignored:
        line += f" ({report.ignored} ignored with a reason)"
    return line


def render_text(report: Report) -> RenderableType:
    """A report grouped by file and post: line, severity, rule, message, excerpt and fix."""
    from rich.console import Group
    from rich.text import Text

    blocks: list[Any] = []
    for path, file_findings in groupby(report.findings, key=lambda f: f.post.file):
        blocks.append(Text(display_path(path), style="bold underline"))
        for post, post_findings in groupby(file_findings, key=lambda f: f.post):
            blocks.append(Text(f"  {post.id}", style="bold").append(f"  (line {post.line})", style="dim"))
            blocks.extend(_finding_text(finding) for finding in post_findings)
        blocks.append(Text(""))
    style = "bold red" if report.errors else "yellow" if report.warnings else "bold green"
    mark = "✖" if report.errors else "!" if report.warnings else "✔"
    blocks.append(Text(f"{mark} {summary_line(report)}", style=style))
    return Group(*blocks)


def _finding_text(finding: Finding) -> RenderableType:
    """One finding: line, severity and rule on the left; the message, excerpt and fix in a
    column of their own, so a long message wraps under itself (never back at column 0)."""
    from rich.text import Text

    head = Text(f"    {finding.line:>4}  ")
    if finding.ignored is not None:
        head.append(f"{'ignored':<10}", style="dim")
    else:
        head.append(f"{finding.severity.value:<10}", style=STYLES[finding.severity])
    head.append(f" {finding.rule:<22} ", style="dim" if finding.ignored else "bold")
    body = Text()
    if finding.network:
        body.append(f"[{finding.network}] ", style="magenta")
    body.append(sentence(finding.message))
    if finding.excerpt and f"«{finding.excerpt}»" not in finding.message:
        body.append(f"  «{_one_line(finding.excerpt)}»", style="italic")
    if finding.ignored is not None:
        body.append(f"\nreason: {finding.ignored}", style="dim")
    elif finding.fix:
        body.append(f"\nfix: {finding.fix}", style="green")
    return _Hanging(head, body)


class _Hanging:
    """``head`` then ``body``, the body's lines (its own and those a narrow terminal wraps)
    aligned under its first one; no trailing padding, so pipes and CI logs stay clean."""

    def __init__(self, head: Any, body: Any) -> None:
        self.head, self.body = head, body

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        indent = self.head.cell_len
        for number, line in enumerate(self.body.wrap(console, max(options.max_width - indent, 20))):
            yield (self.head.copy() if number == 0 else Text(" " * indent)).append_text(line)


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_json(report: Report) -> str:
    """The report as JSON, one finding per line (readable, and encoded by json's C encoder)."""
    counts = {
        "posts": report.posts,
        "errors": report.errors,
        "warnings": report.warnings,
        "suggestions": report.suggestions,
        "ignored": report.ignored,
    }
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for all (json.dumps builds one per call)
    findings = ",\n    ".join(encode(finding.as_dict()) for finding in report.findings)
    body = f"[\n    {findings}\n  ]" if findings else "[]"
    tail = ",\n".join(f"  {json.dumps(key)}: {value}" for key, value in counts.items())
    return f'{{\n  "findings": {body},\n{tail}\n}}'


def render_sarif(report: Report, rules: Iterable[Rule]) -> str:
    """SARIF 2.1.0, one run; ignored findings carry a suppression with their reason."""
    rules = list(rules)
    index = {rule_obj.id: position for position, rule_obj in enumerate(rules)}
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index.get(finding.rule, -1),
            "level": SARIF_LEVELS[finding.severity],
            "message": {"text": _sarif_message(finding)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(display_path(finding.post.file)).as_posix()},
                        "region": {"startLine": finding.line},
                    },
                    "logicalLocations": [{"name": finding.post.id, "kind": "object"}],
                }
            ],
        }
        if finding.ignored is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.ignored}]
        results.append(result)
    driver = {
        "name": "hospipost",
        "version": __version__,
        "informationUri": "https://pypi.org/project/hospipost/",
        "rules": [_sarif_rule(rule_obj) for rule_obj in rules],
    }
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _sarif_message(finding: Finding) -> str:
    prefix = f"[{finding.network}] " if finding.network else ""
    return f"{prefix}{sentence(finding.message)} (post {finding.post.id})"


def _sarif_rule(rule_obj: Rule) -> dict[str, Any]:
    return {
        "id": rule_obj.id,
        "shortDescription": {"text": rule_obj.summary},
        "fullDescription": {"text": rule_obj.doc},
        "help": {"text": rule_obj.fix or rule_obj.summary},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule_obj.severity]},
    }


def render_github(report: Report) -> str:
    """GitHub workflow commands: one ::error / ::warning / ::notice line per finding."""
    lines = []
    for finding in report.findings:
        if finding.ignored is not None:
            continue
        properties = ",".join(
            f"{key}={_escape_property(value)}"
            for key, value in (
                ("file", Path(display_path(finding.post.file)).as_posix()),
                ("line", str(finding.line)),
                ("title", f"hospipost {finding.rule}"),
            )
        )
        message = _sarif_message(finding) + (f". Fix: {finding.fix}" if finding.fix else "")
        lines.append(f"::{GITHUB_COMMANDS[finding.severity]} {properties}::{_escape_data(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")
