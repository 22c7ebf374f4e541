"""Store each standing's certificate expiry as its Brussels date

requirement_standings.expires_on held the UTC date of certificate_expires_at, while the certificate, the
verify page and the person's record show the Brussels date: a certificate issued late in the evening (UTC)
showed two different "valid until" days. The column now holds the Brussels date (elearning/dates.py); this
rewrites the rows already there. Self-contained: it reads and writes the two columns only.

Revision ID: 5b2e9c4d7a10
Revises: d4d47c15fe13
Create Date: 2026-11-28 00:40:00

"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b2e9c4d7a10'
down_revision = 'd4d47c15fe13'
branch_labels = None
depends_on = None

standings = sa.table("requirement_standings", sa.column("user_id", sa.Integer), sa.column("requirement_id", sa.Integer),
                     sa.column("certificate_expires_at", sa.DateTime), sa.column("expires_on", sa.Date))


def _rewrite(day_of) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(standings.c.user_id, standings.c.requirement_id,
                                        standings.c.certificate_expires_at)
                              .where(standings.c.certificate_expires_at.is_not(None))).all()
    update = (standings.update()
              .where(standings.c.user_id == sa.bindparam("user"), standings.c.requirement_id == sa.bindparam("req"))
              .values(expires_on=sa.bindparam("day")))
    changes = [{"user": user_id, "req": requirement_id, "day": day_of(expires_at)}
               for user_id, requirement_id, expires_at in rows]
    if changes:
        connection.execute(update, changes)


def upgrade():
    brussels = ZoneInfo("Europe/Brussels")
    _rewrite(lambda moment: moment.replace(tzinfo=UTC).astimezone(brussels).date())


def downgrade():
    _rewrite(lambda moment: moment.date())
