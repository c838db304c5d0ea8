"""Printable routine sheets and exercise cards (PDF, HTML, Markdown)."""
