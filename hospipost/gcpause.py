"""Pausing Python's cyclic garbage collector around bulk loading and checking.

Loading 10 000 posts allocates hundreds of thousands of objects (YAML nodes, mappings,
posts) that all stay alive. Every 700 allocations the collector rescans the youngest of
them, then, less often, all of them: 12 % of a `check` of 10 000 posts was spent so, to
find nothing, since loading and checking make no reference cycles that must be freed
before they end. The collector is paused for the duration and resumed after, when it
collects as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block with the cyclic collector off (reference counting still frees memory)."""
    if not gc.isenabled():  # already paused by an enclosing block (or by the embedding program)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
