"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("network-length", Severity.ERROR, fix="")
def network_length(post, ctx):
    """network-length (to be written)."""
    return ()
