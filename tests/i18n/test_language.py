"""Language negotiation: profile, then session (?lang=), then Accept-Language; a switcher on every page."""

import pytest


@pytest.mark.parametrize("header, expected", [("fr-BE,fr;q=0.9", "fr"), ("nl-BE", "nl"), ("de-DE", "en"),
                                              ("en-GB", "en")])
def test_accept_language_picks_the_interface_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{expected}">' in response.get_data(as_text=True)


def test_lang_parameter_is_remembered_in_the_session(client):
    client.get("/?lang=nl", headers={"Accept-Language": "fr"})
    body = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="nl">' in body
    assert "Aanmelden" in body


def test_unknown_lang_parameter_is_ignored(client):
    body = client.get("/?lang=xx", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in body


def test_profile_language_wins_over_session_and_header(client, create_user, auth):
    create_user("nl@example.com", language="nl")
    auth.login("nl@example.com")
    body = client.get("/account/profile", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="nl">' in body


def test_switching_language_when_logged_in_updates_the_profile(client, create_user, auth, db):
    user = create_user("nl@example.com", language="nl")
    auth.login("nl@example.com")
    client.get("/account/profile?lang=fr")
    db.session.refresh(user)
    assert user.language == "fr"


def test_every_page_has_the_language_switcher_quick_exit_and_help_lines(client):
    for path in ("/", "/account/login", "/account/register", "/account/forgot-password", "/nowhere"):
        body = client.get(path).get_data(as_text=True)
        assert 'hreflang="nl"' in body and 'hreflang="fr"' in body and 'hreflang="en"' in body, path
        assert 'id="quick-exit"' in body, path
        assert "0800 30 030" in body and "1712" in body and "112" in body, path


def test_switcher_keeps_the_current_page(client):
    body = client.get("/account/login").get_data(as_text=True)
    assert 'href="/account/login?lang=fr"' in body
