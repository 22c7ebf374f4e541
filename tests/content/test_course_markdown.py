"""Pure pieces of the course format: YAML lines, Markdown rendering, sanitising and SVG checks."""

from __future__ import annotations

import pytest

from elearning.content.assets import check_svg
from elearning.content.lessons import parse_lesson
from elearning.content.markdown import helplines_html, render_markdown, sanitise
from elearning.content.problems import Problems
from elearning.content.yamlfile import read_yaml


def collect():
    problems = Problems()
    return problems, problems.for_file("file")


def test_yaml_values_keep_the_lines_of_their_keys_and_items():
    problems, report = collect()

    data = read_yaml("title:\n  nl: a\n  fr: b\nitems:\n  - one\n  - two\n", report)

    assert (data.line_of("title"), data["title"].line_of("fr"), data.line_of("missing")) == (1, 3, 1)
    assert data["items"].item_lines == [5, 6]
    assert problems.items == []


def test_sanitise_keeps_the_allowlist_only():
    html = sanitise('<p onclick="x()">Hi <a href="javascript:alert(1)">x</a> <a href="https://example.org">y</a>'
                    '<iframe src="https://example.org"></iframe><script>alert(1)</script></p><aside class="case evil">'
                    "z</aside>")

    assert html == ('<p>Hi <a rel="noopener noreferrer">x</a> <a href="https://example.org" '
                    'rel="noopener noreferrer">y</a></p><aside class="case">z</aside>')


def test_render_markdown_handles_tables_and_drops_raw_html():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n<div>raw</div>\n\nText <em>x</em>", "en")

    assert "<table>" in html and "<td>1</td>" in html
    assert "raw" not in html and "<em>" not in html
    assert "style" not in html


def test_helplines_html_escapes_texts():
    services = [{"number": "0800 30 030", "name": {"en": "A <b>line</b>"}, "hours": {"en": "24/7"},
                 "description": {"en": "Free & anonymous"}}]

    html = helplines_html(services, "en")

    assert '<a href="tel:080030030">0800 30 030</a>' in html
    assert 'A &lt;b&gt;line&lt;/b&gt; <span class="muted">24/7</span><br>Free &amp; anonymous' in html


def test_a_service_with_two_numbers_gets_a_link_for_each():
    """Tele-Onthaal (106, Dutch) and Télé-Accueil (107, French): one link dialled 107 whoever tapped it."""
    services = [{"number": "107 / 106", "name": {"nl": "Tele-Onthaal (106) / Télé-Accueil (107)"},
                 "hours": {"nl": "24/7"}, "description": {"nl": "Luisterlijn."}}]
    html = sanitise(helplines_html(services, "nl"))
    assert '<a href="tel:107" rel="noopener noreferrer">107</a> / <a href="tel:106" rel="noopener noreferrer">106</a>' \
        in html
    assert '<span class="muted">24/7</span>' in html


def test_a_lesson_is_split_into_pages_at_each_level_two_heading():
    problems, report = collect()

    lesson = parse_lesson("## One\n\nFirst.\n\n### Part\n\nMore.\n\n## Two *b*\n\nSecond.\n", "en", set(), report)

    assert [(page.title, page.line) for page in lesson.pages] == [("One", 1), ("Two b", 9)]
    assert problems.items == []
    rendered = lesson.render({}, str, [])
    assert rendered[0] == ("One", "<p>First.</p>\n<h3>Part</h3>\n<p>More.</p>\n")


def test_a_lesson_with_more_than_ten_pages_is_a_problem():
    problems, report = collect()

    parse_lesson("".join(f"## Page {n}\n\nText.\n\n" for n in range(11)), "en", set(), report)

    assert [(p.line, p.message) for p in problems.items] == [(41, "a lesson has at most 10 pages, this one has 11")]


def test_markers_inside_links_and_code_are_left_alone():
    problems, report = collect()

    lesson = parse_lesson("## A\n\nSee `[9]` and [the [1] list](https://example.org) [1].\n\n## Sources\n\n"
                          "1. A source.\n", "en", set(), report)

    html = lesson.render({}, str, [])[0][1]
    assert problems.items == []
    assert "<code>[9]</code>" in html
    assert html.count("#source-1") == 1


@pytest.mark.parametrize("svg", [
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use href="#a"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(#grad)"/><use xlink:href="#b"/></svg>',
])
def test_svg_internal_references_are_fine(svg):
    problems, report = collect()

    check_svg(svg.encode(), report)

    assert problems.items == []


@pytest.mark.parametrize(("svg", "message"), [
    ("<svg>\n<SCRIPT>x</SCRIPT></svg>", "<script>"),
    ('<svg>\n<a xlink:href="javascript:alert(1)">x</a></svg>', "external reference 'javascript:alert(1)'"),
    ("<svg>\n<style>@import 'https://example.org/a.css';</style></svg>", "@import"),
    ('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<svg>&x;</svg>', "external entity"),
])
def test_svg_dangers_are_reported(svg, message):
    problems, report = collect()

    check_svg(svg.encode(), report)

    assert any(message in p.message for p in problems.items), problems.items


def test_french_text_keeps_its_punctuation_with_the_word_before_it():
    """No line may start with ':' or '»' on a phone: French gets no-break spaces, other languages are untouched."""
    french = render_markdown("Elle dit : « plus jamais » ; vraiment ? 80 % !", "fr")
    assert "dit&nbsp;: «&nbsp;plus jamais&nbsp;»\u202f; vraiment\u202f? 80\u202f%\u202f!" in french
    assert render_markdown("Code : `a ; b`", "fr") == "<p>Code&nbsp;: <code>a ; b</code></p>\n"  # code as written
    assert "Note : yes" in render_markdown("Note : yes", "en")


def test_only_markdown_meant_as_an_image_is_reported_as_a_broken_one():
    problems, report = collect()

    lesson = parse_lesson("## A\n\nWow! [a link](https://example.org), `![code](a b.svg)`, \\![not] and !\\[no](x y).\n"
                          "\n![](a.svg) then\n![Schéma](cycle fr.svg) on the second line, so many![1]\n\n"
                          "## Sources\n\n1. A source.\n", "en", {"a.svg"}, report)

    assert [(p.line, p.message.split(":")[0]) for p in problems.items] == [
        (6, "'![Schéma](cycle fr.svg)' looks like an image but is not one")]
    assert lesson.images == {"a.svg"}
