"""The landing page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from sqlalchemy.exc import SQLAlchemyError

from elearning.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Say what Relais is, who it is for and how to start."""
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    """Report whether the database answers and how many courses are loaded."""
    from elearning.content.models import Course

    try:
        courses = db.session.scalar(sa.select(sa.func.count()).select_from(Course))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok", courses=courses)
