"""The dashboard: every state on the page, filters, counts, the contact-person panel, a fixed query count."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from elearning.accounts.models import utcnow
from elearning.dates import local_today
from elearning.employers import dashboard, services
from elearning.employers.models import Membership
from elearning.employers.status import State
from tests.conftest import count_queries
from tests.employers.conftest import BASICS, CONFIRMED, bulk_staff


def states(board):
    return {row.full_name: {rid: s.state for rid, s in row.statuses.items()} for row in board.all_rows}


def test_every_state_is_computed(db, org_a, staff, requirements):
    board = dashboard.build(org_a.id)
    full = requirements["demo-full"].id
    assert {name: s.get(full) for name, s in states(board).items()} == {
        "Nadia": State.NOT_STARTED, "Ivo": State.IN_PROGRESS, "Dora": State.DONE, "Emma": State.EXPIRING,
        "Xavier": State.EXPIRED, "Olga": State.OVERDUE, "Carla": State.DONE, "Hanne Roels": State.NOT_STARTED,
        "Max": None}
    ivo = next(row for row in board.all_rows if row.full_name == "Ivo")
    assert (ivo.statuses[full].progress.passed, ivo.statuses[full].progress.total) == (1, 2)
    assert board.counts[State.DONE] == 2 and board.counts[State.NOT_STARTED] == 2
    assert board.staff_count == 9 and [r.slug for r in board.requirements] == ["demo-full"]


def test_a_revoked_certificate_does_not_count(db, org_a, staff, issue_certificate, requirements):
    issue_certificate(staff["nadia"], "demo-full", revoked=True)
    assert states(dashboard.build(org_a.id))["Nadia"][requirements["demo-full"].id] == State.NOT_STARTED


def test_passes_before_an_expired_certificate_do_not_count_again(db, org_a, staff, pass_module, requirements):
    pass_module(staff["xavier"], BASICS, utcnow() - timedelta(days=801))
    board = dashboard.build(org_a.id)
    xavier = next(row for row in board.all_rows if row.full_name == "Xavier")
    assert xavier.statuses[requirements["demo-full"].id].progress.passed == 0
    pass_module(staff["xavier"], BASICS)
    xavier = next(row for row in dashboard.build(org_a.id).all_rows if row.full_name == "Xavier")
    assert xavier.statuses[requirements["demo-full"].id].progress.passed == 1


def test_the_page_shows_states_counts_and_links(as_user, admin_a, org_a, staff):
    page = as_user(admin_a).get(f"/employer/{org_a.id}/").get_data(as_text=True)
    for text in ("Not started", "In progress", "1 of 2 modules", "Done", "Expiring soon", "Expired", "Overdue",
                 "Not assigned", "Carla", "Trained", "<caption>", 'scope="col"', 'scope="row"'):
        assert text in page, text
    assert f"/employer/{org_a.id}/people/" in page and "/verify/RLS-" in page


def test_french_counts_agree_with_the_number(as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    refresh()  # the test's app context outlives requests, and Flask-Babel caches the locale on it
    page = client.get(f"/employer/{org_a.id}/?lang=fr").get_data(as_text=True)
    assert "1 module sur 2" in page and "0 module sur 2" in page
    assert "1 modules" not in page and "0 modules" not in page
    assert "Carla</a>\u00a0:" in page  # the contact persons panel: French puts a no-break space before the colon
    overdue = client.get(f"/employer/{org_a.id}/?lang=fr&status=overdue").get_data(as_text=True)
    assert "1 personne sur 9" in overdue  # only Olga


@pytest.mark.parametrize("query, shown, hidden", [
    ("status=overdue", ["Olga"], ["Ivo", "Dora"]),
    ("status=expiring", ["Emma"], ["Olga", "Dora"]),
    ("role=contact_person", ["Carla"], ["Olga", "Max"]),
    ("q=DOR", ["Dora"], ["Olga"]),
    ("q=dora&status=overdue", [], ["Dora", "Olga"]),
])
def test_filters(as_user, admin_a, org_a, staff, query, shown, hidden):
    page = as_user(admin_a).get(f"/employer/{org_a.id}/?{query}").get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    assert all(f">{name}</a>" in table for name in shown)
    assert not any(f">{name}</a>" in table for name in hidden)


def test_a_bad_filter_value_is_ignored(as_user, admin_a, org_a, staff):
    response = as_user(admin_a).get(f"/employer/{org_a.id}/?status=astronaut")
    assert response.status_code == 200 and b">Olga</a>" in response.data


def test_contact_person_panel(db, as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    assert b"valid until" in client.get(f"/employer/{org_a.id}/").data
    db.session.execute(sa.update(Membership).values(is_contact_person=False))
    db.session.commit()
    assert b"No contact person is designated yet" in client.get(f"/employer/{org_a.id}/").data
    db.session.execute(sa.update(Membership).where(Membership.user_id == staff["nadia"].id)
                       .values(is_contact_person=True))
    db.session.commit()
    assert b"No designated contact person holds a valid certificate yet" in client.get(f"/employer/{org_a.id}/").data


def test_navigation_link_opens_the_first_administered_organisation(as_user, admin_a, org_a):
    client = as_user(admin_a)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/employer/"' in page
    assert b"Acme Brussels" in client.get("/employer/").data


def test_person_page_shows_dates_and_scores_but_no_answers(as_user, admin_a, org_a, staff, pass_module):
    pass_module(staff["ivo"], BASICS, score=87)
    membership_id = next(m.id for m in staff["ivo"].memberships)
    page = as_user(admin_a).get(f"/employer/{org_a.id}/people/{membership_id}").get_data(as_text=True)
    assert "<td>90%</td>" in page and "87%" not in page  # the best score
    assert "not passed" in page and "picked" not in page


def test_change_role_contact_person_and_remove(db, as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    membership = next(m for m in staff["nadia"].memberships)
    response = client.post(f"/employer/{org_a.id}/people/{membership.id}",
                           data={"job_role": "contact_person", "is_contact_person": "y"})
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.job_role == "contact_person" and membership.is_contact_person
    assert client.post(f"/employer/{org_a.id}/people/{membership.id}/remove", data=CONFIRMED).status_code == 302
    assert db.session.get(Membership, membership.id) is None


def test_the_last_administrator_cannot_be_removed_or_demoted(db, as_user, admin_a, org_a):
    client = as_user(admin_a)
    membership = admin_a.memberships[0]
    client.post(f"/employer/{org_a.id}/people/{membership.id}", data={"job_role": "hr_manager"})
    client.post(f"/employer/{org_a.id}/people/{membership.id}/remove", data=CONFIRMED)
    db.session.refresh(membership)
    assert membership.is_employer_admin


def _seed_activity(org, admin, requirements, user_ids, pass_module, issue_certificate):
    """Assign both requirements and give a few people passes and certificates."""
    from elearning.accounts.models import User

    for slug in ("demo-full", "demo-basics"):
        services.assign(org, requirements[slug].id, job_role="hr_manager", due_on=local_today(), created_by=admin)
    for user_id in user_ids[:3]:
        user = dashboard.db.session.get(User, user_id)
        pass_module(user, BASICS)
        issue_certificate(user, "demo-basics")


def _dashboard_queries(client, org) -> tuple[int, float, int]:
    with count_queries() as statements:
        started = time.perf_counter()
        response = client.get(f"/employer/{org.id}/")
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return len(statements), elapsed, len(response.data)


@pytest.mark.slow
def test_query_count_does_not_grow_with_staff(db, as_user, admin_a, org_a, org_b, admin_b, requirements,
                                              pass_module, issue_certificate, create_organisation):
    small = bulk_staff(org_a, 50, prefix="small")
    _seed_activity(org_a, admin_a, requirements, small, pass_module, issue_certificate)
    large = bulk_staff(org_b, 5000, prefix="large")
    _seed_activity(org_b, admin_b, requirements, large, pass_module, issue_certificate)
    db.session.commit()
    small_count, _, _ = _dashboard_queries(as_user(admin_a), org_a)
    large_count, elapsed, size = _dashboard_queries(as_user(admin_b), org_b)
    assert small_count == large_count
    assert small_count <= 10  # session user (and navigation), organisation, 7 for the dashboard page, organisations
    client = as_user(admin_b)
    for kind in ("csv", "xlsx"):
        with count_queries() as statements:
            assert client.get(f"/employer/{org_b.id}/export.{kind}").status_code == 200
        assert len(statements) <= 6  # session user, organisation, 4 for the whole list
    page = client.get(f"/employer/{org_b.id}/?page=20").get_data(as_text=True)
    pager = page[page.index('class="pager"'):page.index("</nav>", page.index('class="pager"'))]
    assert pager.count("<a ") == 7 and 'aria-current="page">20<' in pager  # 1, 18-22, 51: not 51 links
    print(f"\ndashboard: {large_count} queries at 50 and at 5,000 staff; "
          f"5,000 staff rendered in {elapsed * 1000:.0f} ms ({size // 1024} KB, first page of 100 rows)")


@pytest.mark.parametrize("page, pages, shown", [
    (1, 1, [1]),
    (1, 5, [1, 2, 3, None, 5]),
    (3, 5, [1, 2, 3, 4, 5]),
    (20, 50, [1, None, 18, 19, 20, 21, 22, None, 50]),
    (50, 50, [1, None, 48, 49, 50]),
])
def test_the_pager_links_a_window_of_pages(page, pages, shown):
    from elearning.employers.views import page_window

    assert page_window(page, pages) == shown


def test_pausing_the_collector_restores_it_even_when_nested_or_off(monkeypatch):
    import gc

    from elearning.employers.gcpause import collector_paused

    seen = []
    inner = collector_paused(lambda: seen.append(gc.isenabled()))
    outer = collector_paused(lambda: (inner(), seen.append(gc.isenabled())))
    was = gc.isenabled()
    try:
        gc.enable()
        outer()
        assert seen == [False, False] and gc.isenabled()
        gc.disable()
        inner()
        assert not gc.isenabled()  # someone else turned it off: left off
        gc.enable()
        with pytest.raises(ZeroDivisionError):
            collector_paused(lambda: 1 / 0)()
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_the_dashboard_links_each_person_and_certificate(as_user, admin_a, org_a, staff):
    page = as_user(admin_a).get(f"/employer/{org_a.id}/").get_data(as_text=True)
    for user in (staff["dora"], staff["carla"]):
        membership_id = next(m.id for m in user.memberships)
        assert page.count(f'href="/employer/{org_a.id}/people/{membership_id}"') >= 1
    from elearning.certificates.models import Certificate

    code = dashboard.db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == staff["dora"].id))
    assert f'href="/verify/{code}"' in page


def test_the_latest_of_several_certificates_is_shown(db, org_a, staff, issue_certificate, requirements):
    now = utcnow()
    older = issue_certificate(staff["nadia"], "demo-full", now - timedelta(days=20))
    newer = issue_certificate(staff["nadia"], "demo-full", now - timedelta(days=5))
    issue_certificate(staff["nadia"], "demo-full", now - timedelta(days=1), revoked=True)
    same_moment = issue_certificate(staff["ivo"], "demo-full", older.issued_at)
    twin = issue_certificate(staff["ivo"], "demo-full", older.issued_at)  # same moment: the later row wins
    _, latest = dashboard.standings(dashboard.member_ids(org_a.id, None), list(requirements.values()), utcnow())
    full = requirements["demo-full"].id
    assert latest[(staff["nadia"].id, full)].code == newer.code
    assert latest[(staff["ivo"].id, full)].code == twin.code != same_moment.code


def test_one_staff_member_is_singular_and_the_counts_say_they_count_people(as_user, admin_b, org_b):
    page = as_user(admin_b).get(f"/employer/{org_b.id}/").get_data(as_text=True)
    assert '<span class="count">1</span> staff member</li>' in page
    assert "People per status" in page


def test_removing_a_person_asks_first_and_changes_nothing_until_confirmed(db, as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    membership = next(m for m in staff["nadia"].memberships)
    url = f"/employer/{org_a.id}/people/{membership.id}/remove"
    asked = client.post(url)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Remove Nadia from Acme Brussels?" in page
    assert 'name="confirmed" value="yes"' in page and f'action="{url}"' in page
    assert db.session.get(Membership, membership.id) is not None  # nothing changed yet
    assert client.post(url, data=CONFIRMED).status_code == 302
    assert db.session.get(Membership, membership.id) is None


def test_taking_an_assignment_back_asks_first(db, as_user, admin_a, org_a, staff, requirements):
    from elearning.employers.models import Assignment

    client = as_user(admin_a)
    assignment = db.session.scalars(sa.select(Assignment).where(Assignment.job_role == "hr_manager")).first()
    url = f"/employer/{org_a.id}/assignments/{assignment.id}/delete"
    page = client.post(url).get_data(as_text=True)
    assert "everyone with the job role: HR manager" in page and db.session.get(Assignment, assignment.id)
    assert client.post(url, data=CONFIRMED).status_code == 302
    assert db.session.get(Assignment, assignment.id) is None


def test_the_list_of_contact_persons_is_one_click_away(as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    page = client.get(f"/employer/{org_a.id}/?contacts=y").get_data(as_text=True)
    assert "Carla" in page and "Nadia" not in page.split("<table", 1)[1]  # only the contact persons are listed
    (box,) = [tag for tag in re.findall(r"<input[^>]*>", page) if 'name="contacts"' in tag]
    assert "checked" in box


def test_an_untrained_contact_person_leads_to_the_assignments(db, as_user, admin_a, org_a, staff):
    client = as_user(admin_a)
    assert "needs the training assigned" not in client.get(f"/employer/{org_a.id}/").get_data(as_text=True)
    db.session.execute(sa.update(Membership).where(Membership.user_id == staff["nadia"].id)
                       .values(is_contact_person=True))  # not trained
    db.session.commit()
    page = client.get(f"/employer/{org_a.id}/").get_data(as_text=True)
    assert "needs the training assigned" in page and f'href="/employer/{org_a.id}/assignments"' in page
