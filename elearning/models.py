"""Import every feature's models so SQLAlchemy metadata (and Alembic) sees all tables."""

from elearning.accounts.models import User  # noqa: F401
from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module, Question  # noqa: F401
from elearning.employers.models import Membership, Organisation  # noqa: F401
