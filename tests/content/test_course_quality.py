"""The real course meets the editorial rules of the course-writing issue, in every language."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2] / "courses"
COURSE = ROOT / "partner-violence-work"
LANGUAGES = ("nl", "fr", "en")
MODULES = yaml.safe_load((COURSE / "course.yaml").read_text(encoding="utf-8"))["modules"]
GLOSSARY = yaml.safe_load((ROOT / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
SOURCES_HEADINGS = {"nl": "Bronnen", "fr": "Sources", "en": "Sources"}
PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|‰|procent|pour cent|per cent)")
MARKER = re.compile(r"\[(\d+)\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"“(*])")
CASES = [(module, language) for module in MODULES for language in LANGUAGES]


def _lesson(module: str, language: str) -> str:
    return (COURSE / module / f"lesson.{language}.md").read_text(encoding="utf-8")


def _pages(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"^## +(.+)$", text, flags=re.M)[1:]
    return list(zip(parts[0::2], parts[1::2], strict=True))


def _quiz(module: str) -> list[dict]:
    return yaml.safe_load((COURSE / module / "quiz.yaml").read_text(encoding="utf-8"))["questions"]


def _module(module: str) -> dict:
    return yaml.safe_load((COURSE / module / "module.yaml").read_text(encoding="utf-8"))


def _words(text: str) -> int:
    return sum(1 for token in text.split() if not token.startswith(("<http", "http")) and re.search(r"\w", token))


@pytest.mark.parametrize("module, language", CASES)
def test_lesson_length_and_pages(module, language):
    text = _lesson(module, language)
    pages = _pages(text)
    content_pages = pages[:-1]
    assert 1200 <= _words(text) <= 2500, f"{module} {language}: {_words(text)} words"
    assert 3 <= len(content_pages) <= 6, f"{module} {language}: {len(content_pages)} content pages"
    assert pages[-1][0].strip() == SOURCES_HEADINGS[language]


@pytest.mark.parametrize("module, language", CASES)
def test_lesson_has_cases_key_points_and_sources(module, language):
    text = _lesson(module, language)
    assert len(re.findall(r"^::: *case", text, flags=re.M)) >= 2, "at least two workplace cases"
    assert re.search(r"^::: *keypoints", text, flags=re.M), "a key points box"
    sources = _pages(text)[-1][1]
    entries = re.findall(r"^(\d+)\. (.+)$", sources, flags=re.M)
    assert entries, "a numbered Sources list"
    for number, entry in entries:
        assert re.search(r"<https?://[^>]+>", entry), f"source {number} has no link"
        assert re.search(r"\b(19|20)\d\d\b", entry), f"source {number} has no year"
        assert "*" in entry, f"source {number} has no italic title"


@pytest.mark.parametrize("module, language", CASES)
def test_every_marker_resolves_and_every_figure_is_sourced(module, language):
    text = _lesson(module, language)
    pages = _pages(text)
    body = "\n".join(page for _, page in pages[:-1])
    numbers = {int(n) for n, _ in re.findall(r"^(\d+)\. (.+)$", pages[-1][1], flags=re.M)}
    used = {int(n) for n in MARKER.findall(body)}
    assert used <= numbers, f"markers without a source: {sorted(used - numbers)}"
    unsourced = []
    for line in body.splitlines():
        for sentence in SENTENCE_END.split(line):
            if PERCENT.search(sentence) and not MARKER.search(sentence):
                unsourced.append(sentence.strip()[:120])
    assert unsourced == [], f"{module} {language}: figures without a source marker: {unsourced}"


@pytest.mark.parametrize("module, language", CASES)
def test_glossary_terms_are_used_consistently(module, language):
    texts = [_lesson(module, language).lower(), yaml.safe_dump(_quiz(module), allow_unicode=True).lower()]
    for term in GLOSSARY:
        for phrase in (term.get("avoid") or {}).get(language, []):
            assert not any(phrase.lower() in text for text in texts[:1]), \
                f"{module} lesson.{language}.md says {phrase!r}; the glossary uses {term[language]!r}"
    for text in texts[1:]:
        for term in GLOSSARY:
            for phrase in (term.get("avoid") or {}).get(language, []):
                assert f"{language}: {phrase.lower()}" not in text


def test_french_never_says_violence_domestique():
    for module in MODULES:
        for path in (COURSE / module).glob("*"):
            if path.suffix in (".md", ".yaml") and (path.name.endswith(".fr.md") or path.suffix == ".yaml"):
                text = path.read_text(encoding="utf-8").lower()
                if path.suffix == ".yaml":
                    text = "\n".join(line for line in text.splitlines() if line.strip().startswith("fr:"))
                assert "violence domestique" not in text and "violences domestiques" not in text, path


@pytest.mark.parametrize("module", MODULES)
def test_question_bank(module):
    questions = _quiz(module)
    settings = _module(module)
    assert len(questions) >= 12
    assert settings["questions_per_attempt"] >= 8
    assert settings["pass_mark"] == 80
    scenarios = sum(1 for question in questions if question["type"] == "scenario")
    assert scenarios * 3 >= len(questions), f"{scenarios} scenarios of {len(questions)}"
    assert len({question["type"] for question in questions}) >= 4, "a mix of question types"


def _leaf_questions(questions):
    for question in questions:
        if question["type"] == "scenario":
            yield from question["questions"]
        else:
            yield question


@pytest.mark.parametrize("module", MODULES)
def test_every_question_and_choice_explains(module):
    for question in _leaf_questions(_quiz(module)):
        assert all(question["explanation"].get(lang, "").strip() for lang in LANGUAGES), question["id"]
        for choice in question.get("choices", []):
            explanation = choice.get("explanation") or {}
            assert all(len(explanation.get(lang, "").split()) >= 5 for lang in LANGUAGES), \
                f"{question['id']}/{choice['id']}: an explanation that teaches, in every language"


@pytest.mark.parametrize("module", MODULES)
def test_content_note_says_what_the_module_covers(module):
    note = _module(module)["content_note"]
    assert all(len(note[lang].split()) >= 15 for lang in LANGUAGES)


def test_nothing_asks_about_the_learners_own_experience():
    personal = re.compile(r"\b(have you ever been|avez-vous déjà été|bent u ooit)\b", re.I)
    for module in MODULES:
        for path in (COURSE / module).glob("*"):
            if path.suffix in (".md", ".yaml"):
                assert not personal.search(path.read_text(encoding="utf-8")), path


def test_no_claim_of_cease_certification():
    claim = re.compile(
        r"(cease[- ]certified|certifié[e]? (par )?cease|cease[- ]gecertificeerd|meets cease requirements)", re.I)
    # Quiz banks may quote a wrong claim as a case to correct; lessons and settings never make one.
    for path in ROOT.rglob("*"):
        if path.suffix in (".md", ".yaml") and path.name not in ("README.md", "quiz.yaml"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if claim.search(line):
                    assert re.search(r"\b(not|no|pas|niet|geen|never|jamais|nooit|ni)\b", line, re.I), f"{path}: {line}"


def test_every_help_line_has_its_texts_in_every_language_and_a_source():
    services = yaml.safe_load((ROOT / "helplines.yaml").read_text(encoding="utf-8"))["services"]
    for service in services:
        for field in ("name", "hours", "description"):
            assert set(service[field]) == set(LANGUAGES), (service["id"], field, service[field])
            assert all(isinstance(text, str) and text.strip() for text in service[field].values())
        assert service["source"].startswith("http") and service["last_checked"], service["id"]
