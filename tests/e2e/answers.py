"""Helpers for the learner's browser tests: answer a drawn quiz from its quiz.yaml, right or wrong, with the
mouse or with the keyboard only; the interface strings in a language; a fresh learner account.

The quiz form names its fields after the drawn questions (see elearning/quizzes/forms.py): a question's key
is its id, or ``<scenario id>/<sub-question id>`` inside a scenario; radios and checkboxes carry the key as
their name and a choice id (or ``true``/``false``) as their value; an ordering step's position <select> is
named ``<key>@<step id>``. So the page says which questions were drawn, and quiz.yaml says their answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "elearning" / "translations"
COURSE = "partner-violence-work"
MAX_TABS = 400  # more tab stops than any page has: a missing target fails instead of looping


# ---- interface strings ---------------------------------------------------------------------------------------

@functools.cache
def _catalogue(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def ui(language: str, message: str, **values) -> str:
    """Return an interface string as the app shows it in `language` (its catalogue, or the English id)."""
    text = _catalogue(language).gettext(message)
    return text % values if values else text


# ---- the course files ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModuleFiles:
    """A module of the real course as written in courses/: its settings, lesson page titles and question bank."""

    path: Path

    @functools.cached_property
    def settings(self) -> dict:
        return yaml.safe_load((self.path / "module.yaml").read_text(encoding="utf-8"))

    @functools.cached_property
    def bank(self) -> dict[str, dict]:
        questions = yaml.safe_load((self.path / "quiz.yaml").read_text(encoding="utf-8"))["questions"]
        return {question["id"]: question for question in questions}

    @property
    def slug(self) -> str:
        return self.path.name

    def title(self, language: str) -> str:
        return self.settings["title"][language]

    def page_titles(self, language: str) -> list[str]:
        lines = (self.path / f"lesson.{language}.md").read_text(encoding="utf-8").splitlines()
        return [line[3:].strip() for line in lines if line.startswith("## ")]

    def item(self, key: str) -> dict:
        """Return the gradable item a form key names (a question, or a question inside a scenario)."""
        slug, _, sub = key.partition("/")
        question = self.bank[slug]
        return next(q for q in question["questions"] if q["id"] == sub) if sub else question


def course_modules(courses_path: str | Path) -> list[ModuleFiles]:
    """Return the modules of the real course in the order course.yaml lists them."""
    folder = Path(courses_path) / COURSE
    course = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    return [ModuleFiles(folder / slug) for slug in course["modules"]]


def intended(item: dict, right: bool) -> list[str] | dict[str, int]:
    """Return what to answer: choice ids (or "true"/"false"), or each step's position for an ordering.

    A wrong answer is wrong for every type: one wrong choice, the other truth value, the steps reversed.
    """
    kind = item["type"]
    if kind in ("single", "multiple"):
        correct = [c["id"] for c in item["choices"] if c.get("correct")]
        wrong = [c["id"] for c in item["choices"] if not c.get("correct")]
        return correct if right else wrong[:1]
    if kind == "true_false":
        return ["true" if item["answer"] == right else "false"]
    if kind == "ordering":
        steps = [s["id"] for s in item["steps"]]
        order = steps if right else steps[::-1]
        return {step: position for position, step in enumerate(order, start=1)}
    raise ValueError(f"no answer for a {kind} item")


# ---- the quiz page -------------------------------------------------------------------------------------------

FORM = "form.quiz-form"


def drawn_keys(page) -> list[str]:
    """Return the keys of the items on the quiz page, in the order of the form."""
    # eval_on_selector does not wait: right after "Start the quiz" the intro page can still be showing (a CI run saw it)
    page.wait_for_selector(FORM)
    names = page.eval_on_selector(
        FORM, "form => [...form.elements].map(e => e.name).filter(n => n && n !== 'csrf_token')")
    return list(dict.fromkeys(name.split("@")[0] for name in names))


def drawn_slugs(page) -> set[str]:
    """Return the ids of the drawn questions (a scenario counts once)."""
    return {key.split("/")[0] for key in drawn_keys(page)}


def answer_quiz(page, module: ModuleFiles, *, right: bool) -> list[str]:
    """Answer every drawn item with Playwright's pointer actions; return the item keys."""
    keys = drawn_keys(page)
    assert keys, "the quiz page shows no question"
    for key in keys:
        item, answer = module.item(key), intended(module.item(key), right)
        if item["type"] == "ordering":
            for step, position in answer.items():
                page.locator(f'{FORM} select[name="{key}@{step}"]').select_option(str(position))
        else:
            for value in answer:
                page.locator(f'{FORM} input[name="{key}"][value="{value}"]').check()
    return keys


# ---- keyboard only -------------------------------------------------------------------------------------------

def focused_matches(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = MAX_TABS) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches the CSS selector.

    Mind the quick-exit shortcut: more than two Shift+Tab presses on one page within 1.5 seconds leave the site.
    """
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused_matches(page, selector):
            return
    raise AssertionError(f"{selector} never got the focus with {key}")


def tab_to_link(page, href_end: str) -> None:
    tab_to(page, f'a[href$="{href_end}"]')


def press_to_leave(page, key: str = "Enter") -> None:
    """Press a key that follows the focused link or submits the form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def answer_quiz_by_keyboard(page, module: ModuleFiles, *, right: bool) -> list[str]:
    """Answer every drawn item with Tab, arrow keys, Space and type-ahead in the position menus, in form order."""
    keys = drawn_keys(page)
    assert keys, "the quiz page shows no question"
    for key in keys:
        item, answer = module.item(key), intended(module.item(key), right)
        if item["type"] == "ordering":
            for step in page.eval_on_selector_all(
                    f'{FORM} select[name^="{key}@"]', "els => els.map(e => e.name.split('@').pop())"):
                tab_to(page, f'select[name="{key}@{step}"]')
                page.keyboard.type(str(answer[step]))  # type-ahead picks the option "1", "2", …
        elif item["type"] == "multiple":
            for value in _values_in_order(page, key):
                tab_to(page, f'input[name="{key}"][value="{value}"]')
                if value in answer:
                    page.keyboard.press("Space")
        else:  # one radio group is one tab stop; the arrow keys move the choice within it
            values = _values_in_order(page, key)
            tab_to(page, f'input[name="{key}"]')
            at, target = values.index(page.evaluate("document.activeElement.value")), values.index(answer[0])
            if at == target:
                page.keyboard.press("Space")
            for _ in range(abs(target - at)):
                page.keyboard.press("ArrowDown" if target > at else "ArrowUp")
        _assert_answered(page, key, item, answer)
    return keys


def _values_in_order(page, key: str) -> list[str]:
    return page.eval_on_selector_all(f'{FORM} input[name="{key}"]', "els => els.map(e => e.value)")


def _assert_answered(page, key: str, item: dict, answer) -> None:
    if item["type"] == "ordering":
        chosen = page.eval_on_selector_all(f'{FORM} select[name^="{key}@"]',
                                           "els => Object.fromEntries(els.map(e => [e.name.split('@')[1], e.value]))")
        assert chosen == {step: str(position) for step, position in answer.items()}, key
    else:
        checked = page.eval_on_selector_all(f'{FORM} input[name="{key}"]:checked', "els => els.map(e => e.value)")
        assert sorted(checked) == sorted(answer), key
