"""config.yaml: loading and validation, with file:line in every message.

Relative paths (``posts_dir``, the SQLite ``state`` file, media files in posts) are
relative to the folder holding config.yaml, so commands work from any directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hospipost.errors import HospipostError, InputError
from hospipost.networks import NETWORK_NAMES, network_class
from hospipost.rules.contracts import Severity
from hospipost.timeutil import MAX_YEAR, MIN_YEAR, TimeValueError, parse_hh_mm
from hospipost.yamlfile import LineDict, LineList, load_yaml

DEFAULT_CONFIG = "config.yaml"
CONFIG_ENV = "HOSPIPOST_CONFIG"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SLOT_GROUPS = {"weekdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:], "every_day": WEEKDAYS}
_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$")
DEFAULT_LANGUAGE = "fr"
# The kinds of posts (a post's `kind:`), here because approvals.required names them.
KINDS = ("alert", "innovation", "news", "event", "recruitment", "prevention")
# A BCP 47 language tag as networks take it: a 2- or 3-letter language, then subtags (en-GB, pt-BR).
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
MEDIA_DIR = "media"  # the project's media folder, next to config.yaml
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A presigned URL (signature version 4) is valid at most 7 days.
_MAX_URL_LIFETIME = timedelta(days=7)
_ROLE = re.compile(r"[a-z][a-z0-9_-]{0,39}")


def language_problem(tag: object) -> str | None:
    """Why ``tag`` is not a language tag such as fr, en or en-GB, or None when it is one."""
    if isinstance(tag, str) and LANGUAGE_TAG.fullmatch(tag):
        return None
    return f"must be a language tag such as fr, en or en-GB (lowercase language first), got {tag!r}"


@dataclass(frozen=True)
class ElectionPeriod:
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class RuleSetting:
    """A per-rule override from config: ``off``, another severity, the rule's own options."""

    enabled: bool
    severity: Severity | None
    line: int
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaStoreSettings:
    """An S3-compatible object store (OVH, Scaleway, Outscale, MinIO…) that serves uploaded media."""

    endpoint: str
    bucket: str
    region: str
    access_key_env: str  # the names of the environment variables, never the values
    secret_key_env: str
    prefix: str = ""
    public_url: str | None = None  # objects are public there; None: presigned GET URLs
    url_lifetime: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class PublicMediaSettings:
    """Where Instagram and Threads fetch a post's media from: a public URL serving them.

    Exactly one of ``media_url`` (the hospital's web server serves the media/ folder
    there) and ``store`` (hospipost uploads each file to an object store) is set.
    """

    root: Path  # the folder holding config.yaml: posts' media paths are relative to it
    line: int
    media_url: str | None = None
    store: MediaStoreSettings | None = None

    @property
    def media_dir(self) -> Path:
        """The project's media folder, which ``media_url`` serves."""
        return self.root / MEDIA_DIR


@dataclass
class NetworkSettings:
    name: str
    enabled: bool
    options: dict[str, Any]
    line: int
    public_media: PublicMediaSettings | None = None  # the same object as Config.public_media

    @property
    def api_base(self) -> str:
        base = self.options.get("api_base") or network_class(self.name).default_api_base
        return str(base).rstrip("/")


@dataclass
class Compliance:
    allowed_phone_numbers: list[str] = field(default_factory=list)
    allowed_email_domains: list[str] = field(default_factory=list)
    official_domains: list[str] = field(default_factory=list)
    canicule_line_active: bool = False
    election_periods: list[ElectionPeriod] = field(default_factory=list)
    quiet_hours: tuple[time, time] | None = None
    rules: dict[str, RuleSetting] = field(default_factory=dict)


@dataclass(frozen=True)
class Requirement:
    """The approvals a kind of post needs: every role listed, or one of them (``one_of:``)."""

    roles: tuple[str, ...]
    any_one: bool = False


@dataclass
class ApprovalSettings:
    """config.yaml's ``approvals:``: who approves in which role, and the roles each kind needs.

    A kind that ``required:`` does not list needs one approval, by anyone named in a role.
    """

    roles: dict[str, tuple[str, ...]]
    required: dict[str, Requirement]
    line: int

    def requirement(self, kind: str) -> Requirement:
        return self.required.get(kind) or Requirement(tuple(self.roles), any_one=True)

    def roles_of(self, name: str) -> list[str]:
        """The roles of a person, however their name is written (``a.renier`` = ``A. Renier``)."""
        from hospipost.rules._people import same_person

        return [role for role, people in self.roles.items() if any(same_person(name, who) for who in people)]

    def member(self, role: str, name: str) -> str:
        """A role's member as config.yaml writes them (the approver named otherwise)."""
        from hospipost.rules._people import same_person

        return next((who for who in self.roles.get(role, ()) if same_person(name, who)), name)


@dataclass
class Notify:
    """Who to tell when a delivery fails or needs a human: a command, a webhook, or both."""

    command: str | None = None
    webhook: str | None = None
    states: tuple[str, ...] = ("failed", "unknown", "missed", "blocked")


@dataclass
class DaemonSettings:
    sweep_seconds: float = 30
    reload_seconds: float = 2
    heartbeat_seconds: float = 10


@dataclass
class StatsSettings:
    """`hospipost stats fetch`: which paid reads are allowed, how often the daemon fetches, how far back."""

    x: bool = False  # X bills every read: its figures are fetched only when config says so
    every: timedelta = timedelta(days=1)
    since: timedelta = timedelta(days=30)  # posts published this long ago or less are read again


@dataclass
class Config:
    path: Path
    organisation: str = ""
    timezone_name: str = "Europe/Paris"
    language: str = DEFAULT_LANGUAGE  # of the posts that do not say theirs
    posts_dir: Path = Path("posts")
    state: str = "sqlite:///.hospipost/state.db"
    slots: dict[str, list[time]] = field(default_factory=dict)
    networks: dict[str, NetworkSettings] = field(default_factory=dict)
    compliance: Compliance = field(default_factory=Compliance)
    late_window: timedelta = timedelta(hours=6)
    notify: Notify = field(default_factory=Notify)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)
    public_media: PublicMediaSettings | None = None  # media_url or media_store, for Instagram and Threads
    approvals: ApprovalSettings | None = None  # None: any approver other than the author

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def resolve(self, relative: str | Path) -> Path:
        """A path from config or a post, relative to the config file's folder."""
        return (self.root / Path(relative).expanduser()).resolve()

    @property
    def state_url(self) -> str:
        """The ledger URL with a relative SQLite path made absolute."""
        prefix = "sqlite:///"
        if self.state.startswith(prefix) and not self.state.startswith(prefix + "/"):
            return prefix + str(self.resolve(self.state[len(prefix) :]))
        return self.state

    @property
    def cache_dir(self) -> Path:
        """Where facts learnt from the networks are cached (e.g. a Mastodon instance's limits)."""
        return self.resolve(".hospipost/cache")

    def enabled_networks(self) -> list[str]:
        return [name for name, settings in self.networks.items() if settings.enabled]


def config_path(option: str | None) -> tuple[Path, bool]:
    """The config file to use and whether the user named it (option or environment)."""
    named = option or os.environ.get(CONFIG_ENV)
    return Path(named or DEFAULT_CONFIG).absolute(), bool(named)


_MAX_DURATION = timedelta(days=3660)


def _as_date(value: object) -> date | None:
    """An ISO date, whether YAML read it as a date or as a quoted string; None otherwise."""
    if isinstance(value, datetime):
        return None
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str) and len(value) < 20:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
    return day if day is not None and MIN_YEAR <= day.year <= MAX_YEAR else None


def load_config(path: Path) -> Config:
    """Load and validate config.yaml; every problem is an InputError with its line."""
    data = load_yaml(path)
    if data is None:
        data = LineDict.empty()
    return _ConfigReader(path).read(data)


def default_config(folder: Path) -> Config:
    """The embedded defaults, for `check` run where there is no config.yaml."""
    return Config(path=(folder / DEFAULT_CONFIG).absolute(), compliance=Compliance())


class _ConfigReader:
    TOP_KEYS = (
        "organisation",
        "timezone",
        "language",
        "posts_dir",
        "state",
        "slots",
        "networks",
        "compliance",
        "late_window",
        "notify",
        "daemon",
        "stats",
        "media_url",
        "media_store",
        "approvals",
    )
    MEDIA_STORE_KEYS = (
        "endpoint",
        "bucket",
        "prefix",
        "region",
        "access_key_env",
        "secret_key_env",
        "public_url",
        "url_lifetime",
    )
    NOTIFY_STATES = ("failed", "unknown", "missed", "blocked", "retry")
    COMPLIANCE_KEYS = (
        "allowed_phone_numbers",
        "allowed_email_domains",
        "official_domains",
        "canicule_line_active",
        "election_periods",
        "quiet_hours",
        "rules",
    )

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int | None, message: str) -> InputError:
        return InputError(self.path, line, message)

    def mapping(self, value: Any, line: int, what: str, keys: tuple[str, ...] | None = None) -> LineDict:
        if not isinstance(value, LineDict):
            raise self.fail(line, f"{what} must be a mapping (key: value), got {_kind(value)}")
        if keys is not None:
            for key in value:
                if key not in keys:
                    raise self.fail(
                        value.key_line(key),
                        f"unknown key {key!r} in {what}; expected one of: {', '.join(keys)}",
                    )
        return value

    def typed(self, data: LineDict, key: str, types: type | tuple[type, ...], what: str) -> Any:
        value = data[key]
        if isinstance(value, bool) and bool not in _as_tuple(types):
            raise self.fail(data.line_of(key), f"{what} must be {_type_name(types)}, got {value!r}")
        if not isinstance(value, types):
            raise self.fail(data.line_of(key), f"{what} must be {_type_name(types)}, got {_kind(value)}")
        return value

    def strings(self, data: LineDict, key: str, what: str) -> list[str]:
        values = self.typed(data, key, list, what)
        for index, item in enumerate(values):
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                raise self.fail(values.item_lines[index], f"{what} must be a list of strings")
        return [str(item) for item in values]

    def read(self, data: Any) -> Config:
        data = self.mapping(data, 1, "the configuration", self.TOP_KEYS)
        config = Config(path=self.path)
        if "organisation" in data:
            config.organisation = str(self.typed(data, "organisation", str, "organisation"))
        if "timezone" in data:
            config.timezone_name = self.timezone(data)
        if "language" in data:
            problem = language_problem(data["language"])
            if problem:
                raise self.fail(data.line_of("language"), f"language {problem}")
            config.language = data["language"]
        if "posts_dir" in data:
            config.posts_dir = Path(self.typed(data, "posts_dir", str, "posts_dir"))
            if any(len(part.encode()) > 255 for part in config.posts_dir.parts):
                raise self.fail(data.line_of("posts_dir"), "posts_dir has a folder name longer than 255 bytes")
        if "state" in data:
            config.state = self.state(data)
        if "late_window" in data:
            config.late_window = self.duration(data, "late_window")
        if "slots" in data:
            config.slots = self.slots(data)
        config.networks = self.networks(data.get("networks"), data.line_of("networks"))
        if "compliance" in data:
            config.compliance = self.compliance(data["compliance"], data.line_of("compliance"))
        if "notify" in data:
            config.notify = self.notify(data)
        if "daemon" in data:
            config.daemon = self.daemon(data)
        if "approvals" in data:
            config.approvals = self.approvals(data)
        if "stats" in data:
            config.stats = self.stats(data)
        config.public_media = self.public_media(data)
        for settings in config.networks.values():
            settings.public_media = config.public_media
        return config

    def approvals(self, data: LineDict) -> ApprovalSettings:
        line = data.line_of("approvals")
        section = self.mapping(data["approvals"], line, "approvals", ("roles", "required"))
        if "roles" not in section:
            raise self.fail(
                line, "approvals has no roles: (who approves in which role, e.g. communication: [a.renier])"
            )
        roles_section = self.mapping(section["roles"], section.line_of("roles"), "approvals.roles")
        if not roles_section:
            raise self.fail(section.line_of("roles"), "approvals.roles names no role")
        roles: dict[str, tuple[str, ...]] = {}
        for role in roles_section:
            what = f"approvals.roles.{role}"
            if not isinstance(role, str) or not _ROLE.fullmatch(role):
                raise self.fail(
                    roles_section.key_line(role),
                    f"{what}: a role is a lowercase word such as communication or medical",
                )
            if isinstance(roles_section[role], str):  # one person written without brackets
                roles_section[role] = LineList([roles_section[role]])
                roles_section[role].line, roles_section[role].item_lines = line, [roles_section.line_of(role)]
            people = [name.strip() for name in self.strings(roles_section, role, what)]
            if not people or not all(people):
                raise self.fail(
                    roles_section.line_of(role), f"{what} must list the people of that role, e.g. [a.renier]"
                )
            roles[role] = tuple(people)
        required: dict[str, Requirement] = {}
        if section.get("required") is not None:
            needs = self.mapping(section["required"], section.line_of("required"), "approvals.required")
            for kind in needs:
                if kind not in KINDS:
                    raise self.fail(
                        needs.key_line(kind), f"approvals.required: unknown kind {kind!r}; kinds: {', '.join(KINDS)}"
                    )
                required[kind] = self.requirement(needs, kind, roles)
        return ApprovalSettings(roles, required, line)

    def requirement(self, needs: LineDict, kind: str, roles: dict[str, tuple[str, ...]]) -> Requirement:
        what = f"approvals.required.{kind}"
        value, line = needs[kind], needs.line_of(kind)
        any_one = isinstance(value, LineDict)
        if any_one:
            self.mapping(value, line, what, ("one_of",))
            if "one_of" not in value:
                raise self.fail(line, f"{what} must be a list of roles, or one_of: [roles] (one of them is enough)")
            needs, what, kind = value, f"{what}.one_of", "one_of"
        if isinstance(needs[kind], str):
            raise self.fail(needs.line_of(kind), f"{what} must be a list of roles: write [{needs[kind]}]")
        names = self.strings(needs, kind, what)
        if not names:
            raise self.fail(needs.line_of(kind), f"{what} names no role")
        items = needs[kind]
        for index, role in enumerate(names):
            if role not in roles:
                raise self.fail(
                    items.item_lines[index], f"{what}: unknown role {role!r}; approvals.roles has {', '.join(roles)}"
                )
        return Requirement(tuple(dict.fromkeys(names)), any_one)

    def public_media(self, data: LineDict) -> PublicMediaSettings | None:
        root = self.path.parent
        if "media_url" in data and "media_store" in data:
            second = max(("media_url", "media_store"), key=data.key_line)
            raise self.fail(
                data.key_line(second),
                "media_url and media_store are two ways to put media online for Instagram and Threads:"
                " keep only one of them",
            )
        if "media_url" in data:
            url = self.public_url(data, "media_url", "media_url")
            return PublicMediaSettings(root, data.key_line("media_url"), media_url=url)
        if "media_store" in data:
            line = data.key_line("media_store")
            return PublicMediaSettings(root, line, store=self.media_store(data["media_store"], line))
        return None

    def public_url(self, data: LineDict, key: str, what: str, folder: bool = True) -> str:
        """An https:// URL (http:// only on this machine, for tests); a folder's ends with /."""
        from urllib.parse import urlsplit

        url = self.typed(data, key, str, what).strip()
        try:
            parts = urlsplit(url)
        except ValueError:  # a malformed [IPv6] host
            raise self.fail(data.line_of(key), f"{what} is not a valid address: {url!r}") from None
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise self.fail(
                data.line_of(key),
                f"{what} must be an https:// address (http:// only for 127.0.0.1 or localhost), got {url!r}",
            )
        if not parts.hostname or parts.query or parts.fragment:
            raise self.fail(
                data.line_of(key),
                f"{what} must be an address such as https://www.chu-exemple.fr/reseaux/media/, got {url!r}",
            )
        if folder and not url.endswith("/"):
            raise self.fail(data.line_of(key), f"{what} must end with / (it is a folder): write {url + '/'!r}")
        return url

    def media_store(self, value: Any, line: int) -> MediaStoreSettings:
        section = self.mapping(value, line, "media_store", self.MEDIA_STORE_KEYS)
        helps = {
            "endpoint": "the store's address, such as https://s3.gra.io.cloud.ovh.net",
            "bucket": "the bucket's name",
            "region": "the store's region, such as gra, fr-par or us-east-1",
            "access_key_env": "the environment variable holding the access key, such as HOSPIPOST_S3_KEY",
            "secret_key_env": "the environment variable holding the secret key, such as HOSPIPOST_S3_SECRET",
        }
        for key, help_text in helps.items():
            if key not in section or section[key] in (None, ""):
                raise self.fail(line, f"media_store has no {key} ({help_text})")
        endpoint = self.public_url(section, "endpoint", "media_store.endpoint", folder=False)
        bucket = self.typed(section, "bucket", str, "media_store.bucket")
        if not _BUCKET.fullmatch(bucket):
            raise self.fail(
                section.line_of("bucket"),
                f"media_store.bucket must be a bucket name (3 to 63 lowercase letters, digits, dots and hyphens), got {bucket!r}",
            )
        region = self.typed(section, "region", str, "media_store.region").strip()
        names = {}
        for key in ("access_key_env", "secret_key_env"):
            name = self.typed(section, key, str, f"media_store.{key}")
            if not _ENV_NAME.fullmatch(name):
                raise self.fail(
                    section.line_of(key),
                    f"media_store.{key} names an environment variable, not a value: use a name such as {helps[key].rsplit(' ', 1)[1]}",
                )
            names[key] = name
        prefix = ""
        if section.get("prefix") is not None:
            prefix = self.typed(section, "prefix", str, "media_store.prefix").strip()
            if prefix.startswith("/") or ".." in prefix.split("/"):
                raise self.fail(
                    section.line_of("prefix"),
                    f"media_store.prefix must be a folder inside the bucket, such as hospipost/, got {prefix!r}",
                )
        public_url = None
        if section.get("public_url") is not None:
            public_url = self.public_url(section, "public_url", "media_store.public_url")
        lifetime = timedelta(hours=24)
        if "url_lifetime" in section:
            lifetime = self.duration(section, "url_lifetime", "media_store.url_lifetime")
            if not timedelta(minutes=1) <= lifetime <= _MAX_URL_LIFETIME:
                raise self.fail(
                    section.line_of("url_lifetime"),
                    "media_store.url_lifetime must be between 1 minute and 7 days (the longest a signed address can last)",
                )
        return MediaStoreSettings(
            endpoint=endpoint.rstrip("/"),
            bucket=bucket,
            region=region,
            access_key_env=names["access_key_env"],
            secret_key_env=names["secret_key_env"],
            prefix=prefix,
            public_url=public_url,
            url_lifetime=lifetime,
        )

    def notify(self, data: LineDict) -> Notify:
        section = self.mapping(data["notify"], data.line_of("notify"), "notify", ("command", "webhook", "when"))
        notify = Notify()
        if "command" in section:
            notify.command = self.typed(section, "command", str, "notify.command")
        if "webhook" in section:
            notify.webhook = self.typed(section, "webhook", str, "notify.webhook")
            if not notify.webhook.startswith(("https://", "http://")):
                raise self.fail(section.line_of("webhook"), "notify.webhook must be an http(s):// URL")
        if "when" in section:
            states = self.strings(section, "when", "notify.when")
            for state in states:
                if state not in self.NOTIFY_STATES:
                    raise self.fail(
                        section.line_of("when"),
                        f"notify.when: unknown state {state!r}; use {', '.join(self.NOTIFY_STATES)}",
                    )
            notify.states = tuple(states)
        return notify

    def daemon(self, data: LineDict) -> DaemonSettings:
        keys = ("sweep_seconds", "reload_seconds", "heartbeat_seconds")
        section = self.mapping(data["daemon"], data.line_of("daemon"), "daemon", keys)
        settings = DaemonSettings()
        for key in keys:
            if key in section:
                value = self.typed(section, key, (int, float), f"daemon.{key}")
                if value <= 0:
                    raise self.fail(section.line_of(key), f"daemon.{key} must be more than 0")
                setattr(settings, key, float(value))
        return settings

    def stats(self, data: LineDict) -> StatsSettings:
        section = self.mapping(data["stats"], data.line_of("stats"), "stats", ("x", "every", "since"))
        settings = StatsSettings()
        if "x" in section:
            settings.x = self.typed(section, "x", bool, "stats.x")
        for key, least in (("every", timedelta(hours=1)), ("since", timedelta(days=1))):
            if key in section:
                value = self.duration(section, key, f"stats.{key}")
                if value < least:
                    raise self.fail(section.line_of(key), f"stats.{key} must be at least {_duration_text(least)}")
                setattr(settings, key, value)
        return settings

    def timezone(self, data: LineDict) -> str:
        name = self.typed(data, "timezone", str, "timezone")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            raise self.fail(
                data.line_of("timezone"), f"unknown time zone {name!r}; use an IANA name such as Europe/Paris"
            ) from None
        return name

    def state(self, data: LineDict) -> str:
        url = self.typed(data, "state", str, "state")
        if not url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise self.fail(
                data.line_of("state"),
                f"state must be sqlite:///PATH or postgresql://…, got {url.split('://')[0]!r}",
            )
        return url

    def duration(self, data: LineDict, key: str, what: str | None = None) -> timedelta:
        what = what or key
        value = data[key]
        match = _DURATION.match(str(value)) if isinstance(value, (str, int)) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return timedelta(minutes=value)
        if not match:
            raise self.fail(data.line_of(key), f"{what} must be a duration such as 90m, 6h or 2d, got {value!r}")
        unit = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}[match[2]]
        if len(match[1]) > 9 or timedelta(**{unit: int(match[1])}) > _MAX_DURATION:
            raise self.fail(data.line_of(key), f"{what} is too long; the limit is {_MAX_DURATION.days} days")
        return timedelta(**{unit: int(match[1])})

    def slots(self, data: LineDict) -> dict[str, list[time]]:
        slots = self.mapping(data["slots"], data.line_of("slots"), "slots", (*SLOT_GROUPS, *WEEKDAYS))
        by_day: dict[str, list[time]] = {}
        # Groups first, then single days, so that "saturday:" overrides "weekends:".
        for key in sorted(slots, key=lambda k: k in WEEKDAYS):
            times = []
            for index, value in enumerate(self.strings(slots, key, f"slots.{key}")):
                try:
                    times.append(parse_hh_mm(value))
                except TimeValueError as error:
                    raise self.fail(slots[key].item_lines[index], f"slots.{key}: {error}") from None
            for day in SLOT_GROUPS.get(key, (key,)):
                by_day[day] = sorted(times)
        return by_day

    def networks(self, value: Any, line: int) -> dict[str, NetworkSettings]:
        if value is None:
            return {}
        sections = self.mapping(value, line, "networks")
        networks = {}
        for name, section in sections.items():
            if name not in NETWORK_NAMES:
                raise self.fail(
                    sections.key_line(name),
                    f"unknown network {name!r}; known networks: {', '.join(NETWORK_NAMES)}",
                )
            networks[name] = self.network(name, section, sections.line_of(name))
        return networks

    def network(self, name: str, section: Any, line: int) -> NetworkSettings:
        spec = network_class(name).all_config_keys()
        section = self.mapping(section, line, f"networks.{name}", tuple(spec))
        options: dict[str, Any] = {}
        for key, key_spec in spec.items():
            if key in section and section[key] is not None:
                value = section[key]
                if key_spec.type is str and isinstance(value, (int, float)) and not isinstance(value, bool):
                    section[key] = str(value)  # graph_version: 26.0, version: 202610 written unquoted
                options[key] = self.typed(section, key, key_spec.type, f"networks.{name}.{key}")
            else:
                options[key] = key_spec.default
        enabled = bool(options["enabled"])
        for key, key_spec in spec.items():
            if enabled and key_spec.required and not options[key]:
                raise self.fail(line, f"networks.{name} is enabled but has no {key} ({key_spec.help})")
            problem = key_spec.check(options[key]) if key_spec.check and key in section and options[key] else None
            if problem:
                raise self.fail(section.line_of(key), f"networks.{name}.{key} {problem}")
            if key.endswith("_env") and options[key] and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", options[key]):
                raise self.fail(
                    section.line_of(key),
                    f"networks.{name}.{key} names an environment variable, not a value: use a name such as HOSPIPOST_{name.upper()}_TOKEN",
                )
        return NetworkSettings(name, enabled, options, line)

    def compliance(self, value: Any, line: int) -> Compliance:
        data = self.mapping(value, line, "compliance", self.COMPLIANCE_KEYS)
        compliance = Compliance()
        for key in ("allowed_phone_numbers", "allowed_email_domains", "official_domains"):
            if key in data:
                setattr(compliance, key, self.strings(data, key, f"compliance.{key}"))
        if "canicule_line_active" in data:
            compliance.canicule_line_active = self.typed(
                data, "canicule_line_active", bool, "compliance.canicule_line_active"
            )
        if "election_periods" in data:
            compliance.election_periods = self.election_periods(data)
        if "quiet_hours" in data:
            compliance.quiet_hours = self.quiet_hours(data)
        if "rules" in data:
            compliance.rules = self.rule_settings(data)
        return compliance

    def election_periods(self, data: LineDict) -> list[ElectionPeriod]:
        periods = []
        items = self.typed(data, "election_periods", list, "compliance.election_periods")
        for index, item in enumerate(items):
            item_line = items.item_lines[index]
            item = self.mapping(item, item_line, "an election period", ("name", "start", "end"))
            bounds: list[date] = []
            for key in ("start", "end"):
                bound = _as_date(item.get(key))
                if bound is None:
                    raise self.fail(item.line_of(key), f"election period {key} must be a date such as 2026-03-22")
                bounds.append(bound)
            if bounds[0] > bounds[1]:
                raise self.fail(item_line, "election period ends before it starts")
            periods.append(ElectionPeriod(str(item.get("name", "")), bounds[0], bounds[1]))
        return periods

    def quiet_hours(self, data: LineDict) -> tuple[time, time]:
        hours = self.mapping(
            data["quiet_hours"], data.line_of("quiet_hours"), "compliance.quiet_hours", ("start", "end")
        )
        try:
            return parse_hh_mm(hours.get("start")), parse_hh_mm(hours.get("end"))
        except TimeValueError as error:
            raise self.fail(hours.line, f"compliance.quiet_hours: {error}") from None

    def rule_settings(self, data: LineDict) -> dict[str, RuleSetting]:
        rules = self.mapping(data["rules"], data.line_of("rules"), "compliance.rules")
        settings = {}
        for rule_id, value in rules.items():
            line = rules.line_of(rule_id)
            options: dict[str, Any] = {}
            if isinstance(value, LineDict):
                options = self.rule_options(str(rule_id), value, line)
                value = value.get("severity", bool(value.get("enabled", True)))
            if value is False or value == "off":
                settings[str(rule_id)] = RuleSetting(False, None, line, options)
            elif value is True or value == "on":
                settings[str(rule_id)] = RuleSetting(True, None, line, options)
            elif value in _SEVERITY_NAMES:
                settings[str(rule_id)] = RuleSetting(True, Severity(value), line, options)
            else:
                raise self.fail(
                    line,
                    f"compliance.rules.{rule_id}: expected off or a severity ({', '.join(_SEVERITY_NAMES)}), got {value!r}",
                )
        return settings

    def rule_options(self, rule_id: str, section: LineDict, line: int) -> dict[str, Any]:
        """The options a rule's section gives, checked against those its module declares."""
        what = f"compliance.rules.{rule_id}"
        if not set(section) - {"severity", "enabled"}:
            return {}
        from hospipost.rules import declared_options  # that rule's module only, when options are given

        declared = declared_options(rule_id)
        if declared is None:
            raise self.fail(line, f"unknown rule {rule_id!r}; `hospipost rules` lists them")
        self.mapping(section, line, what, ("severity", "enabled", *declared))
        options = {}
        for name, option in declared.items():
            if name not in section:
                continue
            if option.type is list:
                value: Any = self.strings(section, name, f"{what}.{name}")
            else:
                value = self.typed(section, name, option.type, f"{what}.{name}")
            problem = option.check(value) if option.check else None
            if problem:
                raise self.fail(section.line_of(name), f"{what}.{name} {problem}")
            options[name] = value
        return options


_SEVERITY_NAMES = tuple(severity.value for severity in sorted(Severity, reverse=True))  # error first


def _duration_text(value: timedelta) -> str:
    return f"{value.days}d" if value.days else f"{value.seconds // 3600}h"


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _type_name(types: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in _as_tuple(types)))


def _kind(value: Any) -> str:
    if isinstance(value, LineDict):
        return "a mapping"
    if isinstance(value, LineList):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:80]


def require_config(path: Path, named: bool) -> Config:
    """Load the config, or explain how to get one."""
    if not path.exists():
        hint = "" if named else "; run `hospipost init` to create one, or pass --config PATH"
        raise HospipostError(f"{path}: no such config file{hint}")
    return load_config(path)
