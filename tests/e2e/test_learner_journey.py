"""The learner's journey through the real course, in a real browser: in French with the mouse, in Dutch with the
keyboard only. Questions are drawn at random; answers.py reads the drawn ones from the form and their answers from
quiz.yaml. Interface strings come from the app's catalogues (ui), course texts from the course files."""

import itertools

import pytest
from playwright.sync_api import expect

from tests.e2e.answers import (
    COURSE,
    answer_quiz,
    answer_quiz_by_keyboard,
    course_modules,
    drawn_slugs,
    focused_matches,
    press_to_leave,
    tab_to,
    tab_to_link,
    ui,
)

MOBILE = {"width": 390, "height": 844}
_emails = itertools.count(1)


@pytest.fixture
def modules(live_app):
    return course_modules(live_app.config["COURSES_PATH"])


def _explanation(module, key, language):
    return " ".join(module.item(key)["explanation"][language].split())


def _assert_new_draw(module, first, second, *, first_attempt=True):
    """A retry draws the questions not seen yet first: after a first attempt, every one the bank has left."""
    assert second - first, "the new attempt shows only questions of the previous one"
    if first_attempt and len(module.bank) <= 2 * module.settings["questions_per_attempt"]:
        assert set(module.bank) - first <= second


def test_demo_learner_reads_a_module_fails_then_passes_its_quiz_in_french(page, check_page, modules):
    fr = "fr"
    m0, m1 = modules[0], modules[1]
    page.goto("/account/login?lang=fr")
    page.locator("#email").fill("learner@example.com")
    page.locator("#password").fill("demo-password")
    page.get_by_role("main").get_by_role("button", name=ui(fr, "Log in")).click()
    page.get_by_role("link", name="Français").click()  # the profile says French (another test may have changed it)
    expect(page.locator("html")).to_have_attribute("lang", fr)

    # My training → the catalogue → the course
    page.get_by_role("navigation", name=ui(fr, "Main")).get_by_role("link", name=ui(fr, "My training")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(fr, "My training"))
    page.get_by_role("link", name=ui(fr, "See all courses")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(fr, "Courses"))
    page.get_by_role("link", name="Violences conjugales et travail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Violences conjugales et travail")
    modules_list = page.locator("ol.module-list > li")
    expect(modules_list).to_have_count(len(modules))
    for item, module in zip(modules_list.all(), modules, strict=True):
        expect(item.get_by_role("heading", level=3)).to_have_text(module.title(fr))
    check_page(page, "learner-01-course-fr")

    # the module and its content note
    page.get_by_role("link", name=m0.title(fr), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(m0.title(fr))
    note = page.get_by_role("region", name=ui(fr, "Before you start"))
    expect(note).to_contain_text(" ".join(m0.settings["content_note"][fr].split())[:60])
    page.get_by_role("link", name=ui(fr, "Start reading")).or_(
        page.get_by_role("link", name=ui(fr, "Start from the beginning"))).click()

    # every lesson page, with next/previous and the page indicator
    titles = m0.page_titles(fr)
    pager = page.get_by_role("navigation", name=ui(fr, "Lesson pages"))
    for number, title in enumerate(titles, start=1):
        expect(page.locator("#page-title")).to_have_text(title)
        expect(page.locator(".page-count")).to_have_text(ui(fr, "Page %(n)d of %(total)d", n=number, total=len(titles)))
        expect(pager.locator("a[aria-current=page]")).to_have_text(f"{ui(fr, 'Page')} {number}")
        expect(pager.get_by_role("link", name=ui(fr, "Previous page"))).to_have_count(0 if number == 1 else 1)
        if number == 2:
            check_page(page, "learner-02-lesson-fr")
            page.set_viewport_size(MOBILE)
            check_page(page, "learner-02-lesson-fr-mobile")
            page.set_viewport_size({"width": 1280, "height": 720})
            pager.get_by_role("link", name=ui(fr, "Previous page")).click()
            expect(page.locator("#page-title")).to_have_text(titles[0])
            pager.get_by_role("link", name=ui(fr, "Next page")).click()
            expect(page.locator("#page-title")).to_have_text(title)
        if number < len(titles):
            pager.get_by_role("link", name=ui(fr, "Next page")).click()
    expect(pager.get_by_role("link", name=ui(fr, "Next page"))).to_have_count(0)
    pager.get_by_role("link", name=ui(fr, "Go to the quiz")).click()

    # the quiz: answered wrongly, it fails and explains
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(fr, "Quiz: %(module)s", module=m0.title(fr)))
    page.get_by_role("main").get_by_role("button", name=ui(fr, "Start the quiz")).or_(
        page.get_by_role("button", name=ui(fr, "Take the quiz again"))).or_(
        page.get_by_role("link", name=ui(fr, "Continue the quiz"))).click()
    first = drawn_slugs(page)
    assert len(first) == m0.settings["questions_per_attempt"]
    check_page(page, "learner-03-quiz-fr")
    keys = answer_quiz(page, m0, right=False)
    page.get_by_role("button", name=ui(fr, "Submit my answers")).click()

    summary = page.locator(".result-summary")
    expect(summary).to_contain_text(ui(fr, "Your score: %(score)d%%", score=0))
    expect(summary).to_contain_text(ui(fr, "You did not pass this time."))
    expect(page.locator(".verdict-wrong")).to_have_count(len(keys) + sum(1 for s in first if "questions" in m0.bank[s]))
    expect(page.locator(".verdict-right")).to_have_count(0)
    for key in keys:
        expect(page.get_by_text(_explanation(m0, key, fr))).to_be_visible()
    check_page(page, "learner-04-result-failed-fr")

    # Try again: a new draw, answered right, passes and leads to the next module
    summary.get_by_role("button", name=ui(fr, "Try again")).click()
    expect(page.get_by_role("button", name=ui(fr, "Submit my answers"))).to_be_visible()
    _assert_new_draw(m0, first, drawn_slugs(page), first_attempt=False)  # the demo learner may have tried before
    answer_quiz(page, m0, right=True)
    page.set_viewport_size(MOBILE)
    check_page(page, "learner-05-quiz-answered-fr-mobile")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("button", name=ui(fr, "Submit my answers")).click()
    expect(summary).to_contain_text(ui(fr, "Your score: %(score)d%%", score=100))
    expect(summary).to_contain_text(ui(fr, "You passed this module."))
    expect(page.locator(".verdict-wrong")).to_have_count(0)
    check_page(page, "learner-06-result-passed-fr")
    summary.get_by_role("link", name=ui(fr, "Next module: %(title)s", title=m1.title(fr))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(m1.title(fr))


def test_new_learner_takes_a_module_with_the_keyboard_only_in_dutch(page, check_page, modules, outbox_link):
    """No click, no fill: Tab and Shift+Tab move the focus, Enter follows, Space presses, arrows pick a radio,
    type-ahead picks a position in a menu."""
    nl = "nl"
    module, after = modules[2], modules[3]
    email = f"toetsenbord{next(_emails)}@example.com"
    keys = page.keyboard

    page.goto("/account/register?lang=nl")
    for selector, text in (("#full_name", "Joke Van den Broeck"), ("#email", email),
                           ("#password", "een lange wachtzin"), ("#confirm", "een lange wachtzin")):
        tab_to(page, selector)
        keys.type(text)
    tab_to(page, "#language")
    keys.type("Nederlands")
    expect(page.locator("#language")).to_have_value(nl)
    tab_to(page, "main button[type=submit]")
    press_to_leave(page)
    expect(page.get_by_role("heading", name=ui(nl, "Check your email"))).to_be_visible()
    page.goto(outbox_link(email))  # the link in the email
    expect(page.locator("html")).to_have_attribute("lang", nl)

    tab_to_link(page, "/learn/")
    press_to_leave(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(nl, "My training"))
    tab_to_link(page, f"/learn/{COURSE}")
    press_to_leave(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnergeweld en werk")
    tab_to_link(page, f"/learn/{COURSE}/{module.slug}")
    press_to_leave(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title(nl))
    expect(page.get_by_role("region", name=ui(nl, "Before you start"))).to_be_visible()
    tab_to_link(page, f"/learn/{COURSE}/{module.slug}/1")
    press_to_leave(page)

    titles = module.page_titles(nl)
    for number, title in enumerate(titles, start=1):
        expect(page.locator("#page-title")).to_have_text(title)
        expect(page.locator(".page-count")).to_have_text(ui(nl, "Page %(n)d of %(total)d", n=number, total=len(titles)))
        if page.locator(".lesson img").count():
            alt = next(a["alt"][nl] for a in module.settings["assets"] if a["file"] == "cycle.nl.svg")
            expect(page.locator(".lesson img")).to_have_attribute("alt", " ".join(alt.split()))
            check_page(page, "learner-07-lesson-image-nl")
        if number == 2:  # back one page: from "Next page", Shift+Tab reaches "Previous page"
            tab_to(page, "a[rel=next]")
            keys.press("Shift+Tab")
            assert focused_matches(page, "a[rel=prev]")
            press_to_leave(page)
            expect(page.locator("#page-title")).to_have_text(titles[0])
            tab_to(page, "a[rel=next]")
            press_to_leave(page)
            expect(page.locator("#page-title")).to_have_text(title)
        if number < len(titles):
            tab_to(page, "a[rel=next]")
            press_to_leave(page)
    tab_to_link(page, f"/quiz/{COURSE}/{module.slug}")
    press_to_leave(page)

    tab_to(page, "main button[type=submit]")
    press_to_leave(page)
    expect(page.get_by_role("button", name=ui(nl, "Submit my answers"))).to_be_visible()
    first = drawn_slugs(page)
    answer_quiz_by_keyboard(page, module, right=False)
    tab_to(page, "form.quiz-form button[type=submit]")
    press_to_leave(page)
    summary = page.locator(".result-summary")
    expect(summary).to_contain_text(ui(nl, "You did not pass this time."))
    check_page(page, "learner-08-result-failed-nl")

    tab_to(page, ".result-summary button[type=submit]")
    expect(page.locator(":focus")).to_have_text(ui(nl, "Try again"))
    press_to_leave(page, "Space")
    expect(page.get_by_role("button", name=ui(nl, "Submit my answers"))).to_be_visible()
    _assert_new_draw(module, first, drawn_slugs(page))
    answer_quiz_by_keyboard(page, module, right=True)
    check_page(page, "learner-09-quiz-answered-nl")
    tab_to(page, "form.quiz-form button[type=submit]")
    press_to_leave(page)
    expect(summary).to_contain_text(ui(nl, "Your score: %(score)d%%", score=100))
    expect(summary).to_contain_text(ui(nl, "You passed this module."))
    tab_to(page, ".result-summary a.button")
    expect(page.locator(":focus")).to_have_text(ui(nl, "Next module: %(title)s", title=after.title(nl)))
    press_to_leave(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(after.title(nl))


def test_moving_back_with_shift_tab_stays_on_the_page(page):
    page.route("https://www.google.com/**", lambda route: route.fulfill(status=200, body="neutral"))
    page.goto("/account/login")
    for _ in range(6):
        page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(300)
    assert "/account/login" in page.url
