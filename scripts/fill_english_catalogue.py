"""English is the source language: copy each msgid into the English catalogue's empty msgstr."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "elearning/translations/en/LC_MESSAGES/messages.po"

with PATH.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        if not all(message.string):
            message.string = tuple(message.id[:1]) + tuple(message.id[1:]) * (len(message.string) - 1)
    elif not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
with PATH.open("wb") as handle:
    write_po(handle, catalog, omit_header=False, sort_output=True, width=100)
