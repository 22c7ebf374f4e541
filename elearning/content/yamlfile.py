"""Read YAML keeping the line of every key and item, so problems can point at them."""

from __future__ import annotations

import re
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
        line, message = explain_syntax_error(error, text.splitlines())
        report(line, f"YAML syntax error: {message}")
        return INVALID
    except yaml.YAMLError as error:
        report(1, f"YAML syntax error: {error}")
        return INVALID
    finally:
        loader.dispose()


QUOTE_TEXT = "put the text in double quotes"
LINE_UP = "the lines of one list or block must start at the same column: line this one up with the lines above it"
SPECIAL_START = re.compile(r"found character '(.)' that cannot start any token")


def explain_syntax_error(error: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """Return the line of a YAML syntax error and what it means for an author, with the likely fix.

    The common mistakes (a tab, a colon in a text, a line out of alignment, an unclosed quote or bracket) get a
    plain explanation; anything else keeps the parser's own message.
    """
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column) if mark else (1, 0)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    problem, context = error.problem or "", error.context or ""
    opened = error.context_mark.line + 1 if error.context_mark else line
    if "'\\t'" in problem or text[column:column + 1] == "\t":
        if not text[:column].strip():
            return line, "a tab is used to indent this line; use spaces, not tabs, to indent"
        return line, f"this line holds a tab character; use spaces, not tabs ({QUOTE_TEXT} if it needs a tab)"
    if problem == "mapping values are not allowed here":
        before = text[:column].lstrip(" -")
        if ": " in before:
            return line, f"a text contains ': ' (a colon and a space); {QUOTE_TEXT} when it contains ': '" \
                         + _quoted_example(text)
        return line, f"{LINE_UP} (if it is, check that the line above ends its key with ':')"
    if problem.startswith("expected <block end>") and "<scalar>" not in problem:
        return line, LINE_UP
    if problem.startswith("expected <block end>") and re.search(r"[\"']", text[:column]):
        return line, "there is text after the closing quote; put the whole text inside the quotes"
    if context == "while scanning a quoted scalar":
        return opened, "the quote that opens the text on this line is never closed; end the text with the same " \
                       "quote (\" or ')"
    if context.startswith("while parsing a flow") and problem.endswith("but got ':'"):
        if opened == line:
            return line, f"a text inside {{ }} or [ ] contains ': '; {QUOTE_TEXT} when it contains ': '"
        return line, f"the '{{' or '[' opened on line {opened} is not closed before this line; close it with " \
                     "'}' or ']'"
    if problem == "but found another document":
        return line, "'---' starts a second document, but a file holds one: remove the '---' line"
    special = SPECIAL_START.search(problem)
    character = special[1] if special else {"while scanning an alias": "*", "while scanning an anchor": "&"}.get(
        context, "*" if problem.startswith("found undefined alias") else None)
    if character:
        return line, f"a text cannot start with '{character}' in YAML; {QUOTE_TEXT}"
    where = f" ({context} started on line {opened})" if context and error.context_mark and opened != line else ""
    return line, f"{problem or context}{where}; check the spaces at the start of this line and the line above, and " \
                 "that every quote and bracket is closed"


def _quoted_example(text: str) -> str:
    """Return the line with its text quoted, e.g. `: fr: "Cours: de démonstration"`, when that is simple."""
    indent = len(text) - len(text.lstrip(" -"))
    key, separator, value = text[indent:].partition(": ")
    value = value.strip()
    if not separator or not key or '"' in value or " #" in value or not value:
        return ""
    return f', e.g. {key}: "{value}"'


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
