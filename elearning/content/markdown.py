"""Markdown to sanitised HTML: the parser with Relais's extras, render rules and the nh3 allowlist.

Raw HTML in lessons is dropped by the renderer and, as a second line of defence, by nh3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from html import escape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from elearning.helplines import dials
from elearning.typography import french_spaces

KEYPOINTS_TITLE = {"nl": "Kernpunten", "fr": "Points clés", "en": "Key points"}
BOXES = ("keypoints", "case")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "a", "img", "sup",
    "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "aside", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "li": {"id"}, "ol": {"start"}}
ALLOWED_CLASSES = {"aside": {"keypoints", "case"}, "ul": {"helplines"}, "span": {"muted"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> str:
    """Return `html` with only the allowed tags, attributes and URL schemes; links get rel=noopener."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, allowed_classes=ALLOWED_CLASSES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", strip_comments=True)


def _render_nothing(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return ""


def _render_box(name: str) -> Callable[..., str]:
    def render(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        if tokens[idx].nesting == -1:
            return "</aside>\n"
        heading = f"<h3>{escape(KEYPOINTS_TITLE[env['language']])}</h3>\n" if name == "keypoints" else ""
        return f'<aside class="{name}">\n{heading}'

    return render


def _render_image(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    filename = str(tokens[idx].attrGet("src") or "")
    alt = env.get("alts", {}).get(filename)
    if alt is None or "asset_url" not in env:
        return ""
    return f'<img src="{escape(env["asset_url"](filename))}" alt="{escape(alt[env["language"]])}">'


def _render_helplines(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return helplines_html(env.get("helplines", ()), env["language"])


def _render_text(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    content = tokens[idx].content
    return escapeHtml(french_spaces(content) if env.get("language") == "fr" else content)  # as the default rule


def _render_source_ref(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    number, page = tokens[idx].meta["number"], tokens[idx].meta.get("page")
    return f'<sup><a href="{page or ""}#source-{number}">[{number}]</a></sup>'


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """Return the Markdown parser: CommonMark, tables, the two boxes and Relais's render rules."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    for name in BOXES:
        container_plugin(md, name, render=_render_box(name))
    md.add_render_rule("html_block", _render_nothing)
    md.add_render_rule("html_inline", _render_nothing)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("helplines", _render_helplines)
    md.add_render_rule("source_ref", _render_source_ref)
    md.add_render_rule("text", _render_text)
    return md


def render_tokens(tokens: Sequence[Token], env: dict) -> str:
    """Render parsed tokens to sanitised HTML; env holds language, alts, asset_url and helplines."""
    md = parser()
    return sanitise(md.renderer.render(tokens, md.options, env))


def render_markdown(text: str, language: str) -> str:
    """Render a short Markdown text (a content note) to sanitised HTML."""
    env = {"language": language}
    return render_tokens(parser().parse(text, env), env)


def helplines_html(services: Sequence[dict], language: str) -> str:
    """Return the help services as an HTML list in `language`: numbers, name and hours as in the footer, then the
    description on its own line (no punctuation joining texts written apart, which read wrong in French)."""
    items = []
    spaced = french_spaces if language == "fr" else str
    for service in services:
        links = " / ".join(f'<a href="tel:{tel}">{escape(shown)}</a>' for shown, tel in dials(service["number"]))
        items.append(
            f'<li><strong>{links}</strong> {escape(spaced(service["name"][language]))} '
            f'<span class="muted">{escape(spaced(service["hours"][language]))}</span><br>'
            f'{escape(spaced(service["description"][language]))}</li>'
        )
    return '<ul class="helplines">\n' + "\n".join(items) + "\n</ul>\n"
