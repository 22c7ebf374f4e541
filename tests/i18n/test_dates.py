"""Dates and times: Belgian conventions in every language (day before month in English too), Brussels time."""

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from elearning import i18n


@pytest.mark.parametrize("language, expected", [("en", "15 January 2023"), ("fr", "15 janvier 2023"),
                                                ("nl", "15 januari 2023")])
def test_long_dates_put_the_day_first_in_every_language(app, language, expected):
    with app.test_request_context(f"/?lang={language}"):
        assert render_template_string('{{ day|dateformat("long") }}', day=date(2023, 1, 15)) == expected


def test_a_moment_is_shown_on_its_brussels_date_and_time(app):
    late_summer_evening = datetime(2026, 7, 1, 22, 30)  # stored in UTC: 00:30 on 2 July in Brussels (CEST)
    winter_evening = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30 on 1 December in Brussels (CET)
    with app.test_request_context("/?lang=en"):
        assert i18n.format_date(late_summer_evening, "long") == "2 July 2026"
        assert i18n.format_datetime(late_summer_evening, "short") == "02/07/2026, 00:30"
        assert i18n.format_date(winter_evening, "long") == "1 December 2026"
    with app.test_request_context("/?lang=nl"):
        assert i18n.format_datetime(winter_evening, "short") == "01/12/2026, 23:30"


def test_the_certificate_prints_the_same_brussels_date_as_the_pages(app):
    from elearning.certificates import wording

    issued = datetime(2026, 7, 1, 22, 30)  # 00:30 on 2 July in Brussels
    with app.test_request_context("/?lang=fr"):
        assert wording.date(issued, "fr") == i18n.format_date(issued, "long") == "2 juillet 2026"
