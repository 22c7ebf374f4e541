"""Every employer and administration page renders in each language, with the accessibility basics."""

import io

import pytest
import sqlalchemy as sa
from flask_babel import refresh


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_pages_render_in_every_language(db, as_user, admin_a, org_a, staff, platform_admin, language):
    client = as_user(admin_a)
    member = staff["ivo"].memberships[0].id
    pages = [f"/employer/{org_a.id}/", f"/employer/{org_a.id}/people/{member}", f"/employer/{org_a.id}/invitations",
             f"/employer/{org_a.id}/assignments", "/account/profile", "/account/delete"]
    for path in pages:
        refresh()
        response = client.get(f"{path}?lang={language}")
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in body, path
        assert " style=" not in body and "<script>" not in body, path
    refresh()
    preview = client.post(f"/employer/{org_a.id}/invitations/import?lang={language}",
                          content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"name,email,job role\r\n,bad,x\r\n"), "s.csv")})
    assert preview.status_code == 400 and 'scope="col"' in preview.get_data(as_text=True)
    client = as_user(platform_admin)
    for path in ("/admin/", "/admin/organisations/new", f"/admin/organisations/{org_a.id}"):
        refresh()
        assert client.get(f"{path}?lang={language}").status_code == 200, path


def test_every_form_field_has_a_label(as_user, admin_a, org_a, staff):
    import re

    client = as_user(admin_a)
    for path in (f"/employer/{org_a.id}/", f"/employer/{org_a.id}/invitations", f"/employer/{org_a.id}/assignments",
                 f"/employer/{org_a.id}/people/{staff['ivo'].memberships[0].id}"):
        body = client.get(path).get_data(as_text=True)
        for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', body):
            if field_id == "csrf_token":
                continue
            assert f'for="{field_id}"' in body or re.search(rf'<label[^>]*>\s*<input[^>]*id="{field_id}"', body), \
                f"{path}: #{field_id} has no label"


def test_a_due_date_in_the_past_is_refused_beside_the_field(db, as_user, admin_a, org_a, requirements):
    from datetime import timedelta

    from elearning.dates import local_today
    from elearning.employers.models import Assignment

    client = as_user(admin_a)
    data = {"requirement_id": requirements["demo-full"].id, "target": "role", "job_role": "manager"}
    past = client.post(f"/employer/{org_a.id}/assignments",
                       data={**data, "due_on": (local_today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and "This date is in the past" in past.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    today = client.post(f"/employer/{org_a.id}/assignments", data={**data, "due_on": local_today().isoformat()})
    assert today.status_code == 302
