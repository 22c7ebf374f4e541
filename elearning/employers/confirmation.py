"""One more step before a change that only a new invitation can undo (removing a person, leaving an
organisation, taking an assignment back): the button posts once to ask, the page it shows posts again to do it."""

from __future__ import annotations

from flask import render_template, request


def ask_unless_confirmed(*, title: str, consequence: str, button: str, back: str) -> str | None:
    """Return None when this request confirms (its form says confirmed=yes); else the page that asks."""
    if request.form.get("confirmed") == "yes":
        return None
    return render_template("employers/confirm.html", title=title, consequence=consequence, button=button,
                           back=back)
