"""The realistic post corpus: every post must trigger exactly the rules it is expected to.

Each ``corpus/<area>.yaml`` is a queue file; ``corpus/<area>.expected.yaml`` maps each
post id to the rule ids that must fire (an empty list: the post is clean). Both
directions are asserted: what must be caught is caught, and nothing else cries wolf.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from hospipost.compliance import run_checks
from hospipost.posts import load_queues
from tests.helpers import NOW, make_config

CORPUS = Path(__file__).parent / "corpus"
AREAS = sorted(p.name[: -len(".expected.yaml")] for p in CORPUS.glob("*.expected.yaml"))


def _cases() -> list[tuple[str, str, list[str]]]:
    cases = []
    for area in AREAS:
        expected = yaml.safe_load((CORPUS / f"{area}.expected.yaml").read_text(encoding="utf-8")) or {}
        cases.extend((area, post_id, sorted(rules or [])) for post_id, rules in expected.items())
    return cases


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory: pytest.TempPathFactory):
    site = tmp_path_factory.mktemp("corpus") / "site"
    config = make_config(site)
    for area in AREAS:
        shutil.copy(CORPUS / f"{area}.yaml", site / "posts" / f"{area}.yaml")
    shutil.copy(CORPUS / "consents.yaml", site / "consents.yaml")  # the register of the consents posts name
    if (CORPUS / "media").is_dir():
        shutil.copytree(CORPUS / "media", site / "media")
    queues = load_queues(config)
    posts = [post for queue in queues for post in queue.posts]
    return posts, run_checks(posts, config, NOW)


@pytest.mark.parametrize("area, post_id, expected", _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_corpus_post(corpus_report, area: str, post_id: str, expected: list[str]) -> None:
    posts, report = corpus_report
    assert post_id in {p.id for p in posts}, f"{post_id} is expected but not in corpus/{area}.yaml"
    fired = sorted({f.rule for f in report.for_post(post_id) if f.ignored is None})
    details = [f"{f.rule}: {f.message} [{f.excerpt}]" for f in report.for_post(post_id)]
    assert fired == expected, "\n".join(details)


def test_every_corpus_post_has_an_expectation(corpus_report) -> None:
    posts, _ = corpus_report
    expected_ids = {post_id for _, post_id, _ in _cases()}
    assert {p.id for p in posts} <= expected_ids


def test_corpus_is_large_enough() -> None:
    assert len(_cases()) >= 60
