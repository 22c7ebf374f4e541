"""A new user registers, activates, logs out and in, and switches language, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.answers import COURSE, course_modules


def test_register_logout_login_and_switch_language(page, check_page, outbox_link):
    page.goto("/")
    check_page(page, "01-landing")
    page.get_by_role("link", name="Create an account").first.click()
    check_page(page, "02-register")
    page.get_by_label("Full name as it should appear on your certificate").fill("Łucja Ørsted-Çelik")
    page.get_by_label("Email address").fill("lucja@example.com")
    page.get_by_label("Password", exact=True).fill("a long passphrase")
    page.get_by_label("Repeat the password").fill("a long passphrase")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Job role").select_option("prevention_adviser")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_page(page, "03-check-email")

    page.goto(outbox_link("lucja@example.com"))
    expect(page.get_by_text("Your account is active")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()

    page.get_by_role("link", name="Log in").first.click()
    check_page(page, "04-login")
    page.get_by_label("Email address").fill("lucja@example.com")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    check_page(page, "05-home-nl")
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_page(page, "06-home-fr")


def test_wrong_password_shows_error_beside_the_field(page, check_page):
    page.goto("/account/login")
    page.get_by_label("Email address").fill("learner@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("The email address or password is not right.")).to_be_visible()
    check_page(page, "07-login-error")


def test_demo_learner_logs_in_in_three_languages(page):
    """The demo learner's profile says French; each login page language and the switcher work."""
    for language, login_button, language_link, logout_button in (
            ("nl", "Aanmelden", "Nederlands", "Afmelden"),
            ("fr", "Se connecter", "Français", "Se déconnecter"),
            ("en", "Log in", "English", "Log out")):
        page.goto(f"/account/login?lang={language}")
        page.locator("#email").fill("learner@example.com")
        page.locator("#password").fill("demo-password")
        page.get_by_role("main").get_by_role("button", name=login_button).click()
        page.get_by_role("link", name=language_link).click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_role("button", name=logout_button).click()
        expect(page.get_by_role("link", name=login_button).first).to_be_visible()


def test_quick_exit_replaces_the_page_and_shift_three_times_leaves(page, live_server):
    page.route(re.compile(r"https://www\.google\.com/.*"),
               lambda route: route.fulfill(status=200, body="<title>Weather</title>neutral", content_type="text/html"))
    page.goto("/")
    page.goto("/account/login")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(re.compile(r"google"))
    page.go_back()
    assert "/account/login" not in page.url  # replaced, so Back does not return to the login page


def _session_cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "session"), None)


@pytest.mark.parametrize("how", ["button", "shift"])
def test_quick_exit_logs_out_so_back_shows_the_login_page_not_the_lesson(page, live_app, how):
    """Back after a quick exit re-requests the earlier lesson page (no-store) and, logged out, gets the login page."""
    page.route(re.compile(r"https://www\.google\.com/.*"),
               lambda route: route.fulfill(status=200, body="<title>Weather</title>neutral", content_type="text/html"))
    module = course_modules(live_app.config["COURSES_PATH"])[0]
    titles = module.page_titles("en")
    page.goto("/account/login?lang=en")
    page.locator("#email").fill("learner@example.com")
    page.locator("#password").fill("demo-password")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.locator("form[action$='/account/logout']")).to_be_visible()  # in the profile's language

    page.goto(f"/learn/{COURSE}/{module.slug}/1?lang=en")
    expect(page.locator("#page-title")).to_have_text(titles[0])
    page.get_by_role("navigation", name="Lesson pages").get_by_role("link", name="Next page").click()
    expect(page.locator("#page-title")).to_have_text(titles[1])
    page.wait_for_load_state()  # the deferred quick-exit script must listen before Shift is pressed (CI was faster)

    session = _session_cookie(page)
    with page.expect_request(lambda request: request.url.endswith("/account/logout")) as logout:
        if how == "button":
            page.get_by_role("link", name=re.compile("Leave this site quickly")).click()
        else:
            for _ in range(3):
                page.keyboard.press("Shift")
    page.wait_for_url(re.compile(r"google"))
    assert logout.value.method == "POST"
    # The beacon outlives the page, so Playwright reports it aborted; its answer still replaces the session cookie.
    for _ in range(100):
        if _session_cookie(page) != session:
            break
        page.wait_for_timeout(100)
    assert _session_cookie(page) != session, "the quick exit did not end the session"

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert "/account/login" in page.url
    expect(page.locator("#page-title")).to_have_count(0)
    expect(page.get_by_text(titles[0], exact=True)).to_have_count(0)
    page.goto(f"/learn/{COURSE}/{module.slug}/2")
    assert "/account/login" in page.url  # the session is over, not just hidden
