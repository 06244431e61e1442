"""Safe YAML loading that keeps line numbers, so every error can say file:line.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both remember
the line where they start and where each of their values starts. The C loader is used
when PyYAML was built with libyaml. Aliases are shared, never copied, so an alias bomb
("billion laughs") costs no memory; duplicate keys are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hospipost.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Generator

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    # The stubs type the name after the first assignment (CSafeLoader); the pure-Python
    # SafeLoader has the same interface, so the fallback is sound.
    _BaseLoader = yaml.SafeLoader  # type: ignore[assignment,misc]

MAX_FILE_BYTES = 32 * 1024 * 1024
# Every string value (texts, alt texts, names, paths...): longer is surely a mistake, and
# the checks that scan strings must stay fast.
MAX_STRING_LENGTH = 100_000


class LineDict(dict):
    """A mapping loaded from YAML; ``line`` and ``value_lines`` are 1-based."""

    __slots__ = ("key_lines", "line", "value_lines")
    # Set by empty() (every LineDict is made there), filled while the mapping loads.
    line: int
    value_lines: dict[Any, int]
    key_lines: dict[Any, int]

    @classmethod
    def empty(cls, line: int = 1) -> LineDict:
        mapping = cls()
        mapping.line, mapping.value_lines, mapping.key_lines = line, {}, {}
        return mapping

    def line_of(self, key: str) -> int:
        """Where the value of ``key`` starts (for errors about a value)."""
        return self.value_lines.get(key, self.line)

    def key_line(self, key: str) -> int:
        """Where ``key`` itself is written (for errors about the key)."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence loaded from YAML; ``item_lines[i]`` is where item ``i`` starts."""

    __slots__ = ("item_lines", "line")
    # Set by empty() (every LineList is made there).
    line: int
    item_lines: list[int]

    @classmethod
    def empty(cls, line: int = 1) -> LineList:
        sequence = cls()
        sequence.line, sequence.item_lines = line, []
        return sequence


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


def _value_line(node: yaml.Node) -> int:
    """Where a value's text starts: block scalars (| and >) start on the next line."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line


_STR = "tag:yaml.org,2002:str"


def _constructor_error(message: str, node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, message, node.start_mark)


class _LineLoader(_BaseLoader):
    def construct_value(self, node: yaml.Node) -> Any:
        # Most values are plain strings: take them directly, without PyYAML's bookkeeping
        # (strings are immutable, so an alias to one costs nothing either).
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_STRING_LENGTH:
                raise _constructor_error(_too_long(self._naming, len(node.value)), node)
            return node.value
        return self.construct_object(node, deep=True)

    _naming = "a value"

    def construct_named(self, node: yaml.Node, name: str) -> Any:
        self._naming = name
        try:
            return self.construct_value(node)
        finally:
            self._naming = "a value"

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's constructors raise plain ValueError/TypeError... on impossible values
        # (`!!float abc`, `!!omap [a: 1]`, `<<: [[a]]`): give them the node's line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError, KeyError, IndexError) as error:
            tag = node.tag.rsplit(":", 1)[-1]
            raise _constructor_error(f"impossible value for the type {tag!r} ({error})", node) from None

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" and not _mergeable(value_node):
                raise _constructor_error("a merge key `<<` takes a mapping (or a list of mappings)", value_node)
        super().flatten_mapping(node)

    def construct_line_mapping(self, node: yaml.MappingNode) -> Generator[LineDict, None, None]:
        self.flatten_mapping(node)
        mapping = LineDict.empty(node.start_mark.line + 1)
        yield mapping
        value_lines, key_lines = mapping.value_lines, mapping.key_lines
        for key_node, value_node in node.value:
            key = self.construct_value(key_node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in mapping:
                raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_named(value_node, f"{key!r}")
            line = value_node.start_mark.line + 1
            value_lines[key] = (
                line + 1 if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">") else line
            )
            key_lines[key] = key_node.start_mark.line + 1

    def construct_line_sequence(self, node: yaml.SequenceNode) -> Generator[LineList, None, None]:
        sequence = LineList.empty(node.start_mark.line + 1)
        sequence.item_lines = [_value_line(item) for item in node.value]
        yield sequence
        sequence.extend(self.construct_value(item) for item in node.value)

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as error:  # e.g. 2027-02-30: a valid shape, an impossible date
            raise yaml.constructor.ConstructorError(
                None, None, f"impossible date {node.value!r} ({error})", node.start_mark
            ) from None


def _too_long(name: str, length: int) -> str:
    limit = f"{MAX_STRING_LENGTH:_}".replace("_", " ")
    return f"{name} is {length} characters long; the limit is {limit}"


def _mergeable(node: yaml.Node) -> bool:
    if isinstance(node, yaml.MappingNode):
        return True
    return isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.MappingNode) for item in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_checked_timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:omap", _LineLoader.construct_line_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_sequence)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, or raise an InputError naming the file (and line of a bad byte)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(path, None, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a directory, not a file") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            path, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


def parse_yaml(text: str, path: Path) -> Any:
    """Parse one YAML document with line numbers; errors become InputError(file:line)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (error.context, error.problem) if part)
        if isinstance(error, yaml.constructor.ConstructorError):  # well-formed YAML, impossible value
            raise InputError(path, line, message) from None
        raise InputError(path, line, f"invalid YAML: {message}{_hint(message)}") from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        character = error.character if isinstance(error.character, str) else chr(error.character)
        raise InputError(
            path, line, f"invalid YAML: the control character U+{ord(character):04X} is not allowed; delete it"
        ) from None
    except yaml.YAMLError as error:
        raise InputError(path, None, f"invalid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise InputError(path, None, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


_HINTS = (
    (
        "mapping values are not allowed",
        "a colon followed by a space inside an unquoted text, or a wrong indentation: put the text in quotes, or align the key with the ones above",
    ),
    ("found character '\\t'", "a tab: indent with spaces only"),
    ("found a tab character", "a tab: indent with spaces only"),
    ("found unexpected end of stream", "an unclosed quote or bracket: close it"),
    (
        "while scanning a quoted scalar",
        "an unclosed quote: close it, or write a quote inside the text as '' (single quotes) or \\\" (double quotes)",
    ),
    ("did not find expected key", "a wrong indentation: align this line with the keys above"),
    ("did not find expected '-' indicator", "a wrong indentation in a list: align each '- ' with the others"),
    ("expected <block end>", "a wrong indentation: align this line with the keys above"),
    (
        "could not find expected ':'",
        "a key without a colon, or a text cut over two lines: add 'key: ' or quote the text",
    ),
    ("found undefined alias", "a '*' at the start of a value: put the value in quotes"),
    (
        "found character that cannot start any token",
        "a value starting with a special character (@, `, %): put it in quotes",
    ),
    ("while parsing a flow", "an unclosed [ or {: close it, or quote the value"),
)


def _hint(message: str) -> str:
    for pattern, hint in _HINTS:
        if pattern in message:
            return f" (likely {hint})"
    return ""


def load_yaml(path: Path) -> Any:
    return parse_yaml(read_text(path), path)
