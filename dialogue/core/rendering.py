"""The Jinja environment: one base layout, partials and macros, translations and formats."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from dialogue.core import i18n, vocabulary
from dialogue.core.settings import LANGUAGES, PROJECT_ROOT
from dialogue.core.validation import display_phone

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@cache
def static_digest(name: str) -> str:
    """A short hash of a static file's content: its version in its address."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


@cache
def static_url(name: str) -> str:
    """/static/<name> with a content hash, so browsers may cache it for long (web/static.py)."""
    return f"/static/{name}?v={static_digest(name)}"


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML: a <p> for each line that is not blank, its text escaped."""
    return Markup("".join(f"<p>{escape(line)}</p>" for line in (text or "").split("\n") if line.strip()))


@cache
def service_environment() -> Environment:
    """The one environment the services render with outside a request (e-mails, documents)."""
    return build_environment()


def build_environment(reload: bool = False) -> Environment:
    """Templates are read once; with `reload` (TEMPLATE_RELOAD=1, for whoever edits them) Jinja checks
    each file's time on every render, which cost about a tenth of a cheap page."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        auto_reload=reload,
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        current_language=i18n.current_language,
        static_url=static_url,
        word=vocabulary.word,  # word("question_state", q.state): the words each domain declared
        explained=vocabulary.explained,
        public_event=public_event,
        languages=LANGUAGES,
        language_names=i18n.LANGUAGE_NAMES,
    )
    env.filters.update(
        day=i18n.format_day,
        moment=i18n.format_moment,
        long_day=i18n.format_long_day,
        log_sentence=log_sentence,
        paragraphs=paragraphs,
        number=format_number,
        percent=format_percent,
        phone=display_phone,  # +84912345678 as people write it: 0912 345 678
        # codes | map("word", "similar_place"): a list of codes in words
        word=lambda code, kind: vocabulary.word(kind, code),
    )
    return env


# Thousands and decimal marks as each language writes them (Babel's CLDR data, read once): a page of
# figures formats thousands of numbers, and Babel's format_decimal parses its pattern on every call.
_MARKS = {code: (format_decimal(1000, "#,##0", locale=code)[1], format_decimal(0.5, "0.0", locale=code)[1])
          for code in LANGUAGES}


def format_number(value: float | int | None) -> str:
    """A count or an average as the reader writes it ("1.234" and "4,5" in Vietnamese, at most one
    decimal, none when it is 0); "—" for none."""
    if value is None:
        return "—"
    group, decimal = _MARKS.get(i18n.current_language(), (",", "."))
    rounded = round(float(value), 1)
    whole, tenth = divmod(abs(round(rounded * 10)), 10)
    text = f"{whole:,}".replace(",", group) + (f"{decimal}{tenth}" if tenth else "")
    return f"-{text}" if rounded < 0 else text


def format_percent(value: float | None) -> str:
    return "—" if value is None else f"{format_number(value)} %"


def log_sentence(entry: dict) -> str:
    """One action-log entry as a sentence: "Nguyễn Văn An created the account"."""
    kind = entry.get("actor_kind")
    who = entry.get("actor_name") or (
        i18n.gettext("The asker") if kind == "public"
        else i18n.gettext("The agency's system (%(token)s)", token=entry.get("actor_ref", "")) if kind == "token"
        else i18n.gettext("The system")
    )
    sentence = f"{who} {vocabulary.action_sentence(entry['action'])}"
    details = entry.get("details") or {}
    if isinstance(details, dict) and entry["action"].endswith("_updated") and details:
        sentence += " (" + ", ".join(sorted(details)) + ")"
    if entry.get("reason"):
        sentence += f": {entry['reason']}"
    return sentence


def public_event(entry: dict) -> str:
    """An action-log entry as the public timeline says it (no staff names; only public entries
    reach it, see questions.tracking.timeline)."""
    text = vocabulary.public_action(entry["action"]) or entry["action"]
    return f"{text}: {entry['reason']}" if entry.get("reason") else text
