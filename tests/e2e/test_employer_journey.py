"""The employer's journey in a real browser: the demo employer assigns a requirement, invites a person from a CSV
file, that person accepts and passes the modules, and the dashboard shows them done; axe-core on every page."""

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.answers import COURSE, answer_quiz, course_modules

CSV = "name;email;job role;language\r\nInès Vermeulen;ines.vermeulen@example.com;Manager;en\r\n"
PASSWORD = "a long passphrase"
DEMO_PASSWORD = "demo-password"


def _awareness_modules(live_app) -> tuple[str, list[str]]:
    """Return the awareness requirement's English title and module slugs, loading the requirements if needed."""
    from pathlib import Path

    from elearning.certificates.models import Requirement
    from elearning.certificates.services import load_requirements
    from elearning.extensions import db

    with live_app.app_context():
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Requirement)):
            courses = Path(live_app.config["COURSES_PATH"])
            load_requirements(courses / "requirements.yaml", courses)
            db.session.commit()
        requirement = db.session.scalar(sa.select(Requirement).where(Requirement.for_all_roles.is_(True)))
        return requirement.title["en"], [ref.split("/", 1)[1] for ref in requirement.modules]


def _log_in(page, email: str, password: str | None = None) -> None:
    page.goto("/account/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password or DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.goto("/?lang=en")  # the interface in English, whatever the profile said


def _log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_employer_invites_from_a_file_and_sees_the_person_done(page, check_page, live_app, outbox_link):
    title, slugs = _awareness_modules(live_app)
    modules = {module.slug: module for module in course_modules(live_app.config["COURSES_PATH"])}

    # The demo employer opens the dashboard from the navigation
    _log_in(page, "employer@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My organisation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Company")
    check_page(page, "employer-01-dashboard")

    # Everyone with the job role "Manager" must take the awareness training
    page.get_by_role("navigation", name="Organisation").get_by_role("link", name="Assignments").click()
    page.get_by_label("Requirement", exact=True).select_option(label=title)
    page.get_by_label("Everyone with a job role").check()
    page.get_by_label("Job role", exact=True).select_option("manager")
    page.get_by_label("Due date (optional)").fill("2031-06-30")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("The requirement has been assigned.")).to_be_visible()
    check_page(page, "employer-02-assignments")

    # Invite from a CSV file: a preview first, then one click invites everyone
    page.get_by_role("navigation", name="Organisation").get_by_role("link", name="Invitations").click()
    check_page(page, "employer-03-invitations")
    page.get_by_label("Staff list (CSV or Excel .xlsx)").set_input_files(
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is ready: 1 person will be invited.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("ines.vermeulen@example.com")
    check_page(page, "employer-04-import-preview")
    page.get_by_role("button", name="Invite 1 person").click()
    expect(page.get_by_text("1 invitation sent.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("ines.vermeulen@example.com")
    _log_out(page)

    # The person accepts: the form is prefilled, no activation email is needed
    page.goto(outbox_link("ines.vermeulen@example.com"))
    expect(page.get_by_label("Full name as it should appear on your certificate")).to_have_value("Inès Vermeulen")
    check_page(page, "employer-05-accept")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_text("Welcome to Relais. You have joined Demo Company.")).to_be_visible()

    # ... and passes each module of the requirement
    for slug in slugs:
        page.goto(f"/quiz/{COURSE}/{slug}")
        page.get_by_role("main").get_by_role("button", name="Start the quiz").click()
        answer_quiz(page, modules[slug], right=True)
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.locator(".result-summary")).to_contain_text("You passed this module.")
    page.goto("/account/profile")
    expect(page.get_by_role("heading", name="What your employer can see")).to_be_visible()
    check_page(page, "employer-06-profile-what-your-employer-sees")
    _log_out(page)

    # The employer sees them done, with their certificate
    _log_in(page, "employer@example.com")
    page.goto("/employer/")
    page.get_by_label("Name").fill("Inès")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name="Inès Vermeulen")
    expect(row).to_contain_text("Done")
    expect(row.get_by_role("link", name="Certificate RLS-")).to_be_visible()
    check_page(page, "employer-07-dashboard-done")
    row.get_by_role("link", name="Inès Vermeulen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inès Vermeulen")
    check_page(page, "employer-08-person")


def test_platform_administration_pages(page, check_page):
    _log_in(page, "admin@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    expect(page.get_by_role("table")).to_contain_text("Demo Company")
    check_page(page, "admin-01-organisations")
    page.get_by_role("link", name="New organisation").click()
    check_page(page, "admin-02-new-organisation")
    page.get_by_label("Organisation name").fill("Journey Test Org")
    page.get_by_label("Employer administrator's full name").fill("Jo Tester")
    page.get_by_label("Employer administrator's email address").fill("jo@journey.example")
    page.get_by_role("button", name="Create and send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey Test Org")
    check_page(page, "admin-03-organisation")
