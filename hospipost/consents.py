"""The consent register: ``consents.yaml`` beside config.yaml, one record per signed consent.

A record says who consented (in plain words: personal data, so it stays in this file and
is never echoed by `check`, `status`, logs or reports), what the consent covers (images,
testimony, name), on which networks, until when, and whether it was withdrawn::

    consents:
      - id: C-2026-014                 # a reference that carries no personal data
        who: Jeanne Martin, patiente (signé par elle-même)
        covers: [images, testimony]
        networks: [facebook, instagram]  # or: all
        valid_until: 2027-12-31
        withdrawn_on: 2027-03-02       # set by `hospipost consent withdraw`
        note: formulaire papier, classeur com 2026

Posts name a record by its id (``consent:`` of a media item or of the post); the rules
``consent-image`` and ``pii-patient-name`` verify it with :func:`verify`. Every malformed
record is an InputError naming the file and line (one line, exit 2), like config.yaml; an
absent file is an empty register. :func:`withdraw` records a withdrawal by editing the one
record's text: the rest of the file, comments included, keeps every byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.errors import HospipostError, InputError
from hospipost.networks import NETWORK_NAMES
from hospipost.timeutil import MAX_YEAR, MIN_YEAR
from hospipost.yamlfile import LineDict, LineList, parse_yaml, read_text

if TYPE_CHECKING:
    from hospipost.config import Config

CONSENTS_FILE = "consents.yaml"
COVERS = ("images", "testimony", "name")
RECORD_KEYS = ("id", "who", "covers", "networks", "valid_until", "withdrawn_on", "note")
ALL_NETWORKS = "all"
# A reference, not a name: capital letters, digits and - . / _, with at least one digit.
REFERENCE = re.compile(r"(?=[^0-9]*[0-9])[A-Z0-9][A-Z0-9._/-]{0,63}")
_REFERENCE_HELP = (
    "a reference that carries no personal data, such as C-2026-014 "
    "(capital letters, digits, '-', '.', '/', '_', with at least one digit)"
)

# What a use of a consent needs it to cover, in words.
NEEDS = {
    "images": "images",
    "name": "naming the person",
    "testimony": "testimony",
}


@dataclass(frozen=True)
class Consent:
    """One signed consent. ``who`` and ``note`` are kept out of repr (and so out of logs)."""

    id: str
    who: str = field(repr=False)
    covers: frozenset[str]
    networks: frozenset[str] | None  # None: every network
    valid_until: date
    withdrawn_on: date | None
    line: int
    note: str | None = field(default=None, repr=False)

    def public(self, show_names: bool = False) -> dict[str, Any]:
        """The record as `consent list --format json` shows it (``who`` only when asked)."""
        shown: dict[str, Any] = {"id": self.id}
        if show_names:
            shown["who"] = self.who
        shown |= {
            "covers": [name for name in COVERS if name in self.covers],
            "networks": sorted(self.networks) if self.networks is not None else ALL_NETWORKS,
            "valid_until": self.valid_until.isoformat(),
            "withdrawn_on": self.withdrawn_on.isoformat() if self.withdrawn_on else None,
        }
        if show_names:
            shown["note"] = self.note
        return shown


@dataclass
class Register:
    """The consents by id; ``exists`` is False when there is no consents.yaml at all."""

    path: Path
    consents: dict[str, Consent] = field(default_factory=dict)
    exists: bool = True

    def get(self, reference: str) -> Consent | None:
        return self.consents.get(reference)


def register_path(config: Config) -> Path:
    return config.root / CONSENTS_FILE


def load_register(config: Config) -> Register:
    """The register beside config.yaml: empty (``exists`` False) when the file is absent."""
    path = register_path(config)
    if not path.exists():
        return Register(path, exists=False)
    return parse_register(read_text(path), path)


def parse_register(text: str, path: Path) -> Register:
    """A register from the file's text; the first malformed record raises InputError(file:line)."""
    data = parse_yaml(text, path)
    register = Register(path)
    if data is None:
        return register
    if not isinstance(data, LineDict):
        raise InputError(path, getattr(data, "line", 1), "consents.yaml must be a mapping with a 'consents:' list")
    for key in data:
        if key != "consents":
            raise InputError(path, data.key_line(key), f"unknown key {key!r}; consents.yaml has one key, 'consents:'")
    records = data.get("consents")
    if records is None:
        return register
    if not isinstance(records, LineList):
        raise InputError(
            path, data.line_of("consents"), "'consents:' must be a list of records (items starting with '- ')"
        )
    for index, item in enumerate(records):
        consent = _Record(path, item, records.item_lines[index]).read()
        first = register.consents.get(consent.id)
        if first is not None:
            raise InputError(path, consent.line, f"duplicate consent id {consent.id} (first at line {first.line})")
        register.consents[consent.id] = consent
    return register


class _Record:
    """Reads one record. Messages never repeat the values of ``who`` or ``note`` (personal
    data), nor an id that is not a reference (it may be a name)."""

    def __init__(self, path: Path, item: Any, line: int) -> None:
        self.path, self.item, self.line = path, item, line

    def fail(self, line: int, message: str) -> InputError:
        return InputError(self.path, line, message)

    def read(self) -> Consent:
        item = self.item
        if not isinstance(item, LineDict):
            raise self.fail(
                self.line, "each consent record must be a mapping with id, who, covers, networks, valid_until"
            )
        for key in item:
            if key not in RECORD_KEYS:
                raise self.fail(
                    item.key_line(key), f"unknown key {key!r} in a consent record; expected {', '.join(RECORD_KEYS)}"
                )
        reference = item.get("id")
        if isinstance(reference, int) and not isinstance(reference, bool):
            reference = str(reference)  # a number, as a post's consent: may write it
        if reference is None or reference == "":
            raise self.fail(self.line, "a consent record needs 'id:', " + _REFERENCE_HELP)
        if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
            raise self.fail(item.line_of("id"), "'id' must be " + _REFERENCE_HELP)
        who = item.get("who")
        if not isinstance(who, str) or not who.strip():
            raise self.fail(
                item.line_of("who") if "who" in item else self.line,
                f"consent {reference} needs 'who:', in plain words who consented (it stays in this file)",
            )
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise self.fail(item.line_of("note"), f"'note' of consent {reference} must be a text")
        withdrawn_on = self.date("withdrawn_on", reference, required=False)
        return Consent(
            id=reference,
            who=who.strip(),
            covers=self.covers(reference),
            networks=self.networks(reference),
            valid_until=self.date("valid_until", reference, required=True) or date.min,
            withdrawn_on=withdrawn_on,
            line=self.line,
            note=note.strip() if note else None,
        )

    def covers(self, reference: str) -> frozenset[str]:
        value = self.item.get("covers")
        line = self.item.line_of("covers")
        if value is None:
            raise self.fail(self.line, f"consent {reference} needs 'covers:', a list of {', '.join(COVERS)}")
        values = value if isinstance(value, LineList) else [value]
        if not values:
            raise self.fail(line, f"'covers' of consent {reference} is empty: list {', '.join(COVERS)}")
        for index, name in enumerate(values):
            if name not in COVERS:
                where = value.item_lines[index] if isinstance(value, LineList) else line
                raise self.fail(where, f"'covers' of consent {reference}: {name!r} is not one of {', '.join(COVERS)}")
        return frozenset(values)

    def networks(self, reference: str) -> frozenset[str] | None:
        value = self.item.get("networks")
        line = self.item.line_of("networks")
        if value is None:
            raise self.fail(
                self.line, f"consent {reference} needs 'networks:', the networks it covers (a list, or 'all')"
            )
        if value == ALL_NETWORKS or (isinstance(value, LineList) and list(value) == [ALL_NETWORKS]):
            return None
        values = value if isinstance(value, LineList) else [value]
        if not values:
            raise self.fail(line, f"'networks' of consent {reference} is empty: list the networks, or write 'all'")
        for index, name in enumerate(values):
            if name not in NETWORK_NAMES:
                where = value.item_lines[index] if isinstance(value, LineList) else line
                raise self.fail(
                    where,
                    f"'networks' of consent {reference}: unknown network {name!r}; "
                    f"known networks: {', '.join(NETWORK_NAMES)}, or 'all'",
                )
        return frozenset(values)

    def date(self, key: str, reference: str, required: bool) -> date | None:
        value = self.item.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(self.line, f"consent {reference} needs '{key}:', the last day it is valid (YYYY-MM-DD)")
            return None
        day = _as_date(value)
        if day is None:
            raise self.fail(
                self.item.line_of(key),
                f"'{key}' of consent {reference} must be a date such as 2027-12-31, got {value!r}",
            )
        return day


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    day = value if isinstance(value, date) else None
    if isinstance(value, str) and len(value) < 20:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
    return day if day is not None and MIN_YEAR <= day.year <= MAX_YEAR else None


# --- verifying a use -------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What is wrong with one use of a consent reference: nothing (``problem`` None), or a
    sentence; ``unverifiable`` when there is no register to look in (a softer finding)."""

    problem: str | None = None
    unverifiable: bool = False
    consent: Consent | None = None


def verify(
    register: Register,
    reference: str,
    *,
    needs: tuple[str, ...],
    networks: tuple[str, ...],
    last_day: date | None,
    today: date,
) -> Verdict:
    """Whether consent ``reference`` allows a use: it exists, covers one of ``needs`` (names
    from COVERS) and every network, is valid on ``last_day`` (the post's last day; None: a series without
    end) and was not withdrawn by then or by ``today``. Messages name the reference, never who."""
    if not register.exists:
        return Verdict(
            f"consent {reference} cannot be verified: there is no {CONSENTS_FILE} beside config.yaml",
            unverifiable=True,
        )
    consent = register.get(reference)
    if consent is None:
        return Verdict(f"consent {reference} is not in {CONSENTS_FILE}")
    if consent.withdrawn_on is not None and consent.withdrawn_on <= max(today, last_day or date.max):
        return Verdict(f"consent {reference} was withdrawn on {consent.withdrawn_on.isoformat()}", consent=consent)
    if consent.covers.isdisjoint(needs):
        covered = ", ".join(name for name in COVERS if name in consent.covers)
        wanted = " or ".join(NEEDS[name] for name in needs)
        return Verdict(f"consent {reference} does not cover {wanted} (it covers {covered})", consent=consent)
    if last_day is None or last_day > consent.valid_until:
        when = "the series has no end" if last_day is None else f"the post is on {last_day.isoformat()}"
        return Verdict(
            f"consent {reference} is valid until {consent.valid_until.isoformat()} and {when}", consent=consent
        )
    if consent.networks is not None:
        missing = [name for name in networks if name not in consent.networks]
        if missing:
            return Verdict(f"consent {reference} does not cover {', '.join(missing)}", consent=consent)
    return Verdict(consent=consent)


# --- withdrawing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawal:
    path: Path  # consents.yaml
    consent: Consent  # as it is now in the file
    recorded: bool  # False: it was already withdrawn, the file is untouched
    line: int  # the line of withdrawn_on


def withdraw(config: Config, reference: str, on: date) -> Withdrawal:
    """Record that consent ``reference`` was withdrawn on ``on``: the record gains (or has its
    empty) ``withdrawn_on:``; every other byte of the file stays as it was. Written
    atomically, under a lock on the folder; the edit is parsed back and compared first."""
    from hospipost.queuefile import atomic_write  # the one atomic write (imported when writing only)

    path = register_path(config)
    if not path.exists():
        raise HospipostError(f"{path}: no such file; there is no consent {reference} to withdraw")
    with _folder_lock(path.parent):
        text = read_text(path)
        register = parse_register(text, path)
        consent = register.get(reference)
        if consent is None:
            known = ", ".join(sorted(register.consents)[:5]) or "none"
            raise HospipostError(f"{path}: no consent {reference} (known: {known})")
        if consent.withdrawn_on is not None:
            return Withdrawal(path, consent, False, _withdrawn_line(text, path, reference))
        new_text = _with_withdrawal(text, path, reference, on)
        changed = parse_register(new_text, path)
        expected = {**register.consents, reference: _replace(consent, withdrawn_on=on)}
        if _comparable(changed) != _comparable_map(expected):
            raise HospipostError(
                f"{path}: cannot record the withdrawal without changing something else; edit it by hand"
            )
        atomic_write(path, new_text.encode("utf-8"))
        return Withdrawal(path, changed.consents[reference], True, _withdrawn_line(new_text, path, reference))


def _replace(consent: Consent, **changes: Any) -> Consent:
    from dataclasses import replace

    return replace(consent, **changes)


def _comparable(register: Register) -> dict[str, tuple[Any, ...]]:
    return _comparable_map(register.consents)


def _comparable_map(consents: dict[str, Consent]) -> dict[str, tuple[Any, ...]]:
    return {key: (c.who, c.covers, c.networks, c.valid_until, c.withdrawn_on, c.note) for key, c in consents.items()}


def _record_node(text: str, path: Path, reference: str) -> Any:
    """The YAML node of the record ``reference`` (its marks locate it in the text)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose(text.removeprefix("\ufeff"), Loader=loader)
    for key_node, value_node in root.value if root is not None else ():
        if key_node.value == "consents":
            for record in value_node.value:
                for k, v in record.value:
                    if k.value == "id" and v.value == reference:
                        return record
    raise HospipostError(f"{path}: consent {reference} not found")  # parse_register found it: not reached


def _with_withdrawal(text: str, path: Path, reference: str, on: date) -> str:
    offset = 1 if text.startswith("\ufeff") else 0
    record = _record_node(text, path, reference)
    pairs = record.value
    for key_node, value_node in pairs:
        if key_node.value == "withdrawn_on":  # present and empty (or null): fill it in
            start, end = value_node.start_mark.index + offset, value_node.end_mark.index + offset
            if end > start:
                return text[:start] + on.isoformat() + text[end:]
            colon = text.index(":", key_node.end_mark.index + offset)
            return text[: colon + 1] + " " + on.isoformat() + text[colon + 1 :]
    if record.flow_style:
        close = text.rindex("}", 0, record.end_mark.index + offset)
        return text[:close].rstrip() + f", withdrawn_on: {on.isoformat()}" + text[close:]
    column = pairs[0][0].start_mark.column
    end = pairs[-1][1].end_mark.index + offset
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    newline = text.find("\n", end)
    newline_chars = "\r\n" if "\r\n" in text else "\n"
    if newline == -1:
        return text + newline_chars + " " * column + f"withdrawn_on: {on.isoformat()}" + newline_chars
    line = " " * column + f"withdrawn_on: {on.isoformat()}" + newline_chars
    return text[: newline + 1] + line + text[newline + 1 :]


def _withdrawn_line(text: str, path: Path, reference: str) -> int:
    record = _record_node(text, path, reference)
    for key_node, _ in record.value:
        if key_node.value == "withdrawn_on":
            return int(key_node.start_mark.line) + 1
    return int(record.start_mark.line) + 1


class _folder_lock:
    """An exclusive lock on the folder itself: one withdrawal at a time, no lock file left behind."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fd = -1

    def __enter__(self) -> None:
        import fcntl
        import os

        self.fd = os.open(self.folder, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        import os

        os.close(self.fd)  # closing releases the lock
