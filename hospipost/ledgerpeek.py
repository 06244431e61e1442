"""Is a retraction waiting in a SQLite ledger? One read with the standard library, for the idle run.

Cron runs `publish` every minute, and most minutes nothing is due: opening the ledger through
SQLAlchemy would cost more than the whole run. This asks the question `Ledger.retractions_to_do`
asks, in plain SQL over the same tables (ledger.py is their home); None when it cannot tell (not
SQLite, an older schema, any error), and then the caller opens the ledger properly.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

# The SQL of Ledger.retractions_to_do (ledger.py): a post retracted here, and a retraction claimed or
# due, or a delivery of it still to act on (sent without a retraction yet; pending or failed).
_WAITING = """
SELECT 1 FROM retractions WHERE state IN ('requested', 'deleting')
UNION ALL
SELECT 1 FROM deliveries AS d
 WHERE EXISTS (SELECT 1 FROM retracted_posts AS r
                WHERE r.post_id = d.post_id AND (r.network = '*' OR r.network = d.network))
   AND (d.state IN ('pending', 'failed')
        OR (d.state = 'sent' AND NOT EXISTS (SELECT 1 FROM retractions AS x WHERE x.id = d.id)))
LIMIT 1
"""


def retractions_waiting(state_url: str) -> bool | None:
    """True or False for a SQLite ledger that answers; None when this cheap read cannot tell."""
    prefix = "sqlite:///"
    if not state_url.startswith(prefix):
        return None
    path = Path(state_url[len(prefix) :])
    if not path.exists():
        return False  # nothing was ever published here
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "retracted_posts" not in tables:
                return False if "deliveries" in tables else None
            if connection.execute("SELECT 1 FROM retracted_posts LIMIT 1").fetchone() is None:
                return False
            return connection.execute(_WAITING).fetchone() is not None
    except sqlite3.Error:
        return None
