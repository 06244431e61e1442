"""twitter-text-parser 3.0.0 (MIT, (c) 2019 swen128, see LICENSE), vendored as the reference.

Upstream: https://github.com/swen128/twitter-text-python (PyPI ``twitter-text-parser``), a
Python port of twitter/twitter-text's ``parseTweet`` (config v3). It passes the official
conformance suite, but it cannot be a dependency as it is: ``regexp/emoji.py`` imports
``pkg_resources`` (undeclared; absent from fresh Python 3.12+ venvs and removed from
setuptools >= 82), and it costs ~1 ms per tweet and ~200 ms at import.

hospipost counts with :mod:`hospipost.twittertext` (same rules, ~100x faster) and keeps
this package as the reference its tests compare against, and as the source of the URL
regex building blocks and the emoji list. Changes from upstream, nothing else:

- ``regexp/emoji.py`` reads the emoji from ``emoji_data.py`` (generated once from
  upstream's 395 kB ``emoji-test.txt``, not kept) instead of ``pkg_resources.resource_string``;
- this ``__init__`` imports lazily and relatively (upstream imported ``twitter_text.*``
  eagerly, which built the 90 kB emoji regex on any import of the package).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    'ParsedResult',
    'parse_tweet',
    'extract_urls',
    'extract_urls_with_indices',
    'extract_emojis_with_indices',
]

_HOMES = {
    'ParsedResult': 'parse_tweet',
    'parse_tweet': 'parse_tweet',
    'extract_urls': 'extract_urls',
    'extract_urls_with_indices': 'extract_urls',
    'extract_emojis_with_indices': 'extract_emojis',
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(name)
    # Importing the submodule binds its name here (parse_tweet, extract_urls): rebind the function.
    value = getattr(import_module(f'{__name__}.{_HOMES[name]}'), name)
    globals()[name] = value
    return value
