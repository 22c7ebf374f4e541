"""Every user-facing string is translated in Dutch, French and English."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "elearning" / "translations"
LANGUAGES = ("nl", "fr", "en")


def _catalogue(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_or_fuzzy_entries(language):
    problems = []
    for message in _catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == [], f"{language}: {len(problems)} untranslated or fuzzy: {problems[:10]}"


def test_every_extracted_string_is_in_every_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext",
         "-k", "_l", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    for language in LANGUAGES:
        known = {message.id for message in _catalogue(language) if message.id}
        missing = sorted(str(m) for m in extracted - known)
        assert missing == [], f"{language} lacks {len(missing)} strings (make extract-messages): {missing[:10]}"


@pytest.mark.parametrize("language", ("nl", "fr"))
def test_placeholders_survive_translation(language):
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message in _catalogue(language):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(placeholder.findall(message.id)) == set(placeholder.findall(message.string)), message.id
