"""What hospipost's static pages share (the calendar, the report): one self-contained HTML file,
its style inlined, nothing fetched."""

from __future__ import annotations

import html


def page_start(title: str, css: str, language: str) -> list[str]:
    """The lines that open a page, up to and including its ``<header>`` and ``<h1>``."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{css}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
    ]


PAGE_END = ["</main>", "</body>", "</html>", ""]


def escape(text: str) -> str:
    return html.escape(text, quote=True)
