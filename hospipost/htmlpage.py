"""What hospipost's static pages share (the calendar, the report): one self-contained HTML file,
its style inlined, nothing fetched."""

from __future__ import annotations

import html

BASE_CSS = """\
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937;
  background: #ffffff; margin: 0 auto; padding: 1.5rem; max-width: 64rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #d1d5db; }
p.meta { color: #374151; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e5e7eb; }
thead th { background: #f3f4f6; }
"""


def page_start(title: str, css: str, language: str) -> list[str]:
    """The lines that open a page, up to and including its ``<header>`` and ``<h1>``; ``css`` adds to
    (and overrides) BASE_CSS."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{BASE_CSS}{css}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
    ]


PAGE_END = ["</main>", "</body>", "</html>", ""]


def escape(text: str) -> str:
    return html.escape(text, quote=True)
