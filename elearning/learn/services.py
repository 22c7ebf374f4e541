"""Record a learner's progress; callers commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from elearning.accounts.models import User, utcnow
from elearning.content.models import Module
from elearning.extensions import db
from elearning.learn.models import ModuleProgress


def insert_if_absent(model: type[db.Model], values: dict[str, Any], unique: Sequence[str]) -> bool:
    """INSERT a row unless one with the same `unique` columns exists; return whether it inserted.

    Two requests racing to create the same row (two tabs, a double click) then both succeed instead of one
    failing on the unique constraint.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        exists = sa.select(model.id).filter_by(**{name: values[name] for name in unique})
        if db.session.scalar(exists) is not None:
            return False
        db.session.execute(sa.insert(model).values(**values))
        return True
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT … ON CONFLICT DO NOTHING here.
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(unique))
    return db.session.execute(statement.returning(model.id)).scalar() is not None


def progress_for(user: User, module: Module) -> ModuleProgress:
    """Return the learner's progress row for the module (any version of it), creating it when missing."""
    key = {"user_id": user.id, "course_id": module.course_version.course_id, "module_slug": module.slug}
    stmt = sa.select(ModuleProgress).filter_by(**key)
    progress = db.session.scalar(stmt)
    if progress is None:
        insert_if_absent(ModuleProgress, {**key, "started_at": utcnow(), "updated_at": utcnow()}, list(key))
        progress = db.session.scalars(stmt).one()
    return progress


def record_page_view(user: User, module: Module, page: int) -> ModuleProgress:
    """Remember the lesson page the learner is on, and when they reach the last one."""
    progress = progress_for(user, module)
    progress.last_page = page
    progress.updated_at = utcnow()
    if page >= module.page_count and progress.reading_completed_at is None:
        progress.reading_completed_at = utcnow()
    db.session.flush()
    return progress
