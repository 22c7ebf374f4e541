"""The verification page writes the upload form's CSRF token itself; an upload with that token is checked."""

import io
import re

import pytest
import sqlalchemy as sa

from elearning.certificates.models import CertificatePdf


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_the_verify_pages_token_is_accepted(client, db, certified):
    user, certificate = certified(language="en")
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    upload_form = r'<form method="post" enctype="multipart/form-data"[^>]*>\s*'
    token = re.search(upload_form + r'<input type="hidden" name="csrf_token" value="([^"]+)">', page).group(1)
    pdf = db.session.scalars(sa.select(CertificatePdf).filter_by(language="fr")).one().data
    response = client.post(f"/verify/{certificate.code}", content_type="multipart/form-data",
                           data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "certificate.pdf")})
    assert response.status_code == 200 and "identical" in response.get_data(as_text=True)
