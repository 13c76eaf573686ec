"""Periods of the social-reporting pages (issue 7): whole days in the deployment's zone.

The summary and the working group's tagging pages read the same `from`/`to` query
arguments the same way, so a period chosen on one carries over to the other. Days are
counted where the deployment is (`BABEL_DEFAULT_TIMEZONE`): a report written at 23:30 on
30 June in Helsinki belongs to the first half-year, whatever UTC says.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from .problems import Problem

#: The longest period a summary covers: longer ones are a typing error (year 2205) more
#: likely than a wish, and would make the weak-signal table unreadable.
MAX_PERIOD_DAYS = 5 * 366

@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the deployment's time zone."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC moments [from, until): local midnight of `start` to that after `end`."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        """Whether `day` is one of the period's days."""
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """The period in words, e.g. "1 Jan 2025 – 30 Jun 2025"."""
        return f"{format_date(self.start, 'medium')} \u2013 {format_date(self.end, 'medium')}"

    def as_args(self) -> dict[str, str]:
        """The period as the query arguments `from` and `to`."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def deployment_zone() -> ZoneInfo:
    """The deployment's time zone (BABEL_DEFAULT_TIMEZONE), in which days and periods are counted."""
    try:
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date) -> datetime:
    """The start of `day` in the deployment's zone, as a UTC moment."""
    return datetime.combine(day, time(0, 0), tzinfo=deployment_zone()).astimezone(timezone.utc)


def local_today() -> date:
    """Today where the deployment is."""
    return datetime.now(deployment_zone()).date()


def half_year_of(day: date) -> Period:
    """The half-year `day` is in: 1 January – 30 June or 1 July – 31 December."""
    if day.month <= 6:
        return Period(date(day.year, 1, 1), date(day.year, 6, 30))
    return Period(date(day.year, 7, 1), date(day.year, 12, 31))



def parse_period(args: Mapping, today: date | None = None) -> Period:
    """The period of the query arguments `from` and `to` (YYYY-MM-DD, both days included).

    Neither given: the current half-year. Only `from`: to the end of its half-year; only
    `to`: from the start of its half-year.

    :raise Problem: (422) a date that is not a real YYYY-MM-DD day, a period that ends
        before it starts, or one longer than five years.
    """
    start, end = _day(args, "from"), _day(args, "to")
    if start is None and end is None:
        return half_year_of(today or local_today())
    if start is None:
        start = half_year_of(end).start
    if end is None:
        end = half_year_of(start).end
    if end < start:
        raise Problem(_l("The period ends before it starts."), field="to", status=422)
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise Problem(_l("Choose a period of at most five years."), field="to", status=422)
    return Period(start, end)


def _day(args: Mapping, name: str) -> date | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(_l("Give the date as year-month-day, e.g. 2025-06-30."), field=name, status=422) from None
