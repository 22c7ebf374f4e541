"""Tiny PostgreSQL helper for CI: ping the server, create or drop a throw-away database."""

import sys

import sqlalchemy as sa


def main(action: str, admin_url: str, name: str | None = None) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with engine.connect() as connection:
        if action == "ping":
            connection.execute(sa.text("SELECT 1"))
        elif action == "create":
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            print(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))
        elif action == "drop":
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
