"""lesson.<lang>.md: split into pages at each `## Title`, check the extras, prepare tokens for rendering."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from markdown_it.token import Token

from elearning.content.markdown import BOXES, parser, render_tokens
from elearning.content.problems import Report

MAX_PAGES = 10
MAX_TITLE_LENGTH = 300
HELPLINES_MARKER = "[[helplines]]"
SOURCES_TITLES = {"sources", "bronnen"}
SOURCE_MARKER = re.compile(r"\[(\d{1,3})\]")
# What an image that did not parse looks like in the text: "![" up to its ")" on the same line, if any.
BROKEN_IMAGE = re.compile(r"!\[[^\n]*?(?:\]\((?P<file>[^)\n]*)\)|$)", re.MULTILINE)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")


@dataclass
class Page:
    """One lesson page: its title, the line of its `##` heading and its body tokens."""

    title: str
    line: int
    tokens: list[Token]


@dataclass
class Lesson:
    """A parsed lesson in one language."""

    language: str
    pages: list[Page] = field(default_factory=list)
    helplines_line: int | None = None  # the first [[helplines]] line, when the lesson has one
    images: set[str] = field(default_factory=set)  # the file of every image the lesson shows

    def render(self, alts: dict[str, dict[str, str]], asset_url: Callable[[str], str],
               helplines: list[dict]) -> list[tuple[str, str]]:
        """Return (title, sanitised HTML) for each page, images pointing at `asset_url(filename)`."""
        env = {"language": self.language, "alts": alts, "asset_url": asset_url, "helplines": helplines}
        return [(page.title, render_tokens(page.tokens, env)) for page in self.pages]


def _plain(inline: Token) -> str:
    """Return the text of an inline token without its Markdown markup."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _line_of(text_lines: list[str], block: Token, needle: str) -> int:
    """Return the 1-based line inside `block` where `needle` first appears (the block's first line otherwise)."""
    start, end = block.map or (0, 1)
    for number in range(start, min(end, len(text_lines))):
        if needle in text_lines[number]:
            return number + 1
    return start + 1


class _LessonParser:
    """Parse one lesson file, reporting its problems as it goes."""

    def __init__(self, text: str, language: str, assets: Collection[str] | None, report: Report) -> None:
        self.text_lines = text.splitlines()
        self.language, self.assets, self.report = language, assets, report
        self.env = {"language": language}  # the parse adds the lesson's link references, if any
        self.tokens = parser().parse(text, self.env)
        self.unclosed: set[int] = set()  # ids of the box tokens already reported as not closed
        self.images: set[str] = set()

    def parse(self) -> Lesson:
        lesson = Lesson(self.language, images=self.images)
        self._check_blocks()
        lesson.helplines_line = self._expand_helplines()
        heading_indexes = [i for i, token in enumerate(self.tokens)
                           if token.type == "heading_open" and token.tag == "h2" and token.level == 0]
        if not heading_indexes:
            self.report(1, "the lesson has no pages: start each page with a '## Title' line")
            return lesson
        before = [token for token in self.tokens[:heading_indexes[0]] if token.map]
        if before:
            self.report(before[0].map[0] + 1, "text before the first '## ' page title; start the lesson with "
                                              "a '## Title' line")
        if len(heading_indexes) > MAX_PAGES:
            line = self.tokens[heading_indexes[MAX_PAGES]].map[0] + 1
            self.report(line, f"a lesson has at most {MAX_PAGES} pages, this one has {len(heading_indexes)}")
        ends = heading_indexes[1:] + [len(self.tokens)]
        for start, end in zip(heading_indexes, ends, strict=True):
            heading, inline = self.tokens[start], self.tokens[start + 1]
            line, title = heading.map[0] + 1, _plain(inline)
            if not title:
                self.report(line, "a page title is empty")
            elif len(title) > MAX_TITLE_LENGTH:
                self.report(line, f"a page title is longer than {MAX_TITLE_LENGTH} characters")
            body = self.tokens[start + 3:end]
            if not body:
                self.report(line, f"page '{title}' has no text")
            lesson.pages.append(Page(title, line, body))
        self._link_sources(lesson.pages)
        return lesson

    def _check_blocks(self) -> None:
        """Report unclosed boxes, '#' headings, misplaced markers and images not listed as assets."""
        boxes: list[Token] = []  # the boxes open at the current token
        for token in self.tokens:
            line = token.map[0] + 1 if token.map else 1
            if token.type.startswith("container_"):
                if token.nesting == 1:
                    boxes.append(token)
                    self._check_box_closed(token)
                else:
                    boxes.pop()
            elif token.type == "heading_open" and token.tag == "h1":
                self.report(line, "use '## ' for page titles and '### ' for headings inside a page, not '# '")
            elif token.type == "heading_open" and token.tag == "h2" and token.level > 0:
                if boxes and id(boxes[0]) not in self.unclosed:
                    box = boxes[0]
                    self.unclosed.add(id(box))
                    self.report(box.map[0] + 1, f"the '::: {box.info.strip()}' box is never closed before the "
                                                f"page title on line {line}; end it with a ':::' line")
                elif not boxes:
                    self.report(line, "a '## ' page title inside a list or quote; start it at the left margin")
            elif token.type == "inline":
                self._check_inline(token)

    def _check_box_closed(self, box: Token) -> None:
        end = box.map[1] if box.map else len(self.text_lines)
        if end >= len(self.text_lines) or not self.text_lines[end].strip().startswith(":::"):
            self.unclosed.add(id(box))
            self.report(box.map[0] + 1 if box.map else 1,
                        f"the '::: {box.info.strip()}' box is never closed with a ':::' line")

    def _check_inline(self, inline: Token) -> None:
        content = inline.content.strip()
        if content.startswith(":::"):
            self.report(inline.map[0] + 1, f"'{content.splitlines()[0]}' is not a box: use "
                                           f"{' or '.join(f'::: {name}' for name in BOXES)}, closed by ':::'")
        if HELPLINES_MARKER in content and content != HELPLINES_MARKER:
            self.report(_line_of(self.text_lines, inline, HELPLINES_MARKER),
                        f"{HELPLINES_MARKER} must stand alone on its own line")
        for child in inline.children or ():
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                self.images.add(src)
                if self.assets is not None and src not in self.assets:
                    self.report(_line_of(self.text_lines, inline, f"({src}"),
                                f"image '{src}' is not listed under 'assets' in module.yaml")
        self._check_broken_images(inline)

    def _check_broken_images(self, inline: Token) -> None:
        """Report each '![' in the text (not in code, not escaped) that does not start an image: Markdown meant
        as an image that is shown as plain text instead."""
        source = inline.content
        if "![" not in source:
            return
        plain = ESCAPED.sub(_blank, CODE_SPAN.sub(_blank, source))
        for start in (m.start() for m in re.finditer(r"!\[(?!\d{1,3}\](?![(\[]))", plain)):  # not "wow![1]"
            children = parser().parseInline(source[start:], dict(self.env))[0].children or []
            if children and children[0].type == "image":
                continue
            match = BROKEN_IMAGE.match(source, start)
            shown = match[0] if len(match[0]) <= 60 else match[0][:57] + "..."
            filename = (match["file"] or "").strip()
            if re.search(r"\s", filename):
                similar = [name for name in sorted(self.assets or ()) if _squeezed(name) == _squeezed(filename)]
                renamed = re.sub(r"\s+", "-", filename)
                hint = f"did you mean {similar[0]}?" if similar else f"rename the file, e.g. {renamed}"
                fix = f"the file name '{filename}' contains a space; an image file name cannot contain spaces ({hint})"
            else:
                fix = "write an image as ![](file.svg): '![', ']' and the file name in '( )' right after it"
            line = (inline.map[0] if inline.map else 0) + 1 + source.count("\n", 0, start)
            self.report(line, f"'{shown}' looks like an image but is not one: {fix}")

    def _expand_helplines(self) -> int | None:
        """Replace each paragraph holding only [[helplines]] by one helplines token; return the first line."""
        tokens, found, i = [], None, 0
        while i < len(self.tokens):
            token = self.tokens[i]
            following = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
            if (token.type == "paragraph_open" and following is not None and following.type == "inline"
                    and following.content.strip() == HELPLINES_MARKER):
                marker = Token("helplines", "", 0, map=token.map, level=token.level, block=True)
                tokens.append(marker)
                found, i = found or token.map[0] + 1, i + 3
                continue
            tokens.append(token)
            i += 1
        self.tokens = tokens
        return found

    def _link_sources(self, pages: list[Page]) -> None:
        """Give Sources list items id="source-N" and turn [N] markers into links to them."""
        numbers: set[int] = set()
        is_sources = [page.title.casefold() in SOURCES_TITLES for page in pages]
        sources_page = None
        for position, (page, sources) in enumerate(zip(pages, is_sources, strict=True), start=1):
            if sources:
                numbers |= _number_sources(page.tokens)
                sources_page = sources_page or position
        for page, sources in zip(pages, is_sources, strict=True):
            if sources:
                continue
            for token in page.tokens:
                if token.type == "inline" and token.children:
                    token.children = self._split_markers(token, numbers, has_sources=any(is_sources),
                                                         sources_page=sources_page)

    def _split_markers(self, inline: Token, numbers: set[int], *, has_sources: bool,
                       sources_page: int | None = None) -> list[Token]:
        children, link_depth = [], 0
        for child in inline.children:
            link_depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type != "text" or link_depth or not SOURCE_MARKER.search(child.content):
                children.append(child)
                continue
            position = 0
            for match in SOURCE_MARKER.finditer(child.content):
                number = int(match.group(1))
                if number not in numbers:
                    where = "no entry" if has_sources else "no '## Sources' page with a numbered list"
                    self.report(_line_of(self.text_lines, inline, match.group(0)),
                                f"source marker {match.group(0)} has {where} for it")
                    continue
                children.append(_text(child.content[position:match.start()]))
                ref = Token("source_ref", "", 0)
                # The Sources list is on its own page: link there (relative to the lesson page URL).
                ref.meta = {"number": number, "page": sources_page}
                children.append(ref)
                position = match.end()
            children.append(_text(child.content[position:]))
        return children


def _squeezed(filename: str) -> str:
    """Return a file name without spaces, dots, dashes and underscores, to find the one an author meant."""
    return re.sub(r"[\s._-]", "", filename).casefold()


def _blank(match: re.Match) -> str:
    """Return spaces as long as the match, so positions in the text stay the same."""
    return " " * len(match[0])


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _number_sources(tokens: list[Token]) -> set[int]:
    """Set id="source-N" on the items of the first numbered list in `tokens`; return the numbers."""
    numbers: set[int] = set()
    for i, token in enumerate(tokens):
        if token.type == "ordered_list_open":
            number, depth = int(token.attrGet("start") or 1), token.level + 1
            for item in tokens[i + 1:]:
                if item.type == "ordered_list_close" and item.level == token.level:
                    break
                if item.type == "list_item_open" and item.level == depth:
                    item.attrSet("id", f"source-{number}")
                    numbers.add(number)
                    number += 1
            break
    return numbers


def parse_lesson(text: str, language: str, assets: Collection[str] | None, report: Report) -> Lesson:
    """Return the pages of a lesson file, reporting every problem in it (images only when `assets` is known)."""
    return _LessonParser(text, language, assets, report).parse()
