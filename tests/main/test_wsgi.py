"""The production WSGI entry builds the app once and freezes what it holds out of the collector's sight."""

import gc
import importlib
import sys


def test_production_entry_builds_the_app_and_freezes_it(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a test secret that is long enough")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'relais.db'}")
    monkeypatch.setenv("BASE_URL", "https://relais.example.org")
    sys.modules.pop("elearning.wsgi", None)
    try:
        wsgi = importlib.import_module("elearning.wsgi")
        assert wsgi.app.config["ENV_NAME"] == "production"
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        sys.modules.pop("elearning.wsgi", None)
