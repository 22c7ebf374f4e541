"""Every module of the real course can be passed in a real browser: a learner answers each drawn question right.

One registered learner takes all six quizzes (the modules do not depend on each other), in Dutch, French and
English in turn. The lessons are not read here: test_learner_journey.py walks through them.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.answers import COURSE, answer_quiz, course_modules, drawn_slugs, ui

REAL_COURSE = course_modules(Path(__file__).resolve().parents[2] / "courses")
LANGUAGES = ("nl", "fr", "en")


@pytest.fixture(scope="module")
def learner(browser, live_server, live_app):
    """Return a browser context in which a newly registered learner is logged in."""
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    email = "every-module@example.com"
    page.goto("/account/register")
    page.locator("#full_name").fill("Noor El Idrissi-Wauters")
    page.locator("#email").fill(email)
    page.locator("#password").fill("a long passphrase")
    page.locator("#confirm").fill("a long passphrase")
    page.locator("#language").select_option("nl")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", name=ui("en", "Check your email"))).to_be_visible()
    body = next(m.body for m in reversed(live_app.extensions["mail_outbox"]) if m.to == email)
    page.goto("/" + re.search(r"https?://\S+", body).group(0).split("/", 3)[3])
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.close()
    yield context
    context.close()


@pytest.mark.parametrize("index", range(len(REAL_COURSE)), ids=[m.slug for m in REAL_COURSE])
def test_a_learner_passes_the_module_quiz(learner, live_app, index):
    modules = course_modules(live_app.config["COURSES_PATH"])
    module, language = modules[index], LANGUAGES[index % len(LANGUAGES)]
    page = learner.new_page()
    page.goto(f"/quiz/{COURSE}/{module.slug}?lang={language}")
    title = ui(language, "Quiz: %(module)s", module=module.title(language))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("main").get_by_role("button", name=ui(language, "Start the quiz")).click()

    assert len(drawn_slugs(page)) == module.settings["questions_per_attempt"]
    answer_quiz(page, module, right=True)
    page.get_by_role("button", name=ui(language, "Submit my answers")).click()

    summary = page.locator(".result-summary")
    expect(summary).to_contain_text(ui(language, "Your score: %(score)d%%", score=100))
    expect(summary).to_contain_text(ui(language, "You passed this module."))
    expect(page.locator(".verdict-wrong")).to_have_count(0)
    if index + 1 < len(modules):
        expect(summary.get_by_role("link", name=ui(language, "Next module: %(title)s",
                                                     title=modules[index + 1].title(language)))).to_be_visible()
    else:
        expect(summary.get_by_role("link", name=ui(language, "Back to the course"))).to_be_visible()
    page.close()
