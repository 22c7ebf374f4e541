"""Import every feature's models so SQLAlchemy metadata (and Alembic) sees all tables."""

from elearning.accounts.models import User  # noqa: F401
from elearning.certificates.models import Certificate, CertificatePdf, Requirement  # noqa: F401
from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module, Question  # noqa: F401
from elearning.employers.models import Assignment, Invitation, Membership, Organisation, SentReminder  # noqa: F401
from elearning.learn.models import ModuleProgress  # noqa: F401
from elearning.quizzes.models import AttemptAnswer, QuizAttempt  # noqa: F401
