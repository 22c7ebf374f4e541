def test_landing_page_says_what_relais_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Relais" in response.data
    assert b'id="quick-exit"' in response.data
