"""The learner's pages: my training, catalog, course, module, lessons and lesson images."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from elearning.learn.models import ModuleProgress
from tests.learn.support import modules_of


def _progress(db):
    return db.session.scalars(sa.select(ModuleProgress)).all()


@pytest.mark.parametrize("path", ["/learn/", "/learn/courses", "/learn/demo-course", "/learn/demo-course/m1",
                                  "/learn/demo-course/m1/1", "/learn/assets/1/figure.svg"])
def test_pages_need_login(client, course_factory, path):
    course_factory()
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_catalog_lists_current_courses(logged_in, course_factory):
    course_factory("first-course", modules=3)
    response = logged_in.get("/learn/courses")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Course first-course (en)" in page and "About this course (en)" in page
    assert "About 90 minutes" in page
    assert '<progress id="progress-first-course" max="3" value="0">' in page
    assert 'href="/learn/first-course"' in page


def test_nav_links_to_my_training_and_catalog(logged_in):
    page = logged_in.get("/learn/").get_data(as_text=True)
    assert 'href="/learn/" aria-current="page"' in page
    assert 'href="/learn/courses"' in page
    assert "You have not started a course yet." in page


def test_course_page_shows_modules_status_and_start_link(logged_in, course_factory):
    course_factory()
    page = logged_in.get("/learn/demo-course").get_data(as_text=True)
    assert page.count('class="module-item"') == 2
    assert page.count("Not started") == 2
    assert "Start the course" in page and 'href="/learn/demo-course/m1"' in page
    assert logged_in.get("/learn/unknown-course").status_code == 404


def test_module_page_shows_content_note_and_start_reading(logged_in, course_factory):
    course_factory()
    page = logged_in.get("/learn/demo-course/m1").get_data(as_text=True)
    assert "<p>Content note 1 (en)</p>" in page
    assert 'href="/learn/demo-course/m1/1">Start reading' in page
    assert logged_in.get("/learn/demo-course/m9").status_code == 404


def test_lesson_page_navigation_and_indicator(logged_in, course_factory):
    course_factory(pages=3)
    page = logged_in.get("/learn/demo-course/m1/2").get_data(as_text=True)
    assert "Lesson m1 page 2 in en" in page and "Page 2 en" in page
    assert "Page 2 of 3" in page
    assert 'href="/learn/demo-course/m1/2" aria-current="page"' in page
    assert 'rel="prev" href="/learn/demo-course/m1/1"' in page
    assert 'rel="next" href="/learn/demo-course/m1/3"' in page
    last = logged_in.get("/learn/demo-course/m1/3").get_data(as_text=True)
    assert 'href="/quiz/demo-course/m1">Go to the quiz' in last
    assert 'rel="next"' not in last
    for missing in ("/learn/demo-course/m1/0", "/learn/demo-course/m1/4"):
        assert logged_in.get(missing).status_code == 404


def test_lesson_in_the_learners_language(client, auth, create_user, course_factory):
    course_factory()
    auth.login(create_user(email="fr@example.com", language="fr").email)
    page = client.get("/learn/demo-course/m1/1").get_data(as_text=True)
    assert "Lesson m1 page 1 in fr" in page and 'lang="fr"' in page
    assert "Module 1 (fr)" in page


def test_viewing_pages_records_progress(db, logged_in, learner, course_factory):
    course_factory(pages=3)
    logged_in.get("/learn/demo-course/m1/1")
    logged_in.get("/learn/demo-course/m1/2")
    (progress,) = _progress(db)
    assert (progress.user_id, progress.module_slug, progress.last_page) == (learner.id, "m1", 2)
    assert progress.reading_completed_at is None
    course = logged_in.get("/learn/demo-course").get_data(as_text=True)
    assert "In progress" in course and 'href="/learn/demo-course/m1/2">Resume' in course
    module = logged_in.get("/learn/demo-course/m1").get_data(as_text=True)
    assert "Continue reading (page 2)" in module
    logged_in.get("/learn/demo-course/m1/3")
    db.session.expire_all()
    assert _progress(db)[0].reading_completed_at is not None
    course = logged_in.get("/learn/demo-course").get_data(as_text=True)
    assert 'href="/quiz/demo-course/m1">Resume' in course
    training = logged_in.get("/learn/").get_data(as_text=True)
    assert 'href="/quiz/demo-course/m1">Resume' in training


def test_progress_survives_a_new_version(db, logged_in, course_factory):
    course = course_factory(pages=3)
    logged_in.get("/learn/demo-course/m1/2")
    course_factory(course=course, pages=4)
    page = logged_in.get("/learn/demo-course").get_data(as_text=True)
    assert 'href="/learn/demo-course/m1/2">Resume' in page
    logged_in.get("/learn/demo-course/m1/3")
    assert len(_progress(db)) == 1 and _progress(db)[0].last_page == 3


def test_a_new_version_shows_at_once(logged_in, create_user, client, auth, course_factory):
    course = course_factory(pages=3)
    assert "Page 2 of 3" in logged_in.get("/learn/demo-course/m1/2").get_data(as_text=True)
    course_factory(course=course, pages=4)  # the body of page 2 in version 1 stays in memory, keyed by version
    assert "Page 2 of 4" in logged_in.get("/learn/demo-course/m1/2").get_data(as_text=True)


def test_lesson_body_in_each_language(client, auth, create_user, course_factory):
    course_factory()
    auth.login(create_user(email="nl@example.com", language="nl").email)
    assert "Lesson m1 page 1 in nl" in client.get("/learn/demo-course/m1/1").get_data(as_text=True)
    g.pop("_flask_babel", None)  # the tests' requests share one app context, where Flask-Babel keeps the locale
    french = client.get("/learn/demo-course/m1/1?lang=fr").get_data(as_text=True)
    assert "Lesson m1 page 1 in fr" in french and "Module 1 (fr)" in french and "Lesson m1 page 1 in nl" not in french


def test_going_back_keeps_the_furthest_page(db, logged_in, course_factory):
    course_factory(pages=3)
    for page in (1, 2, 3, 1):
        logged_in.get(f"/learn/demo-course/m1/{page}")
    (progress,) = _progress(db)
    assert progress.last_page == 3 and progress.reading_completed_at is not None


def test_rereading_later_counts_as_activity(db, logged_in, course_factory):
    from elearning.learn.services import ACTIVITY_RESOLUTION

    course_factory(pages=3)
    logged_in.get("/learn/demo-course/m1/2")
    (progress,) = _progress(db)
    long_ago = progress.updated_at - ACTIVITY_RESOLUTION - timedelta(minutes=1)
    db.session.execute(sa.update(ModuleProgress).values(updated_at=long_ago))
    db.session.commit()
    logged_in.get("/learn/demo-course/m1/1")  # the employer dashboard reads updated_at as the last activity
    db.session.expire_all()
    (progress,) = _progress(db)
    assert progress.updated_at > long_ago + ACTIVITY_RESOLUTION and progress.last_page == 2


def test_asset_is_served_with_long_cache_and_svg_policy(logged_in, course_factory):
    module = modules_of(course_factory())[0]
    response = logged_in.get(f"/learn/assets/{module.id}/figure.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    again = logged_in.get(f"/learn/assets/{module.id}/figure.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/learn/assets/{id}/missing.svg", "/learn/assets/999/figure.svg"])
def test_unknown_asset_is_404(logged_in, course_factory, path):
    module = modules_of(course_factory())[0]
    assert logged_in.get(path.format(id=module.id)).status_code == 404


def test_other_pages_stay_uncached(logged_in, course_factory):
    course_factory()
    assert logged_in.get("/learn/demo-course/m1/1").headers["Cache-Control"] == "no-store"


def test_demo_course_journey_pages_render(logged_in, demo_course):
    """The course of every question type (from the loader once it exists) renders its pages."""
    overview = logged_in.get(f"/learn/{demo_course.slug}")
    assert overview.status_code == 200
    for module in modules_of(demo_course):
        assert logged_in.get(f"/learn/{demo_course.slug}/{module.slug}").status_code == 200
        for page in range(1, module.page_count + 1):
            assert logged_in.get(f"/learn/{demo_course.slug}/{module.slug}/{page}").status_code == 200


def test_a_passed_module_offers_to_read_it_again_not_to_continue(db, logged_in, course_factory):
    from elearning.accounts.models import utcnow

    course_factory(pages=3)
    for page in (1, 2, 3):
        logged_in.get(f"/learn/demo-course/m1/{page}")
    (progress,) = _progress(db)
    progress.passed_at = utcnow()
    db.session.commit()
    module = logged_in.get("/learn/demo-course/m1").get_data(as_text=True)
    assert 'href="/learn/demo-course/m1/1">Read the module again' in module and "Continue reading" not in module
