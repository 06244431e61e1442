"""approval-self: the approver is not the author."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules._people import person_key, same_person
from tests.helpers import findings, post_with


def test_severity_and_docs() -> None:
    rule = all_rules()["approval-self"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


@pytest.mark.parametrize(
    "author, approved_by",
    [
        ("c.dupuis", "c.dupuis"),
        ("c.dupuis", "C. Dupuis"),
        ("c.dupuis", "C.DUPUIS"),
        ("c.dupuis", "c_dupuis"),
        ("c.dupuis", "c-dupuis"),
        ("c.dupuis", "cdupuis"),
        ("c.dupuis", "c.dupuis@chu-angers.fr"),
        ("Claire Dupuis", "claire.dupuis"),
        ("Claire Dupuis", "Dupuis Claire"),
        ("claire.dupuis", "C. Dupuis"),
        ("Hélène Lefèvre", "helene.lefevre"),
        ("Jean-Marc Noël", "jean marc noel"),
        ("c.dupuis", "c.dupuis, C. Dupuis"),
    ],
)
def test_self_approval_is_an_error(config: Config, author: str, approved_by: str) -> None:
    found = findings(config, post_with(author=author, approved_by=approved_by), rule="approval-self")
    assert len(found) == 1 and "approved by its own author" in found[0].message


@pytest.mark.parametrize(
    "author, approved_by",
    [
        ("c.dupuis", "a.renier"),
        ("c.dupuis", "c.dupont"),
        ("c.dupuis", "m.dupuis"),
        ("Claire Dupuis", "Marc Dupuis"),
        ("c.dupuis", "a.renier, c.dupuis"),
        ("c.dupuis", "c.dupuis et a.renier"),
        ("c.dupuis", "Dr A. Renier"),
        (None, "a.renier"),
        ("c.dupuis", None),
    ],
)
def test_approval_by_someone_else_passes(config: Config, author, approved_by) -> None:
    assert findings(config, post_with(author=author, approved_by=approved_by), rule="approval-self") == []


def test_person_key_and_same_person() -> None:
    assert person_key(" C. Dupuis ") == ("c", "dupuis")
    assert person_key("c_dupuis@chu-angers.fr") == ("c", "dupuis")
    assert same_person("Dupuis, Claire".replace(",", ""), "c.dupuis")
    assert not same_person("", "c.dupuis")
    assert not same_person("c.d", "c.dupuis")
