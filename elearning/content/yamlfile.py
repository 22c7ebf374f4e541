"""Read YAML keeping the line of every key and item, so problems can point at them."""

from __future__ import annotations

from typing import Any

import yaml

from elearning.content.problems import Report


class YamlMap(dict):
    """A mapping that remembers its own line and the line of each key."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """Return the line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


INVALID = object()  # what read_yaml returns after reporting a syntax error, so no second problem follows


def read_yaml(text: str, report: Report) -> Any:
    """Return the document in `text` with line numbers attached, or INVALID after reporting a syntax error."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _convert(node, loader, report)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        report(line, f"YAML syntax error: {error.problem or error.context}")
        return INVALID
    except yaml.YAMLError as error:
        report(1, f"YAML syntax error: {error}")
        return INVALID
    finally:
        loader.dispose()


def _convert(node: yaml.Node, loader: yaml.SafeLoader, report: Report) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        mapping = YamlMap(line)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, bool, float)) or key is None:
                report(key_line, "a key must be a plain word")
                continue
            if key in mapping:
                report(key_line, f"key '{key}' appears twice (first on line {mapping.key_lines[key]})")
                continue
            mapping[key] = _convert(value_node, loader, report)
            mapping.key_lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = YamlList(line)
        for item in node.value:
            items.append(_convert(item, loader, report))
            items.item_lines.append(item.start_mark.line + 1)
        return items
    return loader.construct_object(node, deep=True)
