"""Every form and query parameter of the app, as fuzzing targets, and the Hypothesis strategies that fill them.

A target names who sends it (anonymous, learner, employer, admin), the method, a path whose {placeholders}
come from the world (ids, codes, tokens) or are fuzzed themselves ({text}, {int}), and its fields.
tests/fuzz/test_fuzz_inputs.py checks that the list covers every route of the app.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

# Inputs known to break careless code, among the random ones.
NASTY = (
    "", " ", "\t", "0", "-1", "1.5", "1e309", "NaN", "99999999999999999999", "2147483648", "-9223372036854775809",
    "true", "false", "null", "None", "[]", "{}", "nl", "fr", "en", "xx", "hr_manager", "role", "people", "done",
    "overdue", "'", '"', "' OR '1'='1' --", "1; DROP TABLE users; --", "\\", "%", "_", "%%", "%s%s%n", "{0}",
    "{{7*7}}", "${7*7}", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "//evil.example/", "/\\evil.example", "https://evil.example/", "../../../etc/passwd", "\x00", "a\x00b", "\r\nX: y",
    "\u202e", "\ufeff", "😀" * 20, "ﬀ", "İ", "x" * 201, "x" * 5000, "é" * 300, "learner@example.com",
    "hr@acme.example.com", "LEARNER@EXAMPLE.COM", "a@b", "@", "a" * 250 + "@example.com", "2026-02-30", "2026-12-31",
    "0000-00-00", "RLS-0000-0000-00", "rls 7kq2 m9xd 4t", "listen", "true", "absence", "notice", "1", "2", "3",
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=120)


def values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), TEXT, st.integers(-(2**70), 2**70).map(str))


@dataclass(frozen=True)
class Target:
    name: str
    role: str  # anonymous, learner, employer or admin
    method: str
    path: str
    form: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: MultiDict
    form: MultiDict

    def __repr__(self) -> str:  # what Hypothesis prints for a failing case
        return f"{self.method} {self.path} query={list(self.query.items(multi=True))} " \
               f"form={[(k, v if not hasattr(v, 'read') else '<file>') for k, v in self.form.items(multi=True)]}"


LEARNER_FORMS = ("full_name", "language", "job_role")
TARGETS = (
    # Anonymous visitors
    Target("landing", "anonymous", "GET", "/", query=("lang",)),
    Target("health", "anonymous", "GET", "/healthz", query=("lang",)),
    Target("login", "anonymous", "POST", "/account/login", form=("email", "password", "remember"),
           query=("next", "lang")),
    Target("register", "anonymous", "POST", "/account/register",
           form=("full_name", "email", "password", "confirm", "language", "job_role"), query=("lang",)),
    Target("register page", "anonymous", "GET", "/account/register", query=("lang",)),
    Target("forgot password", "anonymous", "POST", "/account/forgot-password", form=("email",)),
    Target("reset link", "anonymous", "GET", "/account/reset-password/{text}"),
    Target("reset password", "anonymous", "POST", "/account/reset-password/{reset_token}",
           form=("password", "confirm")),
    Target("activation link", "anonymous", "GET", "/account/activate/{text}"),
    Target("verify lookup", "anonymous", "GET", "/verify", query=("code", "lang")),
    Target("verify page", "anonymous", "GET", "/verify/{text}"),
    Target("verify upload", "anonymous", "POST", "/verify/{code}", form=("csrf_token",), files=("pdf",)),
    Target("invitation link", "anonymous", "GET", "/join/{text}"),
    Target("accept invitation", "anonymous", "POST", "/join/{invitation_token}",
           form=("full_name", "password", "confirm", "language")),
    # Learners
    Target("profile", "learner", "POST", "/account/profile", form=LEARNER_FORMS, query=("lang",)),
    Target("change password", "learner", "POST", "/account/password", form=("current_password", "password", "confirm")),
    Target("delete account", "learner", "POST", "/account/delete", form=("password", "understood")),
    Target("leave organisation", "learner", "POST", "/account/organisations/{int}/leave"),
    Target("my data", "learner", "GET", "/account/my-data.json", query=("lang",)),
    Target("my training", "learner", "GET", "/learn/", query=("lang",)),
    Target("catalog", "learner", "GET", "/learn/courses", query=("lang",)),
    Target("course page", "learner", "GET", "/learn/{text}", query=("lang",)),
    Target("module page", "learner", "GET", "/learn/demo-course/{text}"),
    Target("lesson page", "learner", "GET", "/learn/demo-course/m1-basics/{int}", query=("lang",)),
    Target("lesson asset", "learner", "GET", "/learn/assets/{int}/{text}"),
    Target("quiz intro", "learner", "GET", "/quiz/demo-course/{text}"),
    Target("start attempt", "learner", "POST", "/quiz/{text}/{text}"),
    Target("attempt page", "learner", "GET", "/quiz/attempts/{int}"),
    Target("attempt result", "learner", "GET", "/quiz/attempts/{int}/result"),
    Target("my certificates", "learner", "GET", "/certificates/", query=("lang",)),
    Target("certificate download", "learner", "GET", "/certificates/{text}/pdf/{text}"),
    Target("certificate language", "learner", "GET", "/certificates/{code}/pdf/{text}"),
    Target("logout", "learner", "POST", "/account/logout", query=("next",)),
    # Employer administrators (of the organisation "acme")
    Target("dashboard", "employer", "GET", "/employer/{acme}/", query=("status", "role", "q", "page", "lang")),
    Target("dashboard of any organisation", "employer", "GET", "/employer/{int}/"),
    Target("dashboard link", "employer", "GET", "/employer/", query=("status", "role", "q", "page")),
    Target("export", "employer", "GET", "/employer/{acme}/export.csv", query=("status", "role", "q")),
    Target("export xlsx", "employer", "GET", "/employer/{acme}/export.xlsx", query=("status", "role", "q")),
    Target("certificates zip", "employer", "GET", "/employer/{int}/certificates.zip"),
    Target("invitations", "employer", "GET", "/employer/{acme}/invitations", query=("all",)),
    Target("invite", "employer", "POST", "/employer/{acme}/invitations",
           form=("full_name", "email", "job_role", "language")),
    Target("import file", "employer", "POST", "/employer/{acme}/invitations/import", files=("file",)),
    Target("import confirm", "employer", "POST", "/employer/{acme}/invitations/import/confirm", form=("payload",)),
    Target("resend invitation", "employer", "POST", "/employer/{acme}/invitations/{int}/resend"),
    Target("withdraw invitation", "employer", "POST", "/employer/{acme}/invitations/{int}/withdraw"),
    Target("person", "employer", "GET", "/employer/{acme}/people/{int}"),
    Target("update person", "employer", "POST", "/employer/{acme}/people/{colleague}",
           form=("job_role", "is_contact_person", "is_employer_admin")),
    Target("remove person", "employer", "POST", "/employer/{acme}/people/{int}/remove"),
    Target("assignments", "employer", "GET", "/employer/{acme}/assignments"),
    Target("assign", "employer", "POST", "/employer/{acme}/assignments",
           form=("requirement_id", "target", "job_role", "people", "due_on")),
    Target("unassign", "employer", "POST", "/employer/{acme}/assignments/{int}/delete"),
    # Platform administrators
    Target("admin index", "admin", "GET", "/admin/", query=("lang",)),
    Target("new organisation", "admin", "POST", "/admin/organisations/new",
           form=("name", "admin_email", "admin_name", "admin_language")),
    Target("organisation", "admin", "GET", "/admin/organisations/{int}"),
    Target("invite administrator", "admin", "POST", "/admin/organisations/{acme}/administrators",
           form=("admin_email", "admin_name", "admin_language")),
    Target("revoke", "admin", "POST", "/certificates/{code}/revoke", form=("reason",)),
)


def _segment(kind: str) -> st.SearchStrategy[str]:
    if kind == "int":
        return st.one_of(st.integers(0, 50), st.integers(0, 2**70)).map(str)
    return st.one_of(st.sampled_from([n for n in NASTY if n]), TEXT.filter(bool)).map(lambda text: quote(text, safe=""))


def _fill(draw, path: str, world: dict) -> str:
    known = {"acme": world["orgs"]["acme"], "code": world["certificates"][0], "reset_token": world["reset_token"],
             "invitation_token": world["invitation_token"],
             "colleague": world["memberships"][world["emails"]["colleague"]]}
    parts = []
    for piece in path.split("{"):
        if "}" not in piece:
            parts.append(piece)
            continue
        name, rest = piece.split("}", 1)
        parts.append(str(known[name]) if name in known else draw(_segment(name)))
        parts.append(rest)
    return "".join(parts)


def _fields(draw, names: tuple[str, ...], extra: bool) -> MultiDict:
    fields = MultiDict()
    for name in names:
        for value in draw(st.lists(values(), max_size=3)):
            fields.add(name, value)
    if extra:
        for name, value in draw(st.lists(st.tuples(TEXT, values()), max_size=2)):
            fields.add(name, value)
    return fields


@st.composite
def requests_for(draw, target: Target, world: dict) -> Request:
    """Draw one request for the target: its path, query and form filled with random and nasty values."""
    form = _fields(draw, target.form, extra=target.method == "POST")
    for name in target.files:
        if draw(st.booleans()):
            content = draw(st.one_of(st.binary(max_size=2000), TEXT.map(str.encode)))
            form.add(name, (io.BytesIO(content), draw(st.sampled_from(["a.pdf", "a.csv", "a.xlsx", "a", "", "x.exe"]))))
    return Request(target.method, _fill(draw, target.path, world), _fields(draw, target.query, extra=True), form)
