"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("consent-image", Severity.ERROR, fix="")
def consent_image(post, ctx):
    """consent-image (to be written)."""
    return ()
