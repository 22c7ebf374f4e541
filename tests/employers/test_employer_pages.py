"""Every employer and administration page renders in each language, with the accessibility basics."""

import io

import pytest
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
