"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("alert-emergency-number", Severity.ERROR, fix="")
def alert_emergency_number(post, ctx):
    """alert-emergency-number (to be written)."""
    return ()


@rule("alert-canicule-line", Severity.ERROR, fix="")
def alert_canicule_line(post, ctx):
    """alert-canicule-line (to be written)."""
    return ()


@rule("alert-official-link", Severity.ERROR, fix="")
def alert_official_link(post, ctx):
    """alert-official-link (to be written)."""
    return ()


@rule("alert-expiry", Severity.ERROR, fix="")
def alert_expiry(post, ctx):
    """alert-expiry (to be written)."""
    return ()
