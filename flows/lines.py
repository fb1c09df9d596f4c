"""Find where a problem's path (`questions[3].choices[1].code`) stands in the flow's YAML text."""

from __future__ import annotations

import re

import yaml

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_lines(text: str) -> dict[str, int]:
    """The 1-based line of every path in the YAML text: of the key for a mapping entry, of the item in a list."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}  # the problem is the YAML itself, and its message already names the line
    lines: dict[str, int] = {}
    if root is not None:
        _walk(root, "", lines, set())
    return lines


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of a path, or of its nearest ancestor present in the file (a missing key: its mapping)."""
    segments = [m.group(0) for m in _SEGMENT.finditer(path)]
    while segments:
        key = _join(segments)
        if key in lines:
            return lines[key]
        segments.pop()
    return None


def _walk(node: yaml.Node, path: str, lines: dict[str, int], seen: set[int]) -> None:
    # An alias (*name) is the same node again: walk it once, or nested aliases cost exponential time.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = f"{path}.{key.value}" if path else str(key.value)
                lines.setdefault(child, key.start_mark.line + 1)
                _walk(value, child, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines.setdefault(child, item.start_mark.line + 1)
            _walk(item, child, lines, seen)


def _join(segments: list[str]) -> str:
    out = ""
    for segment in segments:
        out += segment if segment.startswith("[") or not out else f".{segment}"
    return out
