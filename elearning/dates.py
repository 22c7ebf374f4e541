"""Days as people in Brussels count them. Moments are stored in UTC (naive); a date shown or compared with a due
date is the Brussels date of the moment, as printed on the certificate: a certificate issued at 23:30 UTC on
27 November is dated 28 November, and so is its validity's last day three years on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")  # the web pages use the same zone (config.BABEL_DEFAULT_TIMEZONE)


def local_moment(moment: datetime) -> datetime:
    """Return a stored moment (UTC, naive or aware) in Brussels time."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BRUSSELS)


def local_date(moment: datetime) -> date:
    """Return the Brussels date of a stored moment."""
    return local_moment(moment).date()


def local_today() -> date:
    """Return today's date in Brussels (from 23:00 or 22:00 UTC, the next day's)."""
    return datetime.now(BRUSSELS).date()
