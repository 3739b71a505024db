"""The Jinja environment: one base layout, partials and macros, translations and formats."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from dialogue.core import i18n
from dialogue.core.settings import LANGUAGES, PROJECT_ROOT
from dialogue.core import labels

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@lru_cache(maxsize=None)
def static_url(name: str) -> str:
    """/static/<name> with a content hash, so browsers may cache it for long."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML: a <p> for each line that is not blank, its text escaped."""
    return Markup("".join(f"<p>{escape(line)}</p>" for line in (text or "").split("\n") if line.strip()))


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
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
        conference_state=labels.conference_state,
        role_name=labels.role_name,
        asker_kind=labels.asker_kind,
        question_state=labels.question_state,
        question_state_explained=labels.question_state_explained,
        public_event=labels.public_event,
        conference_action=labels.conference_action,
        complaint_guidance=labels.complaint_guidance,
        rejection_category=labels.rejection_category,
        answer_state=labels.answer_state,
        languages=LANGUAGES,
        language_names=i18n.LANGUAGE_NAMES,
    )
    env.filters.update(
        day=i18n.format_day,
        moment=i18n.format_moment,
        long_day=i18n.format_long_day,
        log_sentence=labels.log_sentence,
        paragraphs=paragraphs,
    )
    return env
