"""Languages: Vietnamese by default, English second, through Babel catalogues.

The language of the current request (or e-mail being written) lives in a
context variable, so templates, services and mail all translate alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations

from dialogue.core.calendar import TZ
from dialogue.core.settings import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

_current: ContextVar[str] = ContextVar("language", default="vi")


@cache
def catalog(language: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else "vi")


@contextmanager
def language(code: str) -> Iterator[None]:
    """Write something (an e-mail, say) in another language than the request's."""
    token = _current.set(code if code in LANGUAGES else "vi")
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables) -> str:
    text = catalog(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = catalog(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ) if moment.tzinfo else moment.replace(tzinfo=dt.UTC).astimezone(TZ)


def format_day(day: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy, the Vietnamese form, in both languages."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local(day).date()
    return day.strftime("%d/%m/%Y")


def format_moment(moment: dt.datetime | None) -> str:
    """'08:00, 18/12/2026' in Vietnam's time zone."""
    if moment is None:
        return ""
    return local(moment).strftime("%H:%M, %d/%m/%Y")


def format_long_day(day: dt.date | dt.datetime | None) -> str:
    """'thứ Sáu, ngày 18 tháng 12 năm 2026' / 'Friday, 18 December 2026'."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local(day).date()
    if current_language() == "vi":
        weekday = format_date(day, "EEEE", locale="vi")
        return f"{weekday}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return format_date(day, "EEEE, d MMMM y", locale="en_GB")
