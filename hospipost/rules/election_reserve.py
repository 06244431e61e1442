"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("election-reserve", Severity.ERROR, fix="")
def election_reserve(post, ctx):
    """election-reserve (to be written)."""
    return ()
