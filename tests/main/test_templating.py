"""The layout's helpers: template gettext read once per request, language links, fixed addresses."""

import flask_babel
from flask import render_template_string
from flask_babel import force_locale, refresh


def test_template_gettext_follows_the_locale_and_force_locale(app):
    with app.test_request_context("/?lang=nl"):
        assert render_template_string("{{ _('Log out') }}") == "Afmelden"
        with force_locale("fr"):  # mails and certificates render in their reader's language
            assert render_template_string("{{ _('Log out') }}") == "Se déconnecter"
            assert render_template_string("{{ {'fr': 'oui', 'en': 'yes'}|localise }}") == "oui"
        assert render_template_string("{{ _('Log out') }}") == "Afmelden"
        assert render_template_string("{{ {'nl': 'ja', 'en': 'yes'}|localise }}") == "ja"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string("{{ _('Log out') }}") == "Log out"


def test_template_gettext_formats_and_escapes_like_flask_babel(app):
    with app.test_request_context("/?lang=fr"):
        refresh()
        one, many = "%(num)d row has a problem.", "%(num)d rows have a problem."
        assert render_template_string("{{ ngettext(one, many, 2) }}", one=one, many=many) \
            == flask_babel.ngettext(one, many, 2)
        assert render_template_string("{{ _('Page %(n)d of %(total)d', n=1, total=3) }}") \
            == flask_babel.gettext("Page %(n)d of %(total)d", n=1, total=3)
        assert render_template_string("{{ _('Your score: %(score)d%%', score=5) }}") \
            == "Votre score\u00a0: 5\u202f%"  # a narrow no-break space, as on the certificate
        assert "&lt;b&gt;" in render_template_string("{{ _('Next module: %(title)s', title='<b>') }}")


def test_language_links_keep_the_page_and_its_query(client):
    page = client.get("/?lang=fr&x=1").get_data(as_text=True)
    assert 'href="/?x=1&amp;lang=nl"' in page and 'href="/?x=1&amp;lang=en"' in page
    assert 'href="/static/css/relais.css"' in page


def test_a_form_shown_again_after_a_post_keeps_its_place_in_another_language(client):
    """The registration form with its errors: the language links lead back to the form, not to the home page."""
    page = client.post("/account/register", data={"email": "not an address"}).get_data(as_text=True)
    assert 'href="/account/register?lang=fr"' in page and 'href="/account/register?lang=nl"' in page


def test_french_course_texts_get_no_break_spaces(app):
    """Quiz questions, titles and descriptions come from course files: |localise spaces them as French wants."""
    texts = {"fr": "Pourquoi ? « Oui » : 80 %", "en": "Why ? Yes : 80 %"}
    with app.test_request_context("/?lang=fr"):
        refresh()
        french = render_template_string("{{ t|localise }}", t=texts)
        assert french == "Pourquoi\u202f? «\u00a0Oui\u00a0»\u00a0: 80\u202f%"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string("{{ t|localise }}", t=texts) == "Why ? Yes : 80 %"


def test_french_help_lines_get_no_break_spaces(client):
    page = client.get("/?lang=fr").get_data(as_text=True)
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert "Jours ouvrables\u202f; chat aussi le soir" in footer and "ouvrables ; chat" not in footer
