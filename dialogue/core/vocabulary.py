"""Words for stored codes: states, actions, choices.

Each domain declares its own words once, next to the rule they name (a state machine declares
its states and the sentence each action leaves in the history). Rendering reads them from here,
so that pages, e-mails and documents say the same thing, and nothing below the domains needs to
import them. Messages are marked with N_ and translated when shown, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.core.i18n import gettext


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet (it is translated when shown)."""
    return message


@dataclass(frozen=True)
class ActionWords:
    sentence: str  # what the history says after the actor's name: "accepted the question"
    public: str | None  # what the public timeline says, or None: staff only
    public_reason: bool = True  # whether the public timeline shows the entry's reason


_words: dict[str, dict[str, str]] = {}
_explained: dict[str, dict[str, str]] = {}
_actions: dict[str, ActionWords] = {}


def declare(kind: str, words: dict[str, str], explained: dict[str, str] | None = None) -> None:
    """Words for the codes of one kind: "question_state", "role", "asker_kind"…"""
    _words.setdefault(kind, {}).update(words)
    if explained:
        _explained.setdefault(kind, {}).update(explained)


def declare_action(logged_as: str, sentence: str, public: str | None = None, public_reason: bool = True) -> None:
    """The sentence an action-log entry reads as, and what the public timeline says (None: private)."""
    _actions[logged_as] = ActionWords(sentence, public, public_reason)


def word(kind: str, code: str | None) -> str:
    message = _words.get(kind, {}).get(code or "")
    return gettext(message) if message else (code or "")


def explained(kind: str, code: str | None) -> str:
    message = _explained.get(kind, {}).get(code or "")
    return gettext(message) if message else ""


def action_sentence(logged_as: str) -> str:
    words = _actions.get(logged_as)
    return gettext(words.sentence) if words else logged_as


def public_action(logged_as: str) -> str | None:
    """The public timeline's words for an action, or None when the public does not see it."""
    words = _actions.get(logged_as)
    return gettext(words.public) if words and words.public else None


def public_actions() -> list[str]:
    """Every action the public timelines show."""
    return sorted(name for name, words in _actions.items() if words.public)


def is_public_action(logged_as: str) -> bool:
    words = _actions.get(logged_as)
    return bool(words and words.public)


def shows_reason_publicly(logged_as: str) -> bool:
    words = _actions.get(logged_as)
    return bool(words and words.public and words.public_reason)
