"""The employers blueprint; routes live in views.py, invitation_views.py, assignment_views.py, privacy_views.py."""

from flask import Blueprint

bp = Blueprint("employers", __name__)
