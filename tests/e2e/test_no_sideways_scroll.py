"""No page scrolls sideways on a phone or a tablet: wide tables scroll inside their wrapper, lesson tables and long
links in lessons wrap, and the page itself stays as wide as the window. Each page is screenshotted into
/tmp/mobile-shots/ and checked by axe-core at that width (a scrolling table must stay reachable with the keyboard)."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.answers import COURSE, course_modules

SHOTS = Path("/tmp/mobile-shots")
WIDTHS = (320, 390, 768, 1024)
PASSWORD = "demo-password"
EMPLOYER = "employer@example.com"
MEMBER = "mehmet.yilmaz@example.com"  # a demo staff member of Demo Company with a certificate
INVITED = ("Maximiliaan Van der Vleuten-Oosterhuis", "maximiliaan.vandervleuten-oosterhuis@example.com")
WITHDRAWN = ("Anne-Sophie Vanderhaeghen", "anne-sophie.vanderhaeghen@example.com")

# The page's own width, and if it is wider than the window the outermost elements that stick out (to say why).
MEASURE = """() => {
  const width = window.innerWidth, root = document.documentElement;
  const scrolled = e => e.parentElement.closest('.table-scroll') && getComputedStyle(e).position !== 'absolute';
  const out = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !scrolled(e));
  const outer = out.filter(e => !out.includes(e.parentElement)).slice(0, 5);
  const name = e => `${e.tagName.toLowerCase()}.${e.className} right=${e.getBoundingClientRect().right}`;
  return {scrollWidth: root.scrollWidth, innerWidth: width, culprits: outer.map(name)};
}"""


@pytest.fixture
def places(live_app):
    """Return Demo Company's id and the member's membership id, with a pending and a withdrawn invitation."""
    from elearning.accounts.models import JobRole, User
    from elearning.employers import services
    from elearning.employers.models import Assignment, Invitation, Membership, Organisation
    from elearning.extensions import db

    with live_app.app_context():
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Demo Company"))
        employer = db.session.scalar(sa.select(User).where(User.email == EMPLOYER))
        for (name, email), withdraw in ((INVITED, False), (WITHDRAWN, True)):
            if not db.session.scalar(sa.select(Invitation).where(Invitation.email == email)):
                invitation, _token = services.invite(organisation, email=email, full_name=name, language="nl",
                                                     job_role=JobRole.PREVENTION_ADVISER, invited_by=employer)
                if withdraw:
                    services.withdraw(invitation)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                 .where(Assignment.organisation_id == organisation.id)), "no assignment to show"
        membership = db.session.scalar(sa.select(Membership).join(User, User.id == Membership.user_id)
                                       .where(User.email == MEMBER))
        return organisation.id, membership.id


def _log_in(page, email: str) -> None:
    page.goto("/account/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.goto("/?lang=en")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(page, live_app, places, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    org_id, membership_id = places
    m1 = next(module for module in course_modules(live_app.config["COURSES_PATH"]) if module.slug == "m1-understanding")
    sources = len(m1.page_titles("fr"))
    assert m1.page_titles("fr")[sources - 1] == "Sources"
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 844 if width < 700 else 1024})
    problems = []

    def check(name: str, *, table: bool = True) -> None:
        if table:
            expect(page.locator("main table").first).to_be_visible()
        page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)
        measure = page.evaluate(MEASURE)
        if measure["scrollWidth"] > measure["innerWidth"]:
            problems.append(f"{name}: {measure['scrollWidth']} px wide in {measure['innerWidth']}: "
                            + "; ".join(measure["culprits"]))
        bad = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        problems.extend(f"{name}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}" for v in bad)

    # The employer: dashboard, a person, invitations (all of them) and assignments
    _log_in(page, EMPLOYER)
    page.goto(f"/employer/{org_id}/")
    check("employer-dashboard")
    caption = page.locator(".staff-table caption").bounding_box()
    assert caption["x"] >= 0 and caption["x"] + caption["width"] <= width, f"the caption is cut off: {caption}"
    page.goto(f"/employer/{org_id}/people/{membership_id}")
    expect(page.get_by_role("table", name="Certificates")).to_contain_text("RLS-")
    check("employer-person")
    page.goto(f"/employer/{org_id}/invitations?all=1")
    expect(page.get_by_role("table")).to_contain_text(INVITED[1])
    expect(page.get_by_role("table")).to_contain_text(WITHDRAWN[1])
    check("employer-invitations-all")
    if width <= 768:  # the six columns do not fit: the table scrolls in its wrapper, not the page
        assert page.locator(".table-scroll").evaluate("e => e.scrollWidth > e.clientWidth")
    page.goto(f"/employer/{org_id}/assignments")
    expect(page.get_by_role("button", name="Remove").first).to_be_attached()
    check("employer-assignments")
    page.get_by_role("button", name="Log out").click()

    # A member of the organisation: certificates, profile, and lessons with tables and long source links
    _log_in(page, MEMBER)
    page.goto("/certificates/")
    expect(page.get_by_role("table")).to_contain_text("RLS-")
    check("learner-certificates")
    code = page.locator("a.cert-code").first.inner_text()
    page.goto("/account/profile")
    expect(page.get_by_role("heading", name="What your employer can see")).to_be_visible()
    check("learner-profile")
    for language, number in (("fr", 1), ("nl", 1), ("fr", sources), ("en", sources)):
        page.goto(f"/learn/{COURSE}/{m1.slug}/{number}?lang={language}")
        expect(page.locator("#page-title")).to_have_text(m1.page_titles(language)[number - 1])
        check(f"lesson-{m1.slug}-{number}-{language}", table=number == 1)
    page.goto(f"/verify/{code}?lang=en")
    check("certificate-verify")

    assert not problems, "\n".join(problems)
