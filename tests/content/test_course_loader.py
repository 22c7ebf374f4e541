"""Loading writes immutable course versions, renders lessons once and writes nothing when files are invalid."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from elearning.content import CourseInvalid, LoadReport, load_courses
from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module, Question

LESSON_EN = "m1-basics/lesson.en.md"
TABLES = (Course, CourseVersion, Module, LessonPage, Question, CourseAsset)


def counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in TABLES}


def module(db, slug: str, version: int = 1) -> Module:
    return db.session.scalar(sa.select(Module).join(CourseVersion)
                             .where(Module.slug == slug, CourseVersion.number == version))


def page(db, module_: Module, language: str, position: int) -> LessonPage:
    return db.session.scalar(sa.select(LessonPage).filter_by(module_id=module_.id, language=language,
                                                             position=position))


def test_loading_creates_the_course_version(db, courses):
    reports = load_courses(courses)

    assert reports == [LoadReport("demo-course", 1, created=True)]
    assert counts(db) == {"Course": 1, "CourseVersion": 1, "Module": 2, "LessonPage": 15, "Question": 11,
                          "CourseAsset": 1}
    version = db.session.scalar(sa.select(Course)).current_version
    assert (version.number, version.title["fr"], version.estimated_minutes) == (1, "Cours de démonstration", 20)
    assert len(version.content_hash) == 64
    first, second = version.modules
    assert (first.slug, first.position, first.pass_mark, first.questions_per_attempt, first.page_count,
            first.max_attempts, first.retry_wait_minutes) == ("m1-basics", 1, 60, 3, 3, None, 0)
    assert (second.slug, second.position, second.pass_mark, second.questions_per_attempt, second.page_count) == (
        "m2-practice", 2, 80, 4, 2)
    assert [p.title for p in db.session.scalars(sa.select(LessonPage).filter_by(module_id=first.id, language="nl")
                                                .order_by(LessonPage.position))] == [
        "Welkom", "Een casus op het werk", "Bronnen"]


def test_question_specs_are_normalised(db, courses):
    load_courses(courses)
    m1 = module(db, "m1-basics")
    specs = {q.slug: q for q in db.session.scalars(sa.select(Question).filter_by(module_id=m1.id))}

    single = specs["first-step"]
    assert (single.type, single.position) == ("single", 1)
    assert single.spec["text"] == {"nl": "Wat doet u eerst?", "fr": "Que faites-vous d'abord ?",
                                   "en": "What do you do first?"}
    assert single.spec["choices"][0] == {
        "id": "listen", "text": {"nl": "Luisteren", "fr": "Écouter", "en": "Listen"}, "correct": True,
        "explanation": {"nl": "Luisteren komt eerst.", "fr": "L'écoute vient d'abord.", "en": "Listening comes first."}}
    assert single.spec["choices"][2]["correct"] is False
    assert single.spec["choices"][2]["explanation"] is None
    assert [c["correct"] for c in specs["signs"].spec["choices"]] == [True, True, False]
    assert specs["emergency-number"].spec["answer"] is True
    assert [s["id"] for s in specs["response-order"].spec["steps"]] == ["notice", "respond", "refer"]
    scenario = specs["reception-visit"].spec
    assert scenario["case"]["en"] == "A former partner asks for a colleague at reception."
    assert [(q["id"], q["type"]) for q in scenario["questions"]] == [
        ("reception-visit-next-step", "single"), ("reception-visit-tell", "true_false")]
    assert set(scenario) == {"id", "type", "text", "explanation", "case", "questions"}


def test_loading_unchanged_files_again_creates_nothing(db, courses):
    load_courses(courses)
    db.session.commit()
    before = counts(db)

    reports = load_courses(courses)

    assert reports == [LoadReport("demo-course", 1, created=False)]
    assert counts(db) == before


def test_changed_files_make_a_new_version_and_leave_the_old_one(db, files):
    load_courses(files.root)
    db.session.commit()
    old_page = page(db, module(db, "m1-basics"), "en", 1)
    old_id, old_html = old_page.id, old_page.html
    files.replace(LESSON_EN, "This is the first page", "This is the opening page")

    reports = load_courses(files.root)
    db.session.commit()

    assert reports == [LoadReport("demo-course", 2, created=True)]
    assert counts(db) == {"Course": 1, "CourseVersion": 2, "Module": 4, "LessonPage": 30, "Question": 22,
                          "CourseAsset": 2}
    course = db.session.scalar(sa.select(Course))
    assert course.current_version.number == 2
    assert db.session.get(LessonPage, old_id).html == old_html
    assert "opening page" in page(db, module(db, "m1-basics", version=2), "en", 1).html


def test_going_back_to_earlier_files_makes_that_version_current_again(db, files):
    load_courses(files.root)
    files.replace(LESSON_EN, "This is the first page", "This is the opening page")
    load_courses(files.root)
    files.replace(LESSON_EN, "This is the opening page", "This is the first page")

    reports = load_courses(files.root)

    assert reports == [LoadReport("demo-course", 1, created=False)]
    assert db.session.scalar(sa.select(Course)).current_version.number == 1
    assert counts(db)["CourseVersion"] == 2


def test_a_helplines_change_makes_a_new_version(db, files):
    load_courses(files.root)
    text = (files.root / "helplines.yaml").read_text(encoding="utf-8")
    (files.root / "helplines.yaml").write_text(text.replace("For immediate danger.", "In immediate danger."),
                                               encoding="utf-8")

    assert load_courses(files.root) == [LoadReport("demo-course", 2, created=True)]


def test_nothing_is_written_when_a_file_is_invalid(db, files):
    files.replace("m2-practice/module.yaml", "pass_mark: 80", "pass_mark: 800")

    with pytest.raises(CourseInvalid) as raised:
        load_courses(files.root)

    assert [str(p) for p in raised.value.problems] == [
        "courses/demo-course/m2-practice/module.yaml:7: 'pass_mark' in module.yaml must be between 1 and 100, "
        "not 800"]
    assert set(counts(db).values()) == {0}


def test_nothing_is_written_when_a_file_is_over_its_size_limit(db, files):
    with files.path(LESSON_EN).open("r+b") as lesson:
        lesson.truncate(17 * 1024 * 1024)  # a 17 MB lesson: its text, then zero bytes

    with pytest.raises(CourseInvalid) as raised:
        load_courses(files.root)

    assert [str(p) for p in raised.value.problems] == [
        "courses/demo-course/m1-basics/lesson.en.md:1: lesson.en.md is 17 MB; a lesson file may be at most 200 KB"]
    assert set(counts(db).values()) == {0}


def test_an_invalid_change_leaves_the_loaded_version_alone(db, files):
    load_courses(files.root)
    db.session.commit()
    before = counts(db)
    files.delete("m1-basics/lesson.nl.md")

    with pytest.raises(CourseInvalid):
        load_courses(files.root)

    assert counts(db) == before


def test_raw_html_is_removed_from_lessons(db, files):
    files.replace(LESSON_EN, "![A diagram](diagram.svg)\n",
                  "![A diagram](diagram.svg)\n\n<script>alert('x')</script>\n\n"
                  "Some <b onclick=\"steal()\">bold</b> text, a [bad link](javascript:alert(1)) and "
                  "<img src=x onerror=alert(1)>.\n\n<div style=\"color:red\">styled</div>\n")
    load_courses(files.root)

    html = page(db, module(db, "m1-basics"), "en", 1).html

    for unsafe in ("<script", "alert('x')", "onclick", "steal", 'href="javascript', "onerror", "style", "<div", "<b>"):
        assert unsafe not in html
    assert "Some bold text, a [bad link](javascript:alert(1)) and .</p>" in html  # an unsafe link stays text


def test_images_use_the_asset_url_and_the_alt_text_of_the_language(db, courses):
    load_courses(courses)
    m1 = module(db, "m1-basics")

    for language, alt in (("nl", "Een cirkel met drie pijlen."), ("fr", "Un cercle avec trois flèches."),
                          ("en", "A circle with three arrows.")):
        assert f'<img src="/learn/assets/{m1.id}/diagram.svg" alt="{alt}">' in page(db, m1, language, 1).html
    asset = db.session.scalar(sa.select(CourseAsset))
    data = (courses / "demo-course" / "m1-basics" / "diagram.svg").read_bytes()
    assert (asset.module_id, asset.filename, asset.media_type, asset.data) == (m1.id, "diagram.svg",
                                                                               "image/svg+xml", data)
    assert asset.sha256 == hashlib.sha256(data).hexdigest()


def test_helplines_are_listed_in_the_language_of_the_page(db, courses):
    load_courses(courses)
    m1 = module(db, "m1-basics")

    nl, en = page(db, m1, "nl", 2).html, page(db, m1, "en", 2).html

    assert "[[helplines]]" not in nl
    assert '<ul class="helplines">' in nl
    assert '<a href="tel:080030030" rel="noopener noreferrer">0800 30 030</a>' in nl
    assert 'Luisterlijn <span class="muted">24/7, gratis</span><br>Luisteren en advies. Geen noodnummer.' in nl
    assert 'Listening line <span class="muted">24/7, free</span><br>Listening and advice. Not an emergency line.' in en


def test_source_markers_link_to_the_sources_list(db, courses):
    load_courses(courses)
    m1 = module(db, "m1-basics")

    first, sources = page(db, m1, "en", 1).html, page(db, m1, "en", 3).html

    # The Sources list is page 3, so the marker links there, relative to the lesson page URL.
    assert 'at some point <sup><a href="3#source-1" rel="noopener noreferrer">[1]</a></sup>.' in first
    assert '<li id="source-1">Example Organisation, <em>A made-up report</em>, 2024.' in sources


def test_boxes_render_as_asides_with_a_translated_heading(db, courses):
    load_courses(courses)
    m1 = module(db, "m1-basics")

    assert '<aside class="keypoints">\n<h3>Kernpunten</h3>' in page(db, m1, "nl", 1).html
    assert '<aside class="keypoints">\n<h3>Points clés</h3>' in page(db, m1, "fr", 1).html
    assert '<aside class="keypoints">\n<h3>Key points</h3>' in page(db, m1, "en", 1).html
    assert '<aside class="case">\n<p><strong>At reception.</strong>' in page(db, m1, "en", 2).html


def test_content_notes_are_rendered_to_html(db, courses):
    load_courses(courses)

    note = module(db, "m1-basics").content_note

    assert note["en"] == "<p>This module explains the basics. You can <strong>pause</strong> at any time.</p>\n"
    assert set(note) == {"nl", "fr", "en"}
