"""Approval with proof: the hash of what a post publishes, and who still has to approve it.

`hospipost approve` records, in the post, a sha256 of everything the networks would
receive: texts (text, variants, thread), media files' bytes, alt texts, captions files'
bytes, networks, time or recurrence, language and kind. The hash is computed from the
post as the loader reads it, so it does not move when the YAML is reformatted (key order,
quoting, comments, block or flow style, a value moved into the queue's ``defaults:``),
and moves on any change to what is published. A short digest of each part is kept next
to it, so that a stale approval can say what changed since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from hospipost.config import ApprovalSettings, Config
    from hospipost.posts import Approval, Post

PARTS = ("text", "media", "alt", "captions", "networks", "time", "language", "kind")
PART_DIGEST_LENGTH = 8  # hex digits kept per part: enough to tell which part changed (the proof is the full hash)
PART_NAMES = {
    "text": "the text",
    "media": "the media files",
    "alt": "the alt texts",
    "captions": "the captions",
    "networks": "the networks",
    "time": "the time",
    "language": "the language",
    "kind": "the kind",
}
_CHUNK = 1 << 20
# File digests by (path, size, modification time): a daemon checks the queues every few
# seconds and must not read every approved video again each time.
_DIGESTS: dict[tuple[str, int, int], str] = {}
_DIGESTS_KEPT = 4096


@dataclass(frozen=True)
class ContentHash:
    """A post's content hash (``sha256:…``) and the short digest of each of its parts."""

    value: str
    parts: dict[str, str]

    def changed(self, approval: Approval) -> list[str]:
        """The parts that differ from what ``approval`` approved ([] when it kept no parts)."""
        return [part for part in PARTS if part in approval.parts and approval.parts[part] != self.parts.get(part)]


def _digest(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def file_digest(path: Path | None) -> str | None:
    """The sha256 of a file's bytes, None when there is no such file (another rule says so).

    Remembered by path, size and modification time, so a file is read again only once it changed."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except OSError:
            return None
        if len(_DIGESTS) >= _DIGESTS_KEPT:
            _DIGESTS.clear()
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


def content_hash(post: Post, config: Config) -> ContentHash:
    """What ``post`` publishes, hashed (see the module's docstring)."""
    from datetime import UTC

    def instant(moment: Any) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment is not None else None

    content = {
        "text": {"text": post.text, "variants": dict(sorted(post.variants.items())), "thread": post.thread},
        "media": [file_digest(item.path) for item in post.media],
        "alt": [item.alt or "" for item in post.media],
        "captions": [file_digest(item.captions_path) if item.captions else None for item in post.media],
        "networks": sorted(post.networks),
        "time": {
            "at": instant(post.at),
            "every": " ".join(post.every.split()) if post.every else None,
            "zone": config.timezone_name if post.every else None,  # a cron runs in config's zone
            "until": instant(post.until),
            "valid_until": instant(post.valid_until),
        },
        "language": post.language,
        "kind": post.kind,
    }
    full = {part: _digest(content[part]) for part in PARTS}
    return ContentHash("sha256:" + _digest(full), {part: full[part][:PART_DIGEST_LENGTH] for part in PARTS})


def post_hash(post: Post, config: Config, cache: dict[str, Any]) -> ContentHash:
    """``content_hash`` computed once per post and run (several rules ask)."""
    by_post = cache.setdefault("content_hash", {})
    key = (id(post), post.id)
    if key not in by_post:
        by_post[key] = content_hash(post, config)
    result: ContentHash = by_post[key]
    return result


def at_send_time(post: Post, config: Config) -> dict[str, Any]:
    """What the ledger keeps, when a post goes out, of who wrote and approved it: each approval with
    whether its hash is that of the content sent (``current``; None for a bare approved_by:)."""
    now = content_hash(post, config).value
    approvals = [
        {"by": a.by, "role": a.role, "at": a.at, "hash": a.hash, "current": None if a.hash is None else a.hash == now}
        for a in post.approvals
    ]
    return {"author": post.author, "approvals": approvals}


# --- who still has to approve ---------------------------------------------------------


@dataclass(frozen=True)
class Stale:
    """An approval of content that has changed since."""

    approval: Approval
    changed: tuple[str, ...]  # the parts that changed; empty when the approval kept no parts
    field: str  # where the approval is written: approvals[i], or approved_by


def stale_approvals(post: Post, config: Config, cache: dict[str, Any]) -> list[Stale]:
    """The post's approvals whose hash is not the hash of its content now."""
    stale = []
    for index, approval in enumerate(post.approvals):
        if approval.hash is None:
            continue  # a bare approved_by: proves nothing, so it cannot go stale
        current = post_hash(post, config, cache)
        if approval.hash != current.value:
            field = f"approvals[{index}]" if approval.recorded else "approved_by"
            stale.append(Stale(approval, tuple(current.changed(approval)), field))
    return stale


def counts_for(approval: Approval, settings: ApprovalSettings) -> bool:
    """Whether an approval counts for its role: recorded with one, by a member of that role."""
    return approval.recorded and approval.role in settings.roles and approval.role in settings.roles_of(approval.by)


def missing_roles(post: Post, settings: ApprovalSettings) -> tuple[tuple[str, ...], bool]:
    """The roles whose approval the post still lacks, and whether one of them is enough.

    ((), False) when the post has what its kind requires."""
    requirement = settings.requirement(post.kind)
    approved = {a.role for a in post.approvals if counts_for(a, settings)}
    if requirement.any_one:
        return ((), False) if approved & set(requirement.roles) else (requirement.roles, True)
    return tuple(role for role in requirement.roles if role not in approved), False


def describe_roles(roles: tuple[str, ...], settings: ApprovalSettings, any_one: bool) -> str:
    """ "communication (a.renier) and medical (dr.martin)", or "… or …" when one is enough."""
    named = [f"{role} ({', '.join(settings.roles[role])})" for role in roles]
    joiner = " or " if any_one else " and "
    return joiner.join(named)


def describe_parts(parts: tuple[str, ...]) -> str:
    """ "the text, the media files and the time", or "the content" when the approval kept no parts."""
    if not parts:
        return "the content"
    names = [PART_NAMES[part] for part in parts]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- hospipost approve ----------------------------------------------------------------


def default_approver(folder: Path) -> str:
    """Who runs `approve` without --as: git's user.email for the folder's repository, else the OS user."""
    import getpass
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):  # no git
            return None
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None

    if git("rev-parse", "--git-dir"):  # the folder's repository, not a global setting elsewhere
        email = git("config", "user.email")
        if email:
            return email
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor in the password database
        from hospipost.errors import HospipostError

        raise HospipostError("cannot tell who you are: give --as NAME") from None


@dataclass
class ApproveResult:
    """What `approve` did: the post, the roles approved now, those already approved, the file."""

    post: Post
    path: Path
    by: str
    roles: list[str | None]
    already: list[str | None]
    written: bool


def approve_post(config: Config, post_id: str, approver: str, role: str | None, now: datetime) -> ApproveResult:
    """Record ``approver``'s approval of post ``post_id`` as it is now, in its queue file.

    Raises HospipostError (one line) for an unknown post, an approver that config.yaml's
    approvals.roles does not allow, or the author approving their own post. The file is
    edited under the posts folder's lock, read back through the loader, and written
    atomically; nothing is written when the post is already approved by this approver.
    """
    from hospipost.errors import HospipostError
    from hospipost.posts import QueueLoadError, load_queues, parse_queue_text, queue_files
    from hospipost.queuefile import atomic_write, queue_lock, set_approvals
    from hospipost.rules._people import same_person
    from hospipost.yamlfile import read_text

    approver = " ".join(approver.split())
    if not approver:
        raise HospipostError("--as: give the approver's name")
    folder = config.resolve(config.posts_dir)
    with queue_lock(folder):
        try:
            queues = load_queues(config, queue_files(config))
        except QueueLoadError as error:
            raise HospipostError("\n".join(e.format_message() for e in error.errors)) from None
        post = next((p for q in queues for p in q.posts if p.id == post_id), None)
        if post is None:
            raise HospipostError(f"No post with id {post_id!r}; `hospipost queue list --all` lists them")
        if post.author and same_person(post.author, approver):
            raise HospipostError(f"{approver} wrote post {post_id}: someone else must approve it")
        roles = _roles_to_approve(post, config, approver, role)
        current = content_hash(post, config)
        kept, already = [], []
        for approval in post.approvals:
            if not approval.recorded:
                continue  # a plain approved_by: is superseded by the recorded approval
            valid = approval.hash == current.value
            entry = _entry(approval.by, approval.role, approval.at, approval.hash, approval.parts)
            if config.approvals is not None and approval.role not in roles:
                kept.append(entry)  # another role's approval (a stale one still needs that role)
            elif valid:
                kept.append(entry)
                if config.approvals is not None or same_person(approval.by, approver):
                    already.append(approval.role)
            # else: a stale approval, replaced by this one
        by = {r: config.approvals.member(r, approver) if config.approvals and r else approver for r in roles}
        when = now.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
        new = [_entry(by[r], r, when, current.value, current.parts) for r in roles if r not in already]
        result = ApproveResult(post, post.file, by[roles[0]], [e.get("role") for e in new], already, False)
        if not new:
            return result
        original = read_text(post.file)
        text = set_approvals(original, post_id, [*kept, *new])
        try:
            posts = parse_queue_text(text, post.file, config)
        except HospipostError as error:
            raise HospipostError(
                f"{post.file}: the approval cannot be written: {error.message}; nothing written"
            ) from None
        _check_only_approvals_changed(parse_queue_text(original, post.file, config), posts, post_id, current.value)
        try:
            atomic_write(post.file, text.encode("utf-8"))
        except OSError as error:
            raise HospipostError(f"{post.file}: cannot write: {error.strerror}") from None
        result.written = True
        return result


def _entry(by: str, role: str | None, at: str | None, value: str | None, parts: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"by": by}
    if role:
        entry["role"] = role
    if at:
        entry["at"] = at
    entry["hash"] = value
    if parts:
        entry["parts"] = dict(parts)
    return entry


def _roles_to_approve(post: Post, config: Config, approver: str, role: str | None) -> list[str | None]:
    """The roles ``approver`` approves ``post`` in: [None] without approvals: in config.yaml."""
    from hospipost.errors import HospipostError

    settings = config.approvals
    if settings is None:
        if role is not None:
            raise HospipostError("--role: config.yaml has no approvals: section naming roles")
        return [None]
    held = settings.roles_of(approver)
    if not held:
        listed = "; ".join(f"{r}: {', '.join(people)}" for r, people in settings.roles.items())
        raise HospipostError(f"{approver} is in no approval role in config.yaml (approvals.roles: {listed})")
    needed = settings.requirement(post.kind).roles
    usable = [r for r in held if r in needed]
    if role is not None:
        if role not in settings.roles:
            raise HospipostError(f"--role {role!r}: unknown role; approvals.roles has {', '.join(settings.roles)}")
        if role not in held:
            raise HospipostError(
                f"{approver} is not in role {role} (approvals.roles.{role}: {', '.join(settings.roles[role])})"
            )
        if role not in needed:
            raise HospipostError(f"{post.kind} posts do not need a {role} approval (they need {', '.join(needed)})")
        return [role]
    if not usable:
        raise HospipostError(
            f"{approver} ({', '.join(held)}) cannot approve a {post.kind} post: it needs {', '.join(needed)}"
        )
    return list(usable)


def _check_only_approvals_changed(before: list[Post], after: list[Post], post_id: str, value: str) -> None:
    """The edit changed the post's approvals and nothing else (every other post, every other field)."""
    from hospipost.errors import HospipostError
    from hospipost.queuefile import post_signature

    same = len(before) == len(after) and all(
        post_signature(old, approvals=old.id != post_id) == post_signature(new, approvals=new.id != post_id)
        for old, new in zip(before, after, strict=True)
    )
    edited = next((p for p in after if p.id == post_id), None)
    if not same or edited is None or not any(a.hash == value for a in edited.approvals):
        raise HospipostError(
            f"{post_id}: writing the approval would change something else in the file; nothing written"
        )


def waiting(post: Post, config: Config, cache: dict[str, Any]) -> list[tuple[str, str]]:
    """What ``post`` waits for before it may be published: (whose approval, why), one per approval."""
    settings = config.approvals
    found: list[tuple[str, str]] = []
    for stale in stale_approvals(post, config, cache):
        approval = stale.approval
        who = approval.by
        if settings is not None and approval.role in settings.roles:
            who = describe_roles((approval.role,), settings, False)
        found.append((f"{who}, again", f"{describe_parts(stale.changed)} changed since {approval.by} approved it"))
    if settings is None:
        if not post.approvals:
            others = f"anyone but {post.author}" if post.author else "anyone"
            found.append((others, "not approved"))
        return found
    roles, any_one = missing_roles(post, settings)
    if roles:
        bare = any(not a.recorded for a in post.approvals)
        found.append((describe_roles(roles, settings, any_one), "only approved_by:" if bare else "not approved"))
    return found
