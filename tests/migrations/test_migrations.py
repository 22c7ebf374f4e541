"""The committed migrations build exactly the tables the models describe, and run both ways."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from elearning import create_app
from elearning.config import TestConfig
from elearning.extensions import db


@pytest.fixture
def empty_database_app(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        # A database of its own, so the tables other tests create do not interfere.
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        name = "relais_migrations_test"
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        target = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=target)
    with app.app_context():
        yield app
        db.engine.dispose()
    if url and url.startswith("postgresql"):
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def test_migrations_match_the_models_and_run_both_ways(empty_database_app):
    upgrade()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       db.metadata)
    assert differences == [], f"run `flask db migrate` to add a migration for: {differences}"
    downgrade(revision="base")
    with db.engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade()


def test_upgrading_in_the_apps_process_keeps_its_loggers(empty_database_app):
    """run.py upgrades in the process that then serves: alembic's logging set-up must not silence the app."""
    import logging

    logger = logging.getLogger("elearning.certificates.services")  # created at import, before the upgrade
    upgrade()
    assert not logger.disabled and logger.isEnabledFor(logging.WARNING)
