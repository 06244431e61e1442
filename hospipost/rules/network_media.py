"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("network-media", Severity.ERROR, fix="")
def network_media(post, ctx):
    """network-media (to be written)."""
    return ()
