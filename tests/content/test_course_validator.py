"""The validator reports every problem in the course files as file:line: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearning.content import check_courses
from elearning.content.files import MAX_IMAGE_BYTES, MAX_LESSON_BYTES, MAX_QUIZ_BYTES, MAX_YAML_BYTES

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"

QUIZ, MODULE, COURSE = "m1-basics/quiz.yaml", "m1-basics/module.yaml", "course.yaml"
LESSON_EN, SVG = "m1-basics/lesson.en.md", "m1-basics/diagram.svg"
T = "{nl: t, fr: t, en: t}"  # a text in every language


def choices(*correct: bool) -> str:
    return "".join(f"      - id: c{i}\n        text: {T}\n        correct: {str(ok).lower()}\n"
                   for i, ok in enumerate(correct))


def question(body: str, qid: str = "extra", kind: str = "single", marker_on_id: bool = False) -> str:
    """Return a question to append to the bank, `# <-` marking the line the problem should point at."""
    mark = "  # <-" if marker_on_id else ""
    return f"\n  - id: {qid}{mark}\n    type: {kind}\n    text: {T}\n    explanation: {T}\n{body}"


def sub_questions(count: int) -> str:
    return "".join(f"      - id: sub-{i}\n        type: true_false\n        text: {T}\n        answer: true\n"
                   f"        explanation: {T}\n" for i in range(count))


# (edits, file the problem is in, text on the expected line, part of the message)
CASES = {
    "yaml syntax error": ([("replace", COURSE, "  fr: Cours de démonstration", "  fr: Cours: de démonstration")],
                          COURSE, "Cours: de", "YAML syntax error"),
    "yaml duplicate key": ([("append", MODULE, "pass_mark: 70  # <-\n")], MODULE, "# <-", "appears twice"),
    "unknown key in module": ([("append", MODULE, "colour: red  # <-\n")], MODULE, "# <-", "unknown key 'colour'"),
    "unknown key in choice": ([("replace", QUIZ, "        correct: true\n        explanation: {nl: Luisteren",
                                "        correct: true\n        weight: 2  # <-\n        explanation: {nl: Luisteren")],
                              QUIZ, "# <-", "unknown key 'weight'"),
    "missing key in module": ([("replace", MODULE, "pass_mark: 60\n", "")], MODULE, "id: m1-basics",
                              "missing key 'pass_mark'"),
    "missing explanation": ([("append", QUIZ, f"\n  - id: no-explanation  # <-\n    type: true_false\n"
                                              f"    text: {T}\n    answer: true\n")],
                            QUIZ, "# <-", "missing key 'explanation'"),
    "wrong type": ([("replace", MODULE, "estimated_minutes: 10", "estimated_minutes: ten  # <-")], MODULE, "# <-",
                   "must be a whole number"),
    "boolean where text is expected": ([("replace", QUIZ, "text: {nl: Oordelen, fr: Juger, en: Judge}",
                                         "text: {nl: Oordelen, fr: Juger, en: yes}  # <-")],
                                       QUIZ, "# <-", "must be text"),
    "missing language in course": ([("replace", COURSE, "  fr: Cours de démonstration\n", "")], COURSE, "title:",
                                   "missing language 'fr' in 'title'"),
    "missing language in question": ([("replace", QUIZ, "      fr: Que faites-vous d'abord ?\n", "")], QUIZ,
                                     "    text:", "missing language 'fr' in 'text'"),
    "missing language in content note": ([("replace", MODULE, "  en: This module explains the basics. You can "
                                           "**pause** at any time.\n", "")], MODULE, "content_note:",
                                         "missing language 'en' in 'content_note'"),
    "unknown language": ([("replace", COURSE, "  en: Demo course\n", "  en: Demo course\n  de: Democours  # <-\n")],
                         COURSE, "# <-", "unknown language 'de'"),
    "bad course id": ([("replace", COURSE, "id: demo-course", "id: Demo_Course  # <-")], COURSE, "# <-",
                      "'Demo_Course' is not a valid id"),
    "bad question id": ([("replace", QUIZ, "  - id: signs", "  - id: Signs!  # <-")], QUIZ, "# <-",
                        "'Signs!' is not a valid id"),
    "module listed without folder": ([("replace", COURSE, "  - m2-practice", "  - m3-missing  # <-")], COURSE,
                                     "# <-", "module 'm3-missing' is listed but there is no folder"),
    "folder not listed": ([("replace", COURSE, "  - m2-practice", "  - m3-missing")], COURSE, "modules:",
                          "folder 'm2-practice' is not listed"),
    "module listed twice": ([("replace", COURSE, "  - m2-practice", "  - m2-practice\n  - m1-basics  # <-")],
                            COURSE, "# <-", "module 'm1-basics' is listed twice"),
    "module id differs from folder": ([("replace", MODULE, "id: m1-basics", "id: m1-other  # <-")], MODULE, "# <-",
                                      "module id 'm1-other' must equal its folder name 'm1-basics'"),
    "course id differs from folder": ([("replace", COURSE, "id: demo-course", "id: other-course  # <-")], COURSE,
                                      "# <-", "course id 'other-course' must equal its folder name"),
    "duplicate question id": ([("replace", QUIZ, "  - id: signs", "  - id: first-step  # <-")], QUIZ, "# <-",
                              "question id 'first-step' is used twice"),
    "duplicate id in a scenario": ([("replace", QUIZ, "      - id: reception-visit-tell",
                                     "      - id: emergency-number  # <-")], QUIZ, "# <-",
                                   "question id 'emergency-number' is used twice"),
    "duplicate choice id": ([("replace", QUIZ, "      - id: judge", "      - id: listen  # <-")], QUIZ, "# <-",
                            "choice id 'listen' is used twice"),
    "duplicate step id": ([("replace", QUIZ, "      - id: respond", "      - id: notice  # <-")], QUIZ, "# <-",
                          "step id 'notice' is used twice"),
    "single without correct choice": ([("append", QUIZ, question("    choices:  # <-\n" + choices(False, False)))],
                                      QUIZ, "# <-", "exactly 1 correct choice, not 0"),
    "single with two correct choices": ([("append", QUIZ, question("    choices:  # <-\n" + choices(True, True)))],
                                        QUIZ, "# <-", "exactly 1 correct choice, not 2"),
    "multiple without correct choice": ([("append", QUIZ, question("    choices:  # <-\n" + choices(False, False),
                                                                   kind="multiple"))],
                                        QUIZ, "# <-", "at least 1 correct choice"),
    "multiple with one choice": ([("append", QUIZ, question("    choices:  # <-\n" + choices(True),
                                                            kind="multiple"))],
                                 QUIZ, "# <-", "at least 2 choices, not 1"),
    "true_false with text answer": ([("append", QUIZ, question("    answer: yes please  # <-\n", kind="true_false"))],
                                    QUIZ, "# <-", "'answer' in question 'extra' must be true or false, not text"),
    "true_false without answer": ([("append", QUIZ, question("", kind="true_false", marker_on_id=True))],
                                  QUIZ, "# <-", "missing key 'answer'"),
    "ordering with one step": ([("append", QUIZ, question(f"    steps:  # <-\n      - id: only\n        text: {T}\n",
                                                          kind="ordering"))],
                               QUIZ, "# <-", "at least 2 steps, not 1"),
    "scenario without questions": ([("append", QUIZ, f"\n  - id: empty-case\n    type: scenario\n    case: {T}\n"
                                                     "    questions: []  # <-\n")],
                                   QUIZ, "# <-", "1 to 5 questions, not 0"),
    "scenario with six questions": ([("append", QUIZ, f"\n  - id: long-case\n    type: scenario\n    case: {T}\n"
                                                      f"    questions:  # <-\n{sub_questions(6)}")],
                                    QUIZ, "# <-", "1 to 5 questions, not 6"),
    "nested scenario": ([("append", QUIZ, f"\n  - id: outer-case\n    type: scenario\n    case: {T}\n"
                                          f"    questions:\n      - id: inner-case\n        type: scenario  # <-\n"
                                          f"        case: {T}\n        questions:\n{sub_questions(1)}")],
                        QUIZ, "# <-", "a scenario inside a scenario"),
    "unknown question type": ([("append", QUIZ, question("", kind="essay  # <-"))], QUIZ, "# <-",
                              "unknown question type 'essay'"),
    "empty question bank": ([("write", QUIZ, "questions: []  # <-\n")], QUIZ, "# <-", "the question bank is empty"),
    "pass_mark 0": ([("replace", MODULE, "pass_mark: 60", "pass_mark: 0  # <-")], MODULE, "# <-",
                    "'pass_mark' in module.yaml must be between 1 and 100, not 0"),
    "pass_mark 101": ([("replace", MODULE, "pass_mark: 60", "pass_mark: 101  # <-")], MODULE, "# <-",
                      "must be between 1 and 100, not 101"),
    "questions_per_attempt 0": ([("replace", MODULE, "questions_per_attempt: 3", "questions_per_attempt: 0  # <-")],
                                MODULE, "# <-", "'questions_per_attempt' in module.yaml must be at least 1"),
    "questions_per_attempt above bank": ([("replace", MODULE, "questions_per_attempt: 3",
                                           "questions_per_attempt: 9  # <-")],
                                         MODULE, "# <-", "questions_per_attempt is 9 but quiz.yaml has only 5"),
    "format version 2": ([("replace", COURSE, "format: 1", "format: 2  # <-")], COURSE, "# <-",
                         "format version must be 1, not 2"),
    "missing lesson file": ([("delete", "m1-basics/lesson.fr.md")], "m1-basics/lesson.fr.md", None,
                            "missing file lesson.fr.md"),
    "missing quiz file": ([("delete", QUIZ)], QUIZ, None, "missing file quiz.yaml"),
    "missing module.yaml": ([("delete", MODULE)], MODULE, None, "missing file module.yaml"),
    "text before the first page title": ([("replace", LESSON_EN, "## Welcome", "Hello there.\n\n## Welcome")],
                                         LESSON_EN, "Hello there.", "text before the first '## ' page title"),
    "different page counts": ([("append", "m1-basics/lesson.fr.md", "\n## Encore\n\nUne page de plus.\n")],
                              "m1-basics/lesson.fr.md", "## Encore", "has 4 pages but lesson.nl.md has 3"),
    "image not listed in assets": ([("replace", LESSON_EN, "(diagram.svg)", "(photo.svg)")], LESSON_EN,
                                   "(photo.svg)", "image 'photo.svg' is not listed under 'assets'"),
    "asset without alt in every language": ([("replace", MODULE, "      fr: Un cercle avec trois flèches.\n", "")],
                                            MODULE, "    alt:", "missing language 'fr' in 'alt'"),
    "asset file missing": ([("delete", SVG)], MODULE, "- file: diagram.svg",
                           "asset file 'diagram.svg' is missing"),
    "asset neither svg nor png": ([("replace", MODULE, "  - file: diagram.svg", "  - file: diagram.gif  # <-")],
                                  MODULE, "# <-", "must be an .svg or .png file"),
    "png that is not a png": ([("replace", MODULE, "  - file: diagram.svg", f"  - file: photo.png\n    alt: {T}\n"
                                                                            "  - file: diagram.svg"),
                               ("write", "m1-basics/photo.png", "not an image\n")],
                              "m1-basics/photo.png", None, "the file is not a PNG image"),
    "svg with a script": ([("replace", SVG, "</svg>", "  <script>alert(1)</script>\n</svg>")], SVG, "<script>",
                          "the SVG contains a <script> element"),
    "svg with an event handler": ([("replace", SVG, 'width="100"', 'onload="alert(1)" width="100"')], SVG,
                                  "onload", "event handler"),
    "svg with an external link": ([("replace", SVG, "</svg>", '  <image href="https://example.org/x.png"/>\n</svg>')],
                                  SVG, "<image", "external reference 'https://example.org/x.png'"),
    "svg with an external url()": ([("replace", SVG, 'fill="#333"/>', 'fill="url(https://example.org/p)"/>')], SVG,
                                   "url(https", "external reference url(https://example.org/p)"),
    "box not closed before the next page": ([("replace", LESSON_EN, "- Refer.\n:::\n", "- Refer.\n")], LESSON_EN,
                                            "::: keypoints", "box is never closed before the page title on line 12"),
    "box never closed": ([("replace", LESSON_EN, "You ask, in private, whether everything is all right.\n:::\n",
                           "You ask, in private, whether everything is all right.\n")],
                         LESSON_EN, "::: case", "'::: case' box is never closed with a ':::' line"),
    "unknown box": ([("replace", LESSON_EN, "::: case", "::: warning")], LESSON_EN, "::: warning",
                    "'::: warning' is not a box"),
    "source marker without source": ([("replace", LESSON_EN, "at some point [1]", "at some point [2]")], LESSON_EN,
                                     "[2]", "source marker [2] has no entry"),
    "helplines not alone on its line": ([("replace", LESSON_EN, "Help is available:\n\n[[helplines]]",
                                          "Help is available: [[helplines]]")],
                                        LESSON_EN, "[[helplines]]", "must stand alone"),
    "level-1 heading": ([("replace", LESSON_EN, "## A case at work\n", "## A case at work\n\n# Big title\n")],
                        LESSON_EN, "# Big title", "use '## ' for page titles"),
}


def apply(files, edits) -> None:
    for operation, name, *args in edits:
        if operation == "write":
            files.path(name).write_text(args[0], encoding="utf-8")
        else:
            getattr(files, operation)(name, *args)


@pytest.mark.parametrize(("edits", "name", "needle", "message"), list(CASES.values()), ids=list(CASES))
def test_each_problem_names_its_file_and_line(files, edits, name, needle, message):
    apply(files, edits)
    line = 1 if needle is None else files.line_of(name, needle)

    problems = check_courses(files.root).problems

    matching = [p for p in problems if message in p.message]
    assert matching, f"no problem says {message!r}; got:\n" + "\n".join(map(str, problems))
    assert (matching[0].path, matching[0].line) == (files.shown(name), line), "\n".join(map(str, problems))
    assert str(matching[0]) == f"{files.shown(name)}:{line}: {matching[0].message}"


def test_the_fixture_course_is_valid():
    result = check_courses(FIXTURE_COURSES)

    assert result.problems == []
    assert result.ok
    assert str(result.summary) == "1 course, 2 modules, 11 questions, 3 languages"


def test_every_problem_is_reported_at_once(files):
    apply(files, CASES["format version 2"][0] + CASES["duplicate choice id"][0] + CASES["missing lesson file"][0]
          + CASES["svg with a script"][0] + CASES["pass_mark 0"][0])

    problems = check_courses(files.root).problems

    assert sorted({p.path for p in problems}) == sorted(
        files.shown(name) for name in (COURSE, QUIZ, "m1-basics/lesson.fr.md", SVG, MODULE))
    assert len(problems) == 5


def test_a_single_course_folder_can_be_checked(files):
    files.replace(COURSE, "format: 1", "format: 2")

    problems = check_courses(files.course).problems

    assert [str(p) for p in problems] == ["courses/demo-course/course.yaml:1: format version must be 1, not 2"]


def test_paths_are_relative_to_the_current_directory(files, monkeypatch):
    """An absolute path under the current directory is shown from there, so it opens from where the command ran."""
    files.replace(COURSE, "format: 1", "format: 2")
    monkeypatch.chdir(files.root)

    problems = check_courses(files.root).problems

    assert [p.path for p in problems] == ["demo-course/course.yaml"]


def test_paths_outside_the_current_directory_are_absolute(files, tmp_path, monkeypatch):
    files.replace(COURSE, "format: 1", "format: 2")
    (files.root / "helplines.yaml").write_text("services: 3\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    for checked in (files.root, files.course, Path("../courses")):
        problems = check_courses(checked).problems

        shown = {p.path for p in problems}
        assert {(files.root / "demo-course/course.yaml").as_posix(), (files.root / "helplines.yaml").as_posix(),
                (files.root / "demo-course" / LESSON_EN).as_posix()} <= shown
        assert all(path.startswith(f"{files.root.as_posix()}/") for path in shown), shown


def test_a_relative_path_is_shown_as_given(files, monkeypatch):
    files.replace(COURSE, "format: 1", "format: 2")
    monkeypatch.chdir(files.root.parent)

    problems = check_courses(Path("courses/demo-course")).problems

    assert [p.path for p in problems] == ["courses/demo-course/course.yaml"]


def test_a_missing_folder_is_a_problem(tmp_path):
    result = check_courses(tmp_path / "nowhere")

    assert [p.message for p in result.problems] == ["no such folder"]


def test_an_empty_folder_has_no_course(tmp_path):
    assert "no course folder" in check_courses(tmp_path).problems[0].message


def test_a_yaml_syntax_error_is_reported_once(files):
    files.replace(QUIZ, "  - id: signs", "  - id: [signs")

    problems = check_courses(files.root).problems

    assert len([p for p in problems if p.path == files.shown(QUIZ)]) == 1


# (file, text replaced, its replacement, text on the expected line, what the message must say)
YAML_MISTAKES = {
    "tab used to indent": (MODULE, "  nl: De basis", "\tnl: De basis", "\tnl: De basis",
                           "use spaces, not tabs, to indent"),
    "colon inside a text": (COURSE, "  fr: Cours de démonstration", "  fr: Cours: de démonstration", "Cours: de",
                            "put the text in double quotes when it contains ': ', "
                            "e.g. fr: \"Cours: de démonstration\""),
    "key indented further": (MODULE, "  fr: Les bases", "   fr: Les bases", "   fr: Les bases",
                             "the lines of one list or block must start at the same column"),
    "list item indented less": (QUIZ, "      - id: judge", "     - id: judge", "     - id: judge",
                                "the lines of one list or block must start at the same column"),
    "anything else keeps the parser's words": (MODULE, "estimated_minutes: 10", "estimated_minutes: - 10",
                                               "estimated_minutes: - 10",
                                               "sequence entries are not allowed here; check the spaces at the start "
                                               "of this line"),
}


@pytest.mark.parametrize(("name", "old", "new", "needle", "message"), list(YAML_MISTAKES.values()),
                         ids=list(YAML_MISTAKES))
def test_yaml_syntax_errors_are_explained(files, name, old, new, needle, message):
    files.replace(name, old, new)

    problems = [p for p in check_courses(files.root).problems if p.path == files.shown(name)]

    assert [p.line for p in problems] == [files.line_of(name, needle)], problems
    assert problems[0].message.startswith("YAML syntax error: ")
    assert message in problems[0].message
    assert "<block" not in problems[0].message and "token" not in problems[0].message


def test_a_file_not_saved_as_utf8_is_reported_at_its_first_bad_byte(files):
    path, line = files.path(LESSON_EN), files.line_of(LESSON_EN, "## A case at work")
    path.write_bytes(path.read_bytes().replace(b"A case at work", "A café at work".encode("latin-1")))

    problems = check_courses(files.root).problems

    assert [(p.path, p.line, p.message) for p in problems] == [
        (files.shown(LESSON_EN), line,
         "this file is not saved as UTF-8 (save it as UTF-8); the first character that is not UTF-8 is on this "
         "line")]


def test_an_svg_not_saved_as_utf8_is_reported_at_its_first_bad_byte(files):
    path, line = files.path(SVG), files.line_of(SVG, "</svg>")
    path.write_bytes(path.read_bytes().replace(b"</svg>", "<!-- caf\u00e9 -->\n</svg>".encode("latin-1")))

    [problem] = check_courses(files.root).problems

    assert (problem.path, problem.line) == (files.shown(SVG), line)
    assert "not saved as UTF-8" in problem.message


def grow(path: Path, size: int) -> None:
    """Make the file `size` bytes long (its start kept, the rest zero bytes, without writing them)."""
    with path.open("r+b") as file:
        file.truncate(size)


@pytest.mark.parametrize(("name", "limit", "message"), [
    (LESSON_EN, MAX_LESSON_BYTES, "lesson.en.md is 200.1 KB; a lesson file may be at most 200 KB"),
    (QUIZ, MAX_QUIZ_BYTES, "quiz.yaml is 500.1 KB; a quiz file may be at most 500 KB"),
    (MODULE, MAX_YAML_BYTES, "module.yaml is 100.1 KB; this file may be at most 100 KB"),
    (SVG, MAX_IMAGE_BYTES, "diagram.svg is 2.1 MB; an image may be at most 2 MB"),
])
def test_files_over_their_size_limit_are_refused(files, name, limit, message):
    grow(files.path(name), limit + 1)

    problems = check_courses(files.root).problems

    assert [str(p) for p in problems if p.path == files.shown(name)] == [f"{files.shown(name)}:1: {message}"]


def test_a_huge_fake_png_is_refused_before_it_is_read(files):
    files.replace(MODULE, "  - file: diagram.svg", f"  - file: photo.png\n    alt: {T}\n  - file: diagram.svg")
    files.replace(LESSON_EN, "![A diagram](diagram.svg)", "![A diagram](diagram.svg)\n\n![](photo.png)")
    files.path("m1-basics/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    grow(files.path("m1-basics/photo.png"), 80 * 1024 * 1024)

    problems = check_courses(files.root).problems

    assert [str(p) for p in problems] == [
        f"{files.shown('m1-basics/photo.png')}:1: photo.png is 80 MB; an image may be at most 2 MB"]


def test_a_file_at_its_size_limit_is_accepted(files):
    grow(files.path(SVG), MAX_IMAGE_BYTES)  # zero bytes after </svg> break nothing the check looks at

    assert check_courses(files.root).problems == []


@pytest.mark.parametrize(("written", "message"), [
    ("![Un schéma](diagram fr.svg)",
     "'![Un schéma](diagram fr.svg)' looks like an image but is not one: the file name 'diagram fr.svg' contains a "
     "space; an image file name cannot contain spaces (rename the file, e.g. diagram-fr.svg)"),
    ("![Un schéma] (diagram.svg)",
     "'![Un schéma] (diagram.svg)' looks like an image but is not one: write an image as ![](file.svg): '![', ']' "
     "and the file name in '( )' right after it"),
])
def test_markdown_that_looks_like_an_image_but_is_not_one_is_a_problem(files, written, message):
    files.replace("m1-basics/lesson.fr.md", "![Un schéma](diagram.svg)", f"![Un schéma](diagram.svg)\n\n{written}")

    problems = check_courses(files.root).problems

    assert [(p.path, p.line, p.message) for p in problems] == [
        (files.shown("m1-basics/lesson.fr.md"), files.line_of("m1-basics/lesson.fr.md", written), message)]


def test_an_asset_no_lesson_shows_is_a_problem(files):
    files.replace(MODULE, "  - file: diagram.svg", f"  - file: spare.svg  # <-\n    alt: {T}\n  - file: diagram.svg")
    files.path("m1-basics/spare.svg").write_bytes(files.path(SVG).read_bytes())
    files.replace(LESSON_EN, "![A diagram](diagram.svg)", "")  # still shown by the other two languages

    problems = check_courses(files.root).problems

    assert [(p.path, p.line, p.message) for p in problems] == [
        (files.shown(MODULE), files.line_of(MODULE, "# <-"),
         "asset 'spare.svg' is listed but no lesson shows it; show it in a lesson with ![](spare.svg) or remove it "
         "from 'assets'")]


def test_a_broken_image_names_the_asset_it_was_probably_meant_to_be(files):
    files.replace("m1-basics/lesson.fr.md", "![Un schéma](diagram.svg)", "![Un schéma](Diagram .svg)")

    problems = check_courses(files.root).problems

    assert "the file name 'Diagram .svg' contains a space; an image file name cannot contain spaces (did you mean " \
           "diagram.svg?)" in problems[0].message
