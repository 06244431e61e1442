"""Appending a post to a queue file without rewriting it (`hospipost queue add`).

The queue files are edited and reviewed by people: an append must keep every byte that
is already there (comments, quoting, order, line endings). So the new post is
serialized on its own and spliced in as text, right after the last line of the last
item of ``posts:``, located with the YAML parser's event marks, never by guessing from
indentation (a text ending with a "#hashtag" line is not a comment). The result is
parsed again through the real loader and compared with the original before anything is
written, and the write is atomic, under a lock shared by every ``queue add``.
"""

from __future__ import annotations

import os
import re
import tempfile
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml

from hospipost.compliance import Finding, Severity, run_checks
from hospipost.config import WEEKDAYS, Config
from hospipost.errors import HospipostError, InputError
from hospipost.posts import ID_PATTERN, Post, QueueLoadError, load_queues, parse_queue_text, queue_files
from hospipost.timeutil import dst_problem
from hospipost.yamlfile import read_text

if TYPE_CHECKING:
    from typing import TypeAlias

    from yaml._yaml import Mark as _CMark

    _Mark: TypeAlias = yaml.Mark | _CMark  # libyaml's parser gives its own Mark class

QUEUE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LOCK_NAME = ".hospipost-queue.lock"
TEMP_SUFFIX = ".hospipost-tmp"
LOCK_TIMEOUT = 30.0
SLOT_HORIZON_DAYS = 400
# Rules whose errors do not stop a post from being queued: they block publication only.
NOT_BLOCKING_QUEUING = frozenset({"approval-required"})
NEW_QUEUE_HEADER = '# Queue "{name}", created by `hospipost queue add`: one item per post under posts:\n'
# Written in this order; absent keys are left to the queue's defaults.
FIELD_ORDER = (
    "id",
    "at",
    "kind",
    "language",
    "networks",
    "text",
    "thread",
    "media",
    "author",
    "approved_by",
    "valid_until",
    "source",
    "draft",
)
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- where the new item goes -------------------------------------------------------


@dataclass
class _Insertion:
    """Where and how the new item is spliced into the original text."""

    index: int  # the item text goes here
    dash_col: int  # column of the item's "-"
    content_col: int  # column of the item's keys
    unit: int  # indentation step for nested values
    before: str = ""  # text put before the item ("posts:", a missing line break)
    remove: tuple[int, int] | None = None  # a span of the original to drop ("[]", "~")


def append_item(text: str, fields: dict[str, Any]) -> str:
    """The queue-file text with one post (``fields``) added at the end of ``posts:``.

    Everything in ``text`` is kept byte for byte, except an empty ``posts: []`` or
    ``posts: ~``, whose empty value becomes the new block list. Raises HospipostError
    for a ``posts:`` written as a non-empty flow list, which cannot be extended safely.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    spot = _find_insertion(body)
    head = body[: spot.index]
    if spot.remove:
        start, end = spot.remove
        line_start = body.rfind("\n", 0, start) + 1
        head = body[:line_start] + body[line_start:start].rstrip(" \t") + body[end : spot.index]
    added = spot.before + _indent_item(dump_item(fields, spot.unit), spot)
    newline = "\r\n" if "\r\n" in body else "\n"
    return bom + head + added.replace("\n", newline) + body[spot.index :]


def _events(text: str) -> list[yaml.Event]:
    """The parser's events; their marks index ``text`` by character (libyaml's too)."""
    try:
        return list(yaml.parse(text, Loader=_PARSER))
    except yaml.YAMLError as error:
        raise HospipostError(f"cannot locate the posts list: invalid YAML ({error})") from None


def _subtree_end(events: list[yaml.Event], start: int) -> int:
    """Index just after the node that starts at events[start]."""
    if not isinstance(events[start], yaml.CollectionStartEvent):
        return start + 1
    depth = 0
    for index in range(start, len(events)):
        if isinstance(events[index], yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(events[index], yaml.CollectionEndEvent):
            depth -= 1
            if depth == 0:
                return index + 1
    return len(events)


def _top_level(events: list[yaml.Event]) -> tuple[int | None, list[tuple[int, int, int]]]:
    """The root mapping's start index and its (key, value start, value end) event indexes."""
    root = next((i for i, e in enumerate(events) if isinstance(e, yaml.DocumentStartEvent)), None)
    if root is None or not isinstance(events[root + 1], yaml.MappingStartEvent):
        return None, []
    pairs, index = [], root + 2
    while not isinstance(events[index], yaml.MappingEndEvent):
        value = _subtree_end(events, index)
        end = _subtree_end(events, value)
        pairs.append((index, value, end))
        index = end
    return root + 1, pairs


def _start(event: yaml.Event) -> _Mark:
    assert event.start_mark is not None, "the parser marks every event it emits"
    return event.start_mark


def _end(event: yaml.Event) -> _Mark:
    assert event.end_mark is not None, "the parser marks every event it emits"
    return event.end_mark


def _content_end(text: str, events: list[yaml.Event]) -> int:
    """Where the last written character of these events is (not trailing blanks or comments).

    Block collections end where the next token starts (after comments), so only scalars,
    aliases and flow collections' closing brackets mark the end of written content.
    """
    end = 0
    for event in events:
        width = _end(event).index - _start(event).index
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)) or (
            isinstance(event, yaml.CollectionEndEvent) and width > 0
        ):
            end = max(end, _end(event).index)
    while end > 0 and text[end - 1] in " \t\r\n":  # a block scalar's marks run over blank lines
        end -= 1
    return end


def _after_line(text: str, index: int) -> tuple[int, str]:
    """The start of the line after the one holding ``index``, and a line break to add at EOF."""
    line_end = text.find("\n", index)
    if line_end < 0:
        return len(text), "\n"
    return line_end + 1, ""


def _nesting_unit(events: list[yaml.Event], pairs: list[tuple[int, int, int]], key_col: int) -> int:
    """The file's indentation step (2 or 4…), read from its first nested block value."""
    for _, value, _ in pairs:
        event = events[value]
        if isinstance(event, yaml.CollectionStartEvent) and not event.flow_style:
            inner = events[value + 1] if isinstance(event, yaml.MappingStartEvent) else event
            column = _start(inner).column - key_col
            if 2 <= column <= 8:
                return column
    return 2


def _find_insertion(text: str) -> _Insertion:
    events = _events(text)
    root, pairs = _top_level(events)
    root_start = events[root] if root is not None else None  # a MappingStartEvent (see _top_level)
    if isinstance(root_start, yaml.MappingStartEvent) and root_start.flow_style:
        raise HospipostError("the queue file is one {…} flow mapping; write it as block YAML to use queue add")
    key_col = _start(root_start).column if root_start is not None else 0
    unit = _nesting_unit(events, pairs, key_col)
    posts = next((p for p in pairs if getattr(events[p[0]], "value", None) == "posts"), None)
    if posts is None:
        index, line_break = len(text), ("" if not text or text.endswith("\n") else "\n")
        before = line_break + " " * key_col + "posts:\n"
        return _Insertion(index, key_col + unit, key_col + unit + 2, unit, before)
    key, value, end = posts
    start_event = events[value]
    if isinstance(start_event, yaml.SequenceStartEvent) and not start_event.flow_style:
        return _after_items(text, events[value:end], unit)
    if _is_empty_value(start_event, events, value):
        index, line_break = _after_line(text, _content_end(text, events[key:end]))
        span = (_start(start_event).index, _end(events[end - 1]).index)
        remove = span if span[1] > span[0] else None
        return _Insertion(index, key_col + unit, key_col + unit + 2, unit, line_break, remove)
    raise HospipostError(
        f"posts: (line {_start(start_event).line + 1}) is not a block list; write each post as an item "
        "starting with '- ' so that queue add can append to it"
    )


def _is_empty_value(event: yaml.Event, events: list[yaml.Event], index: int) -> bool:
    """An empty flow list ``[]``, or a null (nothing, ``~``, ``null``)."""
    if isinstance(event, yaml.SequenceStartEvent):
        return bool(event.flow_style) and isinstance(events[index + 1], yaml.SequenceEndEvent)
    return (
        isinstance(event, yaml.ScalarEvent)
        and not event.style  # plain: None from PyYAML's parser, "" from libyaml's
        and event.value in ("", "~", "null", "Null", "NULL")
    )


def _after_items(text: str, sequence: list[yaml.Event], unit: int) -> _Insertion:
    dash = _start(sequence[0])
    first = _start(sequence[1])
    content_col = first.column if first.line == dash.line else dash.column + 2
    index, line_break = _after_line(text, _content_end(text, sequence))
    return _Insertion(index, dash.column, content_col, unit, line_break)


# --- the new item ---------------------------------------------------------------------


class _FlowList(list):
    """A list written inline: ``networks: [x, facebook]``."""


class _Block(str):
    """A text written as a literal block (``text: |``): French apostrophes and colons stay as typed."""


class _ItemDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent lists under their key ("media:\n  - file: …"), as people write them.
        return super().increase_indent(flow, False)


_STR = "tag:yaml.org,2002:str"


def _represent_str(dumper: _ItemDumper, value: str) -> yaml.ScalarNode:
    if isinstance(value, _Block) or "\n" in value:
        # A final line break gives "|" rather than "|-"; the loader strips texts anyway.
        return dumper.represent_scalar(_STR, value.rstrip("\n") + "\n", style="|")
    # "d'Angers" reads better in double quotes than as 'd''Angers'.
    style = '"' if "'" in value and _needs_quotes(dumper, value) else None
    return dumper.represent_scalar(_STR, value, style=style)


def _needs_quotes(dumper: _ItemDumper, value: str) -> bool:
    analysis = dumper.analyze_scalar(value)
    plain = analysis.allow_block_plain and not analysis.empty and not analysis.multiline
    return not plain or dumper.resolve(yaml.ScalarNode, value, (True, False)) != _STR


_ItemDumper.add_representer(str, _represent_str)
_ItemDumper.add_representer(_Block, _represent_str)
_ItemDumper.add_representer(
    _FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def dump_item(fields: dict[str, Any], unit: int = 2) -> str:
    """One post as a YAML mapping (not yet indented as a list item), keys in FIELD_ORDER."""
    ordered = {key: fields[key] for key in FIELD_ORDER if fields.get(key) not in (None, [], "")}
    if "networks" in ordered:
        ordered["networks"] = _FlowList(ordered["networks"])
    if "text" in ordered:
        ordered["text"] = _Block(ordered["text"])
    return yaml.dump(ordered, Dumper=_ItemDumper, sort_keys=False, allow_unicode=True, width=1_000_000, indent=unit)


def _indent_item(dumped: str, spot: _Insertion) -> str:
    lines = dumped.rstrip("\n").split("\n")
    dash = " " * spot.dash_col + "-" + " " * (spot.content_col - spot.dash_col - 1)
    rest = [" " * spot.content_col + line if line else "" for line in lines[1:]]
    return "\n".join([dash + lines[0], *rest]) + "\n"


# --- approvals written into a post ---------------------------------------------------------

# The keys `approve` replaces in a post: its approvals, and a plain approval it supersedes.
APPROVAL_FIELDS = ("approvals", "approved_by", "approval")


class _FlowDict(dict):
    """A mapping written inline: ``parts: {text: 1a2b…, media: …}``."""


_ItemDumper.add_representer(
    _FlowDict, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)
)


def set_approvals(text: str, post_id: str, approvals: list[dict[str, Any]]) -> str:
    """The queue-file text with post ``post_id``'s approvals replaced by ``approvals``.

    Only that post's ``approvals:``, ``approved_by:`` and ``approval:`` lines change: the
    new ``approvals:`` block takes the place of the first of them (or follows ``author:``,
    or ends the post); every other byte of the file is kept. Raises HospipostError when
    the post cannot be edited safely (a flow ``{…}`` post, an alias, a key on the item's
    ``-`` line).
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    events = _events(body)
    start, end = _post_item(events, post_id)
    item = events[start]
    if not isinstance(item, yaml.MappingStartEvent) or item.flow_style:
        raise HospipostError(
            f"post {post_id!r} (line {_start(item).line + 1}) is not a block mapping; "
            "write it with one key per line to approve it"
        )
    pairs, index = [], start + 1
    while index < end - 1:
        value = _subtree_end(events, index)
        pairs.append((getattr(events[index], "value", None), index, value, _subtree_end(events, value)))
        index = pairs[-1][3]
    key_col = _start(events[start + 1]).column
    dash_line = _start(events[start + 1]).line
    removed: list[tuple[int, int]] = []
    spot: int | None = None
    for key, key_index, _, pair_end in pairs:
        if key not in APPROVAL_FIELDS:
            continue
        key_mark = _start(events[key_index])
        if key_mark.line == dash_line:
            raise HospipostError(
                f"post {post_id!r}: {key}: (line {key_mark.line + 1}) shares a line with the item's '-'; "
                "put it on a line of its own to approve the post"
            )
        line_start = body.rfind("\n", 0, key_mark.index) + 1
        after, _ = _after_line(body, _content_end(body, events[key_index:pair_end]))
        removed.append((line_start, after))
        spot = line_start if spot is None else spot
    if spot is None:
        author = next((p for p in pairs if p[0] == "author"), None)
        last = author or pairs[-1]
        spot, line_break = _after_line(body, _content_end(body, events[last[1] : last[3]]))
    else:
        line_break = ""
    root, top = _top_level(events)
    unit = _nesting_unit(events, top, _start(events[root]).column if root is not None else 0)
    block = _indent_block(dump_approvals(approvals, unit), key_col) if approvals else ""
    pieces, cursor = [], 0
    for begin, finish in sorted(removed):
        pieces.append(body[cursor:begin])
        if begin == spot:
            pieces.append(block.replace("\n", newline))
        cursor = finish
    if not removed:
        pieces.append(body[:spot] + (line_break + block).replace("\n", newline))
        cursor = spot
    pieces.append(body[cursor:])
    return bom + "".join(pieces)


def _post_item(events: list[yaml.Event], post_id: str) -> tuple[int, int]:
    """The event span (start, end) of the item of ``posts:`` whose id is ``post_id``."""
    _, pairs = _top_level(events)
    posts = next((p for p in pairs if getattr(events[p[0]], "value", None) == "posts"), None)
    if posts is None or not isinstance(events[posts[1]], yaml.SequenceStartEvent):
        raise HospipostError(f"no post {post_id!r} in a posts: list")
    index, end = posts[1] + 1, posts[2] - 1
    while index < end:
        item_end = _subtree_end(events, index)
        if isinstance(events[index], yaml.AliasEvent):
            index = item_end
            continue
        if isinstance(events[index], yaml.MappingStartEvent):
            inner = index + 1
            while inner < item_end - 1:
                value = _subtree_end(events, inner)
                key, found = events[inner], events[value] if value < item_end else None
                if (
                    isinstance(key, yaml.ScalarEvent)
                    and key.value == "id"
                    and isinstance(found, yaml.ScalarEvent)
                    and found.value.strip() == post_id
                ):
                    return index, item_end
                inner = _subtree_end(events, value)
        index = item_end
    raise HospipostError(f"cannot find post {post_id!r}'s item in its queue file (is its id written with an alias?)")


def dump_approvals(approvals: list[dict[str, Any]], unit: int = 2) -> str:
    """``approvals:`` and its items, each item's keys in order, ``parts`` on one line."""
    items = [{**entry, "parts": _FlowDict(entry["parts"])} if "parts" in entry else entry for entry in approvals]
    return yaml.dump(
        {"approvals": items}, Dumper=_ItemDumper, sort_keys=False, allow_unicode=True, width=1_000_000, indent=unit
    )


def _indent_block(dumped: str, column: int) -> str:
    return "".join(" " * column + line if line.strip() else line for line in dumped.splitlines(keepends=True))


# --- ids and slots --------------------------------------------------------------------


def make_post_id(prefix: str, text: str, day: str, taken: set[str]) -> str:
    """A unique id that carries no word of the text (it may name a patient), e.g. news-2027-07-19-3fa9:
    the queue or kind, the date and a short hash of the text."""
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:4]
    base = f"{prefix.replace('_', '-')}-{day}-{digest}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def next_free_slot(slots: dict[str, list[time]], tz: ZoneInfo, now: datetime, taken: set[datetime]) -> datetime | None:
    """The earliest slot strictly after ``now`` that no post uses, or None within ~a year.

    Slots are local times on the days that have some; a slot that does not exist or is
    ambiguous on a DST change day is skipped rather than guessed.
    """
    taken_utc = {moment.astimezone(UTC) for moment in taken}
    first_day = now.astimezone(tz).date()
    for offset in range(SLOT_HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        for slot in slots.get(WEEKDAYS[day.weekday()], []):
            wall = datetime.combine(day, slot)
            if dst_problem(wall, tz):
                continue
            moment = wall.replace(tzinfo=tz)
            if moment > now and moment.astimezone(UTC) not in taken_utc:
                return moment
    return None


# --- locking and writing ----------------------------------------------------------------


@contextmanager
def queue_lock(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the posts folder's exclusive lock: one `queue add` at a time reads and writes."""
    import fcntl

    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise HospipostError(f"{path}: cannot create the lock file: {error.strerror}") from None
    try:
        deadline = _time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if _time.monotonic() > deadline:
                    raise HospipostError(f"{path}: another `queue add` has held the lock for {timeout:.0f} s") from None
                _time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one.

    A temporary file in the same folder is written, fsynced and renamed over the target
    (keeping its permissions); the folder is fsynced so the rename survives a crash.
    """
    target = path.resolve()
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    with suppress(OSError):  # not every file system lets a folder be opened and synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- queue add ------------------------------------------------------------------------


@dataclass
class AddResult:
    """The outcome of `queue add`: the post as loaded back, its findings, whether it was written."""

    path: Path
    post: Post
    findings: list[Finding]
    written: bool
    created: bool = False  # the queue file did not exist
    slot_taken: bool = False  # the time came from the posting slots

    @property
    def blocking(self) -> list[Finding]:
        """Errors that keep the post out of the queue (unless it is a draft)."""
        return [f for f in self.findings if is_blocking(f)]


def is_blocking(finding: Finding) -> bool:
    """A content error: it stops `queue add`; a missing approval only stops publication."""
    return finding.severity == Severity.ERROR and finding.ignored is None and finding.rule not in NOT_BLOCKING_QUEUING


def check_queue_name(name: str) -> None:
    """A queue name is a plain file stem: no path, no extension, nothing to escape posts/."""
    if not QUEUE_NAME.match(name):
        raise HospipostError(
            f"Bad queue name {name!r}: a queue is a file posts/NAME.yaml; use lowercase letters, digits, '-' or '_'"
        )


def queue_path(config: Config, name: str) -> Path:
    """posts/NAME.yaml (or an existing NAME.yml)."""
    check_queue_name(name)
    folder = config.resolve(config.posts_dir)
    if not folder.is_dir():
        raise InputError(folder, None, "posts folder not found (posts_dir in config.yaml)")
    yml = folder / f"{name}.yml"
    return yml if yml.exists() and not (folder / f"{name}.yaml").exists() else folder / f"{name}.yaml"


@dataclass
class _Site:
    """The queues as read under the lock: the other queues' posts, this queue's posts and text."""

    others: list[Post] = field(default_factory=list)
    current: list[Post] = field(default_factory=list)
    original: str | None = None

    @property
    def all_posts(self) -> list[Post]:
        return [*self.others, *self.current]


def _read_site(config: Config, path: Path) -> _Site:
    others = [f for f in queue_files(config) if f.resolve() != path.resolve()]
    try:
        queues = load_queues(config, others)
    except QueueLoadError as error:
        raise HospipostError("\n".join(e.format_message() for e in error.errors)) from None
    site = _Site(others=[post for queue in queues for post in queue.posts])
    if path.exists():
        site.original = read_text(path)
        site.current = parse_queue_text(site.original, path, config)
    return site


def add_post(config: Config, name: str, fields: dict[str, Any], now: datetime) -> AddResult:
    """Append a post to queue ``name`` unless it has content errors (``fields["draft"]`` allows them).

    ``fields`` holds the post's keys as written to the file; ``at`` and ``id`` are filled
    in when missing (next free slot; a slug made unique). The whole read-check-write runs
    under the posts folder's lock, so concurrent adds never lose a post nor share a slot.
    """
    path = queue_path(config, name)
    with queue_lock(path.parent):
        site = _read_site(config, path)
        fields = dict(fields)
        slot_taken = _fill_time(fields, config, now, site.all_posts)
        _fill_id(fields, name, site.all_posts)
        original = site.original if site.original is not None else NEW_QUEUE_HEADER.format(name=name)
        new_text = append_item(original, fields)
        posts = _load_back(new_text, path, config, site.current, fields["id"])
        report = run_checks([*site.others, *posts], config, now)
        result = AddResult(path, posts[-1], report.for_post(fields["id"]), False, site.original is None, slot_taken)
        if result.blocking and not fields.get("draft"):
            return result
        try:
            atomic_write(path, new_text.encode("utf-8"))
        except OSError as error:
            raise HospipostError(f"{path}: cannot write: {error.strerror}") from None
        result.written = True
        return result


def _fill_time(fields: dict[str, Any], config: Config, now: datetime, posts: list[Post]) -> bool:
    if fields.get("at"):
        return False
    if not config.slots:
        raise HospipostError('no --at given and no slots: in config.yaml; give --at "YYYY-MM-DD HH:MM" or add slots')
    slot = next_free_slot(config.slots, config.timezone, now, {p.at for p in posts if p.at})
    if slot is None:
        raise HospipostError(f"no free posting slot in the next {SLOT_HORIZON_DAYS} days; give --at")
    fields["at"] = slot.strftime("%Y-%m-%d %H:%M")
    return True


def _fill_id(fields: dict[str, Any], queue_name: str, posts: list[Post]) -> None:
    taken = {post.id for post in posts}
    post_id = fields.get("id")
    if post_id:
        if not ID_PATTERN.match(post_id):
            raise HospipostError(f"--id {post_id!r}: use lowercase letters, digits and '-' only")
        if post_id in taken:
            where = next(p for p in posts if p.id == post_id)
            raise HospipostError(f"--id {post_id!r} is already used ({where.file.name}:{where.line})")
        return
    fields["id"] = make_post_id(fields.get("kind") or queue_name, fields["text"], str(fields["at"])[:10], taken)


def _load_back(new_text: str, path: Path, config: Config, before: list[Post], post_id: str) -> list[Post]:
    """The queue as the loader reads the new text; it must be the old posts plus the new one."""
    try:
        posts = parse_queue_text(new_text, path, config)
    except InputError as error:
        raise HospipostError(f"{path}: the post cannot be added: {error.problem} (line {error.line})") from None
    if (
        len(posts) != len(before) + 1
        or posts[-1].id != post_id
        or any(post_signature(old) != post_signature(new) for old, new in zip(before, posts, strict=False))
    ):
        raise HospipostError(f"{path}: appending would change the existing posts; nothing written")
    return posts


def post_signature(post: Post, approvals: bool = True) -> tuple[Any, ...]:
    """What a post says, without line numbers (which move when defaults: follow posts:);
    without its approvals when ``approvals`` is false (what `approve` may change)."""
    media = tuple((m.file, m.alt, m.people, m.consent) for m in post.media)
    return (
        post.id,
        post.text,
        post.kind,
        post.networks,
        post.at,
        tuple(post.variants.items()),
        tuple(post.thread),
        media,
        post.author,
        post.approved_by if approvals else None,
        tuple((a.by, a.role, a.hash) for a in post.approvals) if approvals else None,
        post.valid_until,
        post.every,
        post.until,
        post.source,
        post.consent,
        post.draft,
        tuple((i.rule, i.reason) for i in post.ignores),
    )
