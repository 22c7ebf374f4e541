"""Course, learner and query-count fixtures shared by tests/learn and tests/quizzes."""

from tests.learn.support import course_factory, demo_course, learner, logged_in  # noqa: F401
