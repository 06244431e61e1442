"""Safe YAML loading that keeps line numbers, so every error can say file:line.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both remember
the line where they start and where each of their values starts. The C loader is used
when PyYAML was built with libyaml. Aliases are shared, never copied, so an alias bomb
("billion laughs") costs no memory; duplicate keys are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hospipost.errors import InputError

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]

MAX_FILE_BYTES = 32 * 1024 * 1024


class LineDict(dict):
    """A mapping loaded from YAML; ``line`` and ``value_lines`` are 1-based."""

    __slots__ = ("line", "value_lines", "key_lines")

    @classmethod
    def empty(cls, line: int = 1) -> "LineDict":
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

    __slots__ = ("line", "item_lines")

    @classmethod
    def empty(cls, line: int = 1) -> "LineList":
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


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    def construct_value(self, node: yaml.Node) -> Any:
        # Most values are plain strings: take them directly, without PyYAML's bookkeeping
        # (strings are immutable, so an alias to one costs nothing either).
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            return node.value
        return self.construct_object(node, deep=True)

    def construct_line_mapping(self, node: yaml.MappingNode) -> LineDict:
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
                raise DuplicateKeyError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping[key] = self.construct_value(value_node)
            line = value_node.start_mark.line + 1
            value_lines[key] = line + 1 if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">") else line
            key_lines[key] = key_node.start_mark.line + 1

    def construct_line_sequence(self, node: yaml.SequenceNode) -> LineList:
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
        raise InputError(path, line, f"invalid YAML: {message}") from None
    except yaml.YAMLError as error:
        raise InputError(path, None, f"invalid YAML: {error}") from None
    except RecursionError:
        raise InputError(path, None, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def load_yaml(path: Path) -> Any:
    return parse_yaml(read_text(path), path)
