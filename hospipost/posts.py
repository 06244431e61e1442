"""The post model and the queue loader: every ``posts/*.yaml`` file is a queue.

A queue file is a mapping with an optional ``defaults:`` (merged into each post) and
``posts:``, a list of posts. Times are local to the config's zone unless they carry an
offset, and are kept as aware datetimes. Every error names the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hospipost.config import DEFAULT_LANGUAGE, KINDS, Config, language_problem
from hospipost.errors import InputError
from hospipost.gcpause import gc_paused
from hospipost.networks import NETWORK_NAMES
from hospipost.timeutil import TimeValueError, parse_datetime
from hospipost.yamlfile import LineDict, LineList, load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT_LENGTH = 100_000
POST_KEYS = (
    "id",
    "at",
    "kind",
    "text",
    "variants",
    "thread",
    "media",
    "networks",
    "author",
    "approved_by",
    "approval",
    "approvals",
    "valid_until",
    "every",
    "until",
    "source",
    "ignore",
    "draft",
    "language",
    "consent",
)
_POST_KEY_SET = frozenset(POST_KEYS)
MEDIA_KEYS = ("file", "alt", "people", "consent", "captions")
APPROVAL_KEYS = ("by", "role", "at", "hash", "parts")
# What `hospipost approve` proves: a sha256 of the post's published content.
HASH_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")
_PART_DIGEST = re.compile(r"^[0-9a-f]{8,64}$")
# Keys that prove one post's content: never in a queue's defaults.
_OWN_KEYS = ("approval", "approvals")


@dataclass(frozen=True)
class Media:
    """An image or a video of a post: its file, its description (alt), whether people can be
    recognised in it (and their consent record), and a video's captions file (WebVTT or SRT)."""

    file: str
    path: Path
    alt: str | None
    people: bool
    consent: str | None
    line: int
    captions: str | None = None
    captions_path: Path | None = None


@dataclass(frozen=True)
class Approval:
    """Someone's approval of a post: who, in which role (config.yaml's approvals.roles), and
    the hash of the content they approved (None for a bare `approved_by:`, which proves nothing).

    ``parts`` holds a short digest of each part of the content (text, media, networks, time…)
    so that a stale approval can say what changed."""

    by: str
    role: str | None
    hash: str | None
    line: int
    parts: dict[str, str] = field(default_factory=dict)
    at: str | None = None
    recorded: bool = True  # written by `approve` (approvals:), not a plain approved_by:


@dataclass(frozen=True)
class Ignore:
    """A justified exception to a rule, written in the post."""

    rule: str
    reason: str
    line: int


@dataclass
class Post:
    id: str
    queue: str
    file: Path
    line: int
    text: str
    kind: str = "news"
    networks: tuple[str, ...] = ()
    at: datetime | None = None
    at_wall: datetime | None = None
    variants: dict[str, str] = field(default_factory=dict)
    thread: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    author: str | None = None
    approved_by: str | None = None
    approvals: list[Approval] = field(default_factory=list)  # approvals:, or approved_by: (+ approval:)
    valid_until: datetime | None = None
    every: str | None = None
    until: datetime | None = None
    source: str | None = None
    ignores: list[Ignore] = field(default_factory=list)
    draft: bool = False
    language: str = DEFAULT_LANGUAGE  # a BCP 47 tag: the post's, or config's language
    consent: str | None = None  # the consent record (consents.yaml) for the text: a named person, a testimony
    lines: dict[str, int] = field(default_factory=dict)
    _texts: tuple[tuple[str, str], ...] | None = field(default=None, repr=False, compare=False)

    def text_for(self, network: str) -> str:
        return self.variants.get(network, self.text)

    def texts(self) -> tuple[tuple[str, str], ...]:
        """Every text of the post that would be published: (field, text), computed once."""
        if self._texts is None:
            texts = [("text", self.text)]
            texts += [(f"variants.{network}", variant) for network, variant in self.variants.items()]
            texts += [(f"thread[{index}]", part) for index, part in enumerate(self.thread)]
            texts += [(f"media[{index}].alt", item.alt) for index, item in enumerate(self.media) if item.alt]
            self._texts = tuple(texts)
        return self._texts

    def all_text(self) -> str:
        return "\n".join(text for _, text in self.texts())

    def line_of(self, field_name: str | None, offset: int | None = None, text: str | None = None) -> int:
        """The file line of a field, or of a character offset inside a text field."""
        line = self.lines.get(field_name or "", self.line)
        if offset and text:
            line += text.count("\n", 0, offset)
        return line


@dataclass
class Queue:
    name: str
    path: Path
    posts: list[Post]


class QueueLoadError(Exception):
    """Some queue files could not be read; ``errors`` holds one InputError per problem."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(error.format_message() for error in errors))


def queue_files(config: Config) -> list[Path]:
    folder = config.resolve(config.posts_dir)
    try:
        if not folder.is_dir():
            raise InputError(folder, None, "posts folder not found (posts_dir in config.yaml)")
        return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    except OSError as error:
        raise InputError(config.path, None, f"cannot read the posts folder (posts_dir): {error.strerror}") from None


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as the queue files they hold."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def load_queues(config: Config, files: list[Path] | None = None) -> list[Queue]:
    """Load queue files (all of posts_dir by default); ids must be unique across them.

    Raises QueueLoadError listing every file that could not be loaded.
    """
    queues, errors = load_readable_queues(config, files)
    if errors:
        raise QueueLoadError(errors)
    return queues


def readable_posts(config: Config) -> list[Post]:
    """Every post of the queue files that load; a broken file only costs its own posts (views, reports)."""
    queues, _errors = load_readable_queues(config)
    return [post for queue in queues for post in queue.posts]


def load_readable_queues(config: Config, files: list[Path] | None = None) -> tuple[list[Queue], list[InputError]]:
    """The queues that load, and an error for each file that does not (publishing goes on)."""
    files = queue_files(config) if files is None else files
    queues, errors = [], []
    with gc_paused():
        for path in files:
            try:
                queues.append(load_queue(path, config))
            except InputError as error:
                errors.append(error)
    duplicates = _duplicate_ids(queues)
    if duplicates:
        bad_files = {error.path for error in duplicates}
        queues = [queue for queue in queues if queue.path not in bad_files]
    return queues, errors + duplicates


def _duplicate_ids(queues: list[Queue]) -> list[InputError]:
    seen: dict[str, Post] = {}
    errors = []
    for queue in queues:
        for post in queue.posts:
            first = seen.setdefault(post.id, post)
            if first is not post:
                errors.append(
                    InputError(
                        post.file, post.line, f"duplicate post id {post.id!r} (first used at {first.file}:{first.line})"
                    )
                )
    return errors


def load_queue(path: Path, config: Config) -> Queue:
    data = load_yaml(path)
    return Queue(path.stem, path, list(_PostReader(path, config).read_queue(data)))


def parse_queue_text(text: str, path: Path, config: Config) -> list[Post]:
    """Posts from queue-file text (used to check a post before `queue add` writes it)."""
    from hospipost.yamlfile import parse_yaml

    return list(_PostReader(path, config).read_queue(parse_yaml(text, path)))


class _PostReader:
    def __init__(self, path: Path, config: Config) -> None:
        self.path = path
        self.queue = path.stem
        self.config = config
        self.tz = config.timezone
        self.queue_networks: tuple[str, ...] | None = None  # the networks of posts that name none

    def fail(self, line: int, message: str) -> InputError:
        return InputError(self.path, line, message)

    def read_queue(self, data: Any) -> Iterator[Post]:
        if data is None:
            return
        if not isinstance(data, LineDict):
            raise self.fail(getattr(data, "line", 1), "a queue file must be a mapping with a 'posts:' list")
        for key in data:
            if key not in ("defaults", "posts"):
                raise self.fail(data.key_line(key), f"unknown key {key!r}; a queue file has 'defaults:' and 'posts:'")
        defaults = data.get("defaults") or LineDict.empty(data.line_of("defaults"))
        if not isinstance(defaults, LineDict):
            raise self.fail(data.line_of("defaults"), "'defaults:' must be a mapping of post fields")
        self.check_keys(defaults, "defaults", exclude="id")
        for key in _OWN_KEYS:
            if key in defaults:
                raise self.fail(
                    defaults.key_line(key),
                    f"'{key}' proves one post's content: it belongs in the post, not in defaults",
                )
        posts = data.get("posts")
        if posts is None:
            return
        if not isinstance(posts, LineList):
            raise self.fail(data.line_of("posts"), "'posts:' must be a list of posts (each item starts with '- ')")
        for index, item in enumerate(posts):
            if not isinstance(item, LineDict):
                raise self.fail(posts.item_lines[index], "each post must be a mapping with id, at, text…")
            yield self.read_post(item, defaults)

    def check_keys(self, mapping: LineDict, what: str, exclude: str = "") -> None:
        for key in mapping:
            if key not in _POST_KEY_SET or key == exclude:
                raise self.fail(
                    mapping.key_line(key), f"unknown key {key!r} in {what}; post fields are: {', '.join(POST_KEYS)}"
                )

    def read_post(self, item: LineDict, defaults: LineDict) -> Post:
        self.check_keys(item, "a post")
        fields = _Fields(self, item, defaults)
        post_id = fields.string("id", required=True)
        assert post_id is not None, "string(required=True) raises instead of returning None"
        if not ID_PATTERN.match(post_id):
            raise self.fail(fields.line("id"), f"post id {post_id!r} must use lowercase letters, digits and '-' only")
        post = Post(id=post_id, queue=self.queue, file=self.path, line=item.line, text="")
        post.text = fields.text("text", required=True)
        post.kind = fields.choice("kind", KINDS, default="news")
        post.networks = self.networks(item, fields)
        post.variants = fields.variants()
        post.thread = fields.text_list("thread")
        post.media = fields.media()
        post.author = fields.string("author")
        post.approved_by = fields.string("approved_by")
        post.approvals = fields.approvals(post.approved_by)
        post.source = fields.string("source")
        post.consent = fields.string("consent")
        post.every = fields.every()
        post.draft = fields.boolean("draft")
        post.language = fields.language() or self.config.language
        post.at, post.at_wall = fields.moment("at")
        post.valid_until, _ = fields.moment("valid_until")
        post.until, _ = fields.moment("until", end_of_day=True)
        if post.at is None and post.every is None:
            raise self.fail(item.line, f"post {post_id!r} has no 'at:' (when to publish) nor 'every:'")
        post.ignores = fields.ignores()
        post.lines = fields.lines
        return post

    def networks(self, item: LineDict, fields: _Fields) -> tuple[str, ...]:
        """The post's networks; those of the queue's defaults (or config's) are read once per file."""
        if "networks" in item:
            return tuple(fields.networks() or self.config.enabled_networks())
        if self.queue_networks is None:
            self.queue_networks = tuple(fields.networks() or self.config.enabled_networks())
        return self.queue_networks


class _Fields:
    """Typed access to one post's fields (post value first, then the queue's defaults)."""

    def __init__(self, reader: _PostReader, item: LineDict, defaults: LineDict) -> None:
        self.reader = reader
        self.item = item
        self.values = {**defaults, **item} if defaults else item
        self.lines: dict[str, int] = (
            {**defaults.value_lines, **item.value_lines} if defaults else dict(item.value_lines)
        )

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def line(self, key: str) -> int:
        return self.lines.get(key, self.item.line)

    def fail(self, key: str, message: str) -> InputError:
        return self.reader.fail(self.line(key), message)

    def string(self, key: str, required: bool = False) -> str | None:
        value = self.get(key)
        if value is None or value == "":
            if required:
                raise self.reader.fail(self.item.line, f"a post needs '{key}:'")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(key, f"'{key}' must be a string, got {_describe(value)}")
        return str(value).strip()

    def text(self, key: str, required: bool = False) -> str:
        return self.checked_text(self.string(key, required) or "", key)

    def checked_text(self, text: str, key: str, line: int | None = None) -> str:
        if len(text) > MAX_TEXT_LENGTH:
            raise self.reader.fail(
                line or self.line(key),
                f"'{key}' is {len(text)} characters long; no network accepts more than 63 206",
            )
        return text

    def language(self) -> str | None:
        value = self.get("language")
        if value is None:
            return None
        problem = language_problem(value)
        if problem:
            raise self.fail("language", f"'language' {problem}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(key) or default
        if value not in choices:
            raise self.fail(key, f"'{key}' must be one of {', '.join(choices)}, got {value!r}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(key, f"'{key}' must be true or false, got {_describe(value)}")
        return value

    def list_of(self, key: str) -> LineList:
        value = self.get(key)
        if value is None:
            return LineList.empty(self.line(key))
        if not isinstance(value, LineList):
            raise self.fail(key, f"'{key}' must be a list (items starting with '- '), got {_describe(value)}")
        return value

    def networks(self) -> list[str]:
        names = []
        values = self.get("networks")
        if isinstance(values, str):
            values = [values]
        elif values is not None:
            values = self.list_of("networks")
        for index, name in enumerate(values or []):
            if name not in NETWORK_NAMES:
                line = values.item_lines[index] if isinstance(values, LineList) else self.line("networks")
                raise self.reader.fail(line, f"unknown network {name!r}; known networks: {', '.join(NETWORK_NAMES)}")
            if name not in names:
                names.append(name)
        return names

    def variants(self) -> dict[str, str]:
        value = self.get("variants")
        if value is None:
            return {}
        if not isinstance(value, LineDict):
            raise self.fail("variants", "'variants' must map a network to its text, e.g. x: …")
        variants = {}
        for network, text in value.items():
            line = value.line_of(network)
            if network not in NETWORK_NAMES:
                raise self.reader.fail(
                    line, f"unknown network {network!r} in variants; known: {', '.join(NETWORK_NAMES)}"
                )
            if not isinstance(text, str) or not text.strip():
                raise self.reader.fail(line, f"variants.{network} must be a non-empty text")
            variants[network] = self.checked_text(text.strip(), f"variants.{network}", line)
            self.lines[f"variants.{network}"] = line
        return variants

    def text_list(self, key: str) -> list[str]:
        values = self.list_of(key)
        texts = []
        for index, text in enumerate(values):
            line = values.item_lines[index]
            if not isinstance(text, str) or not text.strip():
                raise self.reader.fail(line, f"each item of '{key}' must be a non-empty text")
            texts.append(self.checked_text(text.strip(), key, line))
            self.lines[f"{key}[{index}]"] = line
        return texts

    def media(self) -> list[Media]:
        items = self.list_of("media")
        media = []
        for index, item in enumerate(items):
            line = items.item_lines[index]
            if not isinstance(item, LineDict):
                raise self.reader.fail(
                    line, "each media item must be a mapping with file:, alt:, people:, consent:, captions:"
                )
            for key in item:
                if key not in MEDIA_KEYS:
                    raise self.reader.fail(
                        item.key_line(key), f"unknown key {key!r} in a media item; expected {', '.join(MEDIA_KEYS)}"
                    )
            media.append(self.media_item(item, index, line))
        return media

    def media_item(self, item: LineDict, index: int, line: int) -> Media:
        file = item.get("file")
        if not isinstance(file, str) or not file.strip():
            raise self.reader.fail(line, "a media item needs 'file:' (a path relative to config.yaml's folder)")
        alt, consent, people = item.get("alt"), item.get("consent"), item.get("people", False)
        if alt is not None and not isinstance(alt, str):
            raise self.reader.fail(item.line_of("alt"), "'alt' must be a text describing the image")
        if not isinstance(people, bool):
            raise self.reader.fail(item.line_of("people"), "'people' must be true or false")
        if consent is not None and not isinstance(consent, (str, int)):
            raise self.reader.fail(item.line_of("consent"), "'consent' must be a consent record reference")
        captions = item.get("captions")
        if captions is not None and (not isinstance(captions, str) or not captions.strip()):
            raise self.reader.fail(
                item.line_of("captions"), "'captions' must be the path of the video's captions file (.vtt or .srt)"
            )
        self.lines[f"media[{index}]"] = line
        self.lines[f"media[{index}].alt"] = item.line_of("alt")
        self.lines[f"media[{index}].captions"] = item.line_of("captions")
        return Media(
            file=file.strip(),
            path=self.reader.config.resolve(file.strip()),
            alt=alt.strip() if alt else alt,
            people=people,
            consent=str(consent) if consent not in (None, "") else None,
            line=line,
            captions=captions.strip() if captions else None,
            captions_path=self.reader.config.resolve(captions.strip()) if captions else None,
        )

    def moment(self, key: str, end_of_day: bool = False) -> tuple[datetime | None, datetime | None]:
        value = self.get(key)
        if value is None or value == "":
            return None, None
        try:
            return parse_datetime(value, self.reader.tz, end_of_day=end_of_day)
        except TimeValueError as error:
            raise self.fail(key, f"'{key}': {error}") from None

    def every(self) -> str | None:
        value = self.string("every")
        if value is None:
            return None
        if len(value.split()) != 5:
            raise self.fail(
                "every",
                f"'every' must be a cron expression with 5 fields (minute hour day month weekday), got {value!r}",
            )
        from hospipost.recurrence import cron_trigger

        try:
            cron_trigger(value)
        except ValueError as error:
            raise self.fail("every", f"'every': {value!r} is not a valid cron expression ({error})") from None
        return value

    def approvals(self, approved_by: str | None) -> list[Approval]:
        """The post's approvals: its `approvals:` list, else its `approved_by:` (with `approval:`)."""
        proof = self.string("approval")
        if proof is not None and not HASH_PATTERN.match(proof):
            raise self.fail(
                "approval", "'approval' must be sha256: and 64 hex digits, as `hospipost approve` writes it"
            )
        if "approvals" not in self.item:
            if proof is not None and approved_by is None:
                raise self.fail("approval", "'approval' is the hash an approver approved: it needs 'approved_by:'")
            line = self.line("approved_by")
            return [Approval(approved_by, None, proof, line, recorded=False)] if approved_by else []
        if "approval" in self.item:
            raise self.fail("approval", "a post has either 'approvals:' or 'approval:' (with approved_by:), not both")
        items = self.list_of("approvals")
        approvals = []
        for index, item in enumerate(items):
            line = items.item_lines[index]
            if not isinstance(item, LineDict):
                raise self.reader.fail(
                    line, "each approval must be a mapping with by:, role:, hash: (see `hospipost approve`)"
                )
            approvals.append(self.approval(item, line))
            self.lines[f"approvals[{index}]"] = line
        return approvals

    def approval(self, item: LineDict, line: int) -> Approval:
        for key in item:
            if key not in APPROVAL_KEYS:
                raise self.reader.fail(
                    item.key_line(key), f"unknown key {key!r} in an approval; expected {', '.join(APPROVAL_KEYS)}"
                )
        values = {}
        for key in ("by", "role", "hash"):
            value = item.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
                raise self.reader.fail(
                    item.line_of(key), f"an approval's '{key}' must be a text, got {_describe(value)}"
                )
            values[key] = str(value).strip() if value not in (None, "") else None
        if values["by"] is None:
            raise self.reader.fail(line, "an approval needs 'by:' (who approved)")
        if values["hash"] is None or not HASH_PATTERN.match(values["hash"]):
            raise self.reader.fail(
                item.line_of("hash"),
                "an approval's 'hash' must be sha256: and 64 hex digits, as `hospipost approve` writes it",
            )
        parts = item.get("parts") or {}
        if not isinstance(parts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and _PART_DIGEST.match(v) for k, v in parts.items()
        ):
            raise self.reader.fail(item.line_of("parts"), "an approval's 'parts' must map each part to its hex digest")
        at = item.get("at")
        return Approval(values["by"], values["role"], values["hash"], line, dict(parts), str(at) if at else None)

    def ignores(self) -> list[Ignore]:
        items = self.list_of("ignore")
        ignores = []
        for index, item in enumerate(items):
            line = items.item_lines[index]
            if not isinstance(item, LineDict) or not isinstance(item.get("rule"), str):
                raise self.reader.fail(line, "each 'ignore' item needs rule: and reason:")
            reason = item.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise self.reader.fail(
                    line, f"ignoring {item['rule']} needs a reason: say why this post is an exception"
                )
            ignores.append(Ignore(item["rule"], reason.strip(), line))
        return ignores


def _describe(value: Any) -> str:
    if isinstance(value, LineDict):
        return "a mapping"
    if isinstance(value, LineList):
        return "a list"
    return repr(value)[:60]
