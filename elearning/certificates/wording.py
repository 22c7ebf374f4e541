"""The words printed on a certificate, in each language (no Flask import).

Kept here rather than in the interface catalogues: a certificate is an official record, so its wording is
written and reviewed once, in all three languages together, and never falls back to English because a
catalogue entry is missing. It says the training *supports* the CEASE charter commitment; it never says
"certified by" CEASE (the content brief, section 1.4: no CEASE certificate exists).
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from elearning.dates import local_date

# Babel locales for dates and numbers: Belgian conventions, day before month in English too.
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "document_title": "Relais certificate {code}",
        "subject": "Training certificate",
        "heading": "Certificate of training",
        "intro": "Relais confirms that the person named below passed every module of this training.",
        "holder": "Holder",
        "training": "Training",
        "course": "Course: {course}, version {version}",
        "module": "Module",
        "passed_on": "Passed on",
        "score": "Score",
        "hours": "Study time",
        "hours_value": "{hours} hours",
        "issued_on": "Issued on",
        "valid_until": "Valid until",
        "issuer": "Issuer",
        "code": "Certificate code",
        "verify": "Check this certificate at the address above or scan the QR code. The page shows its status "
                  "and the SHA-256 fingerprint of every PDF issued for it.",
        "qr_label": "QR code leading to the verification page",
        "cease": "The training description above names the CEASE charter commitment it supports. It is not a "
                 "CEASE certification.",
    },
    "fr": {
        "document_title": "Attestation Relais {code}",
        "subject": "Attestation de formation",
        "heading": "Attestation de formation",
        "intro": "Relais atteste que la personne nommée ci-dessous a réussi chaque module de cette formation.",
        "holder": "Titulaire",
        "training": "Formation",
        "course": "Formation\u00a0: {course}, version {version}",
        "module": "Module",
        "passed_on": "Réussi le",
        "score": "Score",
        "hours": "Durée de formation",
        "hours_value": "{hours} heures",
        "issued_on": "Délivrée le",
        "valid_until": "Valable jusqu'au",
        "issuer": "Émetteur",
        "code": "Code de l'attestation",
        "verify": "Vérifiez cette attestation à l'adresse ci-dessus ou scannez le code QR. La page indique son "
                  "statut et l'empreinte SHA-256 de chaque fichier PDF délivré pour cette attestation.",
        "qr_label": "Code QR menant à la page de vérification",
        "cease": "La description de la formation ci-dessus nomme l'engagement de la charte CEASE qu'elle "
                 "soutient. Ce n'est pas une certification CEASE.",
    },
    "nl": {
        "document_title": "Relais-attest {code}",
        "subject": "Opleidingsattest",
        "heading": "Opleidingsattest",
        "intro": "Relais bevestigt dat de hieronder vermelde persoon elke module van deze opleiding heeft behaald.",
        "holder": "Houder",
        "training": "Opleiding",
        "course": "Cursus: {course}, versie {version}",
        "module": "Module",
        "passed_on": "Behaald op",
        "score": "Score",
        "hours": "Opleidingsduur",
        "hours_value": "{hours} uur",
        "issued_on": "Uitgereikt op",
        "valid_until": "Geldig tot",
        "issuer": "Uitgever",
        "code": "Code van het attest",
        "verify": "Controleer dit attest op het adres hierboven of scan de QR-code. De pagina toont de status "
                  "en de SHA-256-vingerafdruk van elke pdf die ervoor werd uitgereikt.",
        "qr_label": "QR-code naar de verificatiepagina",
        "cease": "De beschrijving van de opleiding hierboven noemt het engagement van het CEASE-charter dat ze "
                 "ondersteunt. Het is geen CEASE-certificering.",
    },
}


def texts(language: str) -> dict[str, str]:
    """Return the certificate wording in `language`."""
    return TEXTS[language]


def date(moment: datetime, language: str) -> str:
    """Return the Brussels date of a stored moment (UTC) written out in `language`, e.g. 12 mars 2026."""
    return format_date(local_date(moment), format="long", locale=LOCALES[language])


def hours(value: float, language: str) -> str:
    """Return a number of hours in `language`, e.g. 3,5."""
    return format_decimal(value, format="#,##0.#", locale=LOCALES[language])


def percent(value: int, language: str) -> str:
    """Return a score in `language`, e.g. 92 %."""
    return format_decimal(value, locale=LOCALES[language]) + ("\u202f%" if language == "fr" else "%")
