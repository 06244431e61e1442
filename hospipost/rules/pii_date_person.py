"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-date-person", Severity.ERROR, fix="")
def pii_date_person(post, ctx):
    """pii-date-person (to be written)."""
    return ()
