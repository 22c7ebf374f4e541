"""The bare routes every figure is compared with: Flask "hello" (the floor) and a ~5 KB page rendered after
three SQLite queries (a fair ceiling for a page). Served by gunicorn exactly like the app.

    BARE_DB=/tmp/bare.db gunicorn bench.bare_app:app        (python -m bench.bare_app PATH creates the file)
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading

from flask import Flask, abort, render_template

app = Flask(__name__)
# The template is shared with bench/stack_app.py, which translates; here the strings are only filled in.
app.jinja_env.globals["_"] = lambda text, **values: text % values if values else text
_local = threading.local()
LANGUAGES = ("nl", "fr", "en")
LINKS = [("Home", "/"), ("My training", "/learn/"), ("Courses", "/learn/courses"), ("Certificates", "/certificates/"),
         ("Profile", "/account/profile")]
HELPLINES = [("0800 30 030", "Ecoute violences conjugales"), ("1712", "Hulplijn"), ("112", "Emergencies"),
             ("101", "Police")]
PARAGRAPH = ("<p>Partner violence does not stay at home: it follows people to work, through calls, messages, "
             "absences and fear. A colleague who notices, listens and refers can make work a safe place.</p>\n")


def _connection() -> sqlite3.Connection:
    """Return this thread's connection, opened once with the pragmas the app uses (WAL, busy timeout)."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["BARE_DB"], check_same_thread=False)
        connection.row_factory = sqlite3.Row  # columns by name, as the stack app's ORM objects have them
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("PRAGMA journal_mode = WAL")
        _local.connection = connection
    return connection


@app.get("/hello")
def hello():
    return "Hello, World!"


@app.get("/page/<int:user_id>")
def page(user_id: int):
    """Three indexed queries (user, module, lesson page), then a template of about 5 KB."""
    db = _connection()
    user = db.execute("SELECT id, full_name, language FROM users WHERE id = ?", (user_id,)).fetchone() or abort(404)
    module = db.execute("SELECT id, slug, title, page_count FROM modules WHERE slug = ?",
                        (f"m{user_id % 6}",)).fetchone()
    lesson = db.execute("SELECT title, html FROM pages WHERE module_id = ? AND position = ? AND language = ?",
                        (module["id"], 1 + user_id % module["page_count"], user["language"])).fetchone()
    return render_template("bare/page.html", user=user, module=module, lesson=lesson, links=LINKS,
                           helplines=HELPLINES)


def create_database(path: str) -> None:
    """Create the bare page's database: 1,000 users, 6 modules, 10 pages per module and language."""
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA journal_mode = WAL;
        CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT, language TEXT);
        CREATE TABLE modules (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, title TEXT, page_count INTEGER);
        CREATE TABLE pages (id INTEGER PRIMARY KEY, module_id INTEGER, position INTEGER, language TEXT,
                            title TEXT, html TEXT);
        CREATE INDEX ix_pages ON pages (module_id, position, language);
    """)
    db.executemany("INSERT INTO users VALUES (?, ?, ?)",
                   [(n, f"Learner {n:04d}", LANGUAGES[n % 3]) for n in range(1, 1001)])
    db.executemany("INSERT INTO modules VALUES (?, ?, ?, ?)", [(n + 1, f"m{n}", f"Module {n}", 10) for n in range(6)])
    db.executemany("INSERT INTO pages (module_id, position, language, title, html) VALUES (?, ?, ?, ?, ?)",
                   [(m, p, lang, f"Page {p} of module {m}", PARAGRAPH * 15)
                    for m in range(1, 7) for p in range(1, 11) for lang in LANGUAGES])
    db.commit()
    db.close()


if __name__ == "__main__":
    create_database(sys.argv[1])
