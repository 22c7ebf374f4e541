"""Training requirements, certificates issued exactly once, their stored PDFs and public verification.

Public API for other features:
- `requirements.check_requirements(path, courses_path=None) -> list[Problem]` (for `courses check`);
- `services.load_requirements(path, courses_path=None)`, raising `services.RequirementsInvalid` (for
  `courses load`);
- `services.issue_if_eligible(user) -> list[Certificate]`, called in the quiz submission's transaction;
- `services.forget_holder(user)`, called before an account is deleted.
Only `pdf.py` imports WeasyPrint.
"""
