"""French typography: the space before : ; ? ! % and inside « » must not break, or a phone screen leaves the
sign alone at the start of a line. Applied to French course texts as they are rendered (lessons, quiz texts,
titles); the interface's catalogue is written with these spaces already."""

from __future__ import annotations

_FRENCH_SPACES = ((" :", "\u00a0:"), (" ;", "\u202f;"), (" ?", "\u202f?"), (" !", "\u202f!"), ("« ", "«\u00a0"),
                  (" »", "\u00a0»"), (" %", "\u202f%"))


def french_spaces(text: str) -> str:
    """Return `text` with no-break spaces where French typography wants them (ordinary spaces elsewhere)."""
    for plain, unbreakable in _FRENCH_SPACES:
        if plain in text:
            text = text.replace(plain, unbreakable)
    return text
