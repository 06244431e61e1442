"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-record-id", Severity.ERROR, fix="")
def pii_record_id(post, ctx):
    """pii-record-id (to be written)."""
    return ()
