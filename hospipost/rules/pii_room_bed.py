"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-room-bed", Severity.ERROR, fix="")
def pii_room_bed(post, ctx):
    """pii-room-bed (to be written)."""
    return ()
