"""alert-official-link: an alert without a link to an official source.

Per audience, see ``_alerts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._alerts import missing
from hospipost.rules._text import find_urls, host_matches, url_host
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("alert-official-link", Severity.WARNING)
def alert_official_link(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An alert without a link to an official source.

    Checks:
      A post with `kind: alert` must carry, in what each network receives, a link whose
      host is one of `compliance.official_domains` in config.yaml or a subdomain of one
      (www.santepubliquefrance.fr, pays-de-la-loire.ars.sante.fr …), with or without
      https://. A link elsewhere, or a shortened link, does not count.

    Why:
      Santé publique France publishes the reference advice for each alert (heat waves,
      epidemics); the Ordre des médecins' charter for health information asks for
      sources and references. A link lets readers check and find the updates; the
      Météo-France vigilance map changes at least twice a day.

    Fix:
      Add the official page, e.g. https://www.santepubliquefrance.fr/… or the
      hospital's own page, to the text and to each network's variant.

    Examples:
      flagged:  "Vigilance canicule orange : … appelez le 15." (no link)
      passes:   "… Les bons gestes : https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule"
    """
    if post.kind != "alert":
        return
    domains = ctx.config.compliance.official_domains

    def has_official_link(text: str) -> bool:
        return any(host_matches(url_host(url), domains) for _, _, url in find_urls(text))

    message = "alert without a link to an official source"
    if not domains:
        message += " (no official_domains in config.yaml's compliance section)"
    yield from missing(post, has_official_link, message)
